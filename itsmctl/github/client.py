"""The one network client of itsmctl: a small, bounded GitHub REST reader (stdlib urllib).

Only GET, only under the configured API URL: every read has a timeout, all the requests of
one client a deadline (a server dripping a byte at a time never trips a per-read timeout, so
the connection in flight is shut down when it passes), every response a size bound;
pagination follows `Link: <...>; rel="next"` for a bounded number of pages and only to the
same origin (the token is never sent elsewhere), and redirects are refused for the same
reason. Every failure is a `GitHubError` (exit 2) that says what to do.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from itsmctl import __version__
from itsmctl.errors import ItsmctlError

TIMEOUT = 15.0  # seconds per read (and connect)
DEADLINE = 120.0  # seconds for every request of one client, from its first
MAX_BYTES = 8 * 1024 * 1024  # per response
# all responses of one client: 50 pages of 8 MiB would decode to gigabytes of objects; a
# pull request's reviews, commits and teams at their limits are a few MiB
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_PAGES = 50  # 100 items per page: 5,000 reviews or team members
_NEXT = re.compile(r'<([^<>\s]+)>\s*;\s*rel="?next"?')
_SECONDS = re.compile(r"[0-9]{1,10}")  # retry-after, reset: ASCII digits gmtime can show
_REQUESTABLE = re.compile(r"[!-~]+")  # printable ASCII: what an HTTP request line carries


class GitHubError(ItsmctlError):
    """The GitHub API could not answer what approval enforcement needs (exit 2)."""


@dataclass(frozen=True)
class Page:
    status: int
    headers: Mapping[str, str]
    data: Any


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib would resend the Authorization header to wherever it points


class _Watch:
    """The connection in flight, shut down once the client's deadline has passed."""

    def __init__(self) -> None:
        self.connection: http.client.HTTPConnection | None = None
        self.expired = False

    def factory(self, kind: type[http.client.HTTPConnection]
                ) -> Callable[..., http.client.HTTPConnection]:
        def connect(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            self.connection = kind(host, **kwargs)
            return self.connection
        return connect

    def guard(self, ends: float, done: threading.Event) -> None:
        """Until `done`: from `ends` (monotonic) on, shut the connection down (again every
        50 ms, in case it was still connecting)."""
        while not done.wait(0.05 if self.expired else max(0.0, ends - time.monotonic())):
            self.expired = True
            sock = self.connection.sock if self.connection is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):  # closed already
                    sock.shutdown(socket.SHUT_RDWR)


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self.watch = watch

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.watch.factory(http.client.HTTPConnection), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self.watch, self.context = watch, ssl.create_default_context()

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.watch.factory(http.client.HTTPSConnection), req,
                            context=self.context)


