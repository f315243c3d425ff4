"""A local GitHub for tests: a threaded HTTP server on 127.0.0.1 answering the documented REST
shapes.

Routes map a path to a list (served in pages of `page_size`, with GitHub's `Link` header and
its `per_page`/`page` query parameters) or to an error (status, headers, body). Every request
is recorded, so tests can assert what was asked and with which headers. Nothing leaves the
machine.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Error:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class Raw:
    """Bytes written as they are in place of an HTTP response (a broken or hostile server),
    `drip` seconds apart one byte at a time when set; the connection is closed after."""

    data: bytes
    drip: float = 0.0


@dataclass
class FakeGitHub:
    url: str = ""
    page_size: int = 100
    routes: dict[str, Any] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    delay: float = 0.0
    next_origin: str = ""  # a Link to another origin, when set


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            fake.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            if fake.delay:
                time.sleep(fake.delay)
            route = fake.routes.get(parts.path)
            if route is None:
                return self._send(404, {}, {"message": "Not Found"})
            if hasattr(route, "data"):  # Raw (conftest may be imported twice: no isinstance)
                return self._raw(route.data, route.drip)
            if not isinstance(route, list):  # an Error
                return self._send(route.status, route.headers, route.body)
            query = parse_qs(parts.query)
            size = min(int(query.get("per_page", ["30"])[0]), fake.page_size)
            page = int(query.get("page", ["1"])[0])
            items = route[(page - 1) * size:page * size]
            headers = {}
            if page * size < len(route):
                origin = fake.next_origin or fake.url
                headers["Link"] = (f'<{origin}{parts.path}?per_page={size}&page={page + 1}>;'
                                   f' rel="next", <{origin}{parts.path}?page=99>; rel="last"')
            return self._send(200, headers, items)

        def _raw(self, data: bytes, drip: float) -> None:
            self.close_connection = True
            try:
                for chunk in [data[i:i + 1] for i in range(len(data))] if drip else [data]:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(drip)
            except OSError:  # the client hung up
                pass

        def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def user(login: str) -> dict[str, Any]:
    """A simple-user object as the API returns it (the fields we read, and a few more)."""
    return {"login": login, "id": abs(hash(login)) % 10**6, "type": "User",
            "html_url": f"https://github.com/{login}", "site_admin": False}


def review(login: str, state: str, commit: str, number: int = 1) -> dict[str, Any]:
    """A pull-request review as "List reviews for a pull request" returns it."""
    return {"id": number, "node_id": f"PRR_{number}", "user": user(login), "body": "",
            "state": state, "html_url": f"https://github.com/o/r/pull/7#pullrequestreview-{number}",
            "pull_request_url": "https://api.github.com/repos/o/r/pulls/7",
            "submitted_at": "2026-11-23T10:00:00Z", "commit_id": commit,
            "author_association": "MEMBER"}


def commit(sha: str, *, author: str | None = None, committer: str | None = None,
           email: str = "e@example.com", committer_email: str = "e@example.com",
           message: str = "a change") -> dict[str, Any]:
    """A commit as "List commits on a pull request" returns it: `author`/`committer` are the
    GitHub accounts (null when GitHub links no account to the e-mail), `commit` the git data."""
    def person(address: str) -> dict[str, str]:
        return {"name": address.partition("@")[0], "email": address,
                "date": "2026-11-23T10:00:00Z"}

    return {"sha": sha, "node_id": f"C_{sha[:8]}",
            "url": f"https://api.github.com/repos/o/r/commits/{sha}",
            "commit": {"author": person(email), "committer": person(committer_email),
                       "message": message, "comment_count": 0,
                       "tree": {"sha": "0" * 40, "url": "https://api.github.com/t"}},
            "author": user(author) if author else None,
            "committer": user(committer) if committer else None,
            "parents": [{"sha": "0" * 40, "url": "https://api.github.com/p"}]}