class GitHubClient:
    """GET JSON lists from the GitHub REST API at `api_url` with `token`."""

    def __init__(self, api_url: str, token: str, *, timeout: float = TIMEOUT,
                 deadline: float = DEADLINE, max_bytes: int = MAX_BYTES,
                 max_pages: int = MAX_PAGES, max_total_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.api_url = api_url.rstrip("/")
        self.origin = _origin(self.api_url)
        self.token = token
        self.timeout, self.max_bytes, self.max_pages = timeout, max_bytes, max_pages
        self.max_total_bytes, self._received = max_total_bytes, 0
        self.deadline, self._ends = deadline, 0.0
        self._watch = _Watch()
        self._opener = urllib.request.build_opener(_NoRedirect(), _HTTP(self._watch),
                                                   _HTTPS(self._watch))

    def get_list(self, path: str, what: str, *, forbidden_hint: str = "",
                 params: Mapping[str, str] | None = None,
                 keep: Callable[[Any], Any] | None = None) -> list[Any]:
        """Every item of a paginated list endpoint. `what` names it in errors;
        `forbidden_hint` says which permission a 403/404 most likely lacks. `keep` picks
        what is kept of each item as its page arrives, so one page's decoded objects are
        alive at a time, not every page's (32 MiB of `{}` decode to about 0.8 GB)."""
        url: str | None = f"{self.api_url}{path}?{urlencode({'per_page': '100', **(params or {})})}"
        items: list[Any] = []
        for _ in range(self.max_pages):
            if url is None:
                return items
            page = self._get(url, what, forbidden_hint)
            if not isinstance(page.data, list):
                raise GitHubError(f"GitHub answered {what} with something other than a list",
                                  "check GITHUB_API_URL points at the REST API")
            items.extend(page.data if keep is None else map(keep, page.data))
            url = self._next(page.headers.get("link", ""), what)
            del page  # gone before the next page is read
        if url is not None:
            raise GitHubError(f"{what} has more than {self.max_pages} pages; not read",
                              "this many reviews or members is not a pull request we can judge")
        return items

    def _next(self, link: str, what: str) -> str | None:
        match = _NEXT.search(link)
        if match is None:
            return None
        url = match.group(1)
        try:  # http.client encodes the request line as ASCII; urlsplit checks [IPv6] hosts
            origin = _origin(url) if _REQUESTABLE.fullmatch(url) else None
        except ValueError:
            origin = None
        if origin is None:
            raise GitHubError(f"GitHub's next page of {what} is no URL that can be asked for",
                              "check GITHUB_API_URL points at the REST API")
        if origin != self.origin:
            raise GitHubError(f"GitHub's next page of {what} points outside {self.origin}",
                              "check GITHUB_API_URL; the token is only sent there")
        return url

    def _get(self, url: str, what: str, forbidden_hint: str) -> Page:
        """One page, within what is left of the deadline: past it, whatever the request
        made of the shut-down connection, the answer is that it took too long."""
        self._ends = self._ends or time.monotonic() + self.deadline
        done = threading.Event()
        guard = threading.Thread(target=self._watch.guard, args=(self._ends, done), daemon=True)
        guard.start()
        try:
            page = self._request(url, what, forbidden_hint)
        except GitHubError:
            if not self._watch.expired:
                raise
        finally:
            done.set()
            guard.join()
        if self._watch.expired:
            raise GitHubError(f"GitHub took more than {self.deadline:g} s in all to answer;"
                              f" stopped reading {what}",
                              "try again; if it persists, check githubstatus.com") from None
        return page

    def _request(self, url: str, what: str, forbidden_hint: str) -> Page:
        request = urllib.request.Request(url, headers={
            "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
            "Authorization": f"Bearer {self.token}", "User-Agent": f"itsmctl/{__version__}"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(self.max_bytes + 1)
                status, headers = response.status, _lower(response.headers.items())
        except urllib.error.HTTPError as error:
            body = _error_body(error)
            raise http_error(error.code, _lower(error.headers.items()), body, what,
                             forbidden_hint, secret=self.token) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise GitHubError(f"cannot reach the GitHub API at {self.origin} for {what}:"
                              f" {_one_line(str(reason), self.token)}",
                              "check GITHUB_API_URL and the runner's network; try again") from None
        except http.client.HTTPException as error:  # no status line, a body broken off, ...
            raise GitHubError(f"GitHub's answer for {what} is no well-formed HTTP response"
                              f" ({type(error).__name__})",
                              "try again; if it persists, check GITHUB_API_URL") from None
        if len(body) > self.max_bytes:
            raise GitHubError(f"GitHub's answer for {what} is larger than"
                              f" {self.max_bytes // (1024 * 1024)} MiB; not read")
        self._received += len(body)
        if self._received > self.max_total_bytes:
            raise GitHubError(f"GitHub's answers up to {what} add up to more than"
                              f" {self.max_total_bytes // (1024 * 1024)} MiB; not read",
                              "this much review data is not a pull request we can judge")
        try:
            return Page(status, headers, json.loads(body))
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            raise GitHubError(f"GitHub answered {what} with invalid JSON",
                              "check GITHUB_API_URL points at the REST API") from None


def http_error(status: int, headers: Mapping[str, str], body: bytes, what: str,
               forbidden_hint: str, *, secret: str = "") -> GitHubError:
    """The sentence for a refused request: rate limits, credentials, permissions. The
    server's message is quoted with `secret` (the token) cut out: one that echoes it must
    not get it into a log."""
    message = _message(body, secret)
    said = f" ({message})" if message else ""
    # a secondary rate limit may come as a bare 403 whose message says so (GitHub's docs)
    if status == 429 or (status == 403 and (headers.get("x-ratelimit-remaining") == "0"
                                            or "retry-after" in headers
                                            or "rate limit" in message.lower())):
        return GitHubError(f"GitHub's rate limit stopped reading {what}{said}",
                           _rate_hint(headers))
    if status == 401:
        return GitHubError(f"GitHub refused the token reading {what} (401){said}",
                           "check GITHUB_TOKEN: it is missing, expired or revoked")
    if status in (403, 404) and forbidden_hint:
        return GitHubError(f"GitHub refused {what} ({status}){said}", forbidden_hint)
    return GitHubError(f"GitHub answered {status} reading {what}{said}",
                       "try again; if it persists, check githubstatus.com")


def _error_body(error: urllib.error.HTTPError) -> bytes:
    """The start of a refusal's body, for its message; b"" when it cannot be read."""
    try:
        with error:
            return error.read(64 * 1024)
    except (OSError, http.client.HTTPException):
        return b""


def _rate_hint(headers: Mapping[str, str]) -> str:
    retry = headers.get("retry-after", "")
    if _SECONDS.fullmatch(retry):
        return f"GitHub asks to retry after {int(retry)} s: re-run the job then"
    reset = headers.get("x-ratelimit-reset", "")
    if _SECONDS.fullmatch(reset):
        when = time.strftime("%H:%M UTC", time.gmtime(int(reset)))
        return f"the limit resets at {when}: re-run the job then"
    return "wait for the rate limit to reset, then re-run the job"


def _message(body: bytes, secret: str) -> str:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    text = data.get("message") if isinstance(data, dict) else None
    return _one_line(text, secret) if isinstance(text, str) else ""


def _one_line(text: str, secret: str) -> str:
    text = " ".join((text.replace(secret, "***") if secret else text).split())
    return text if len(text) <= 200 else text[:199] + "…"


def _lower(items: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}


_DEFAULT_PORTS = {"https": ":443", "http": ":80"}


def _origin(url: str) -> str:
    """Scheme and host as the token's destination: `https://ghe.example.com:443` is the
    origin of `https://ghe.example.com` (RFC 6454), so an API URL that names its default
    port still reads its next pages; any other port is another origin."""
    parts = urlsplit(url)
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    netloc = netloc.removesuffix(_DEFAULT_PORTS.get(scheme, "\0"))
    return f"{scheme}://{netloc}"
