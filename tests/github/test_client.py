"""The GitHub REST client against a local server: pagination, bounds, refusals, rate limits."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from itsmctl.github.approvals import approving_logins
from itsmctl.github.client import GitHubClient, GitHubError
from tests.github.fake import Error, FakeGitHub, Raw, commit, review, user

HEAD, OLD = "a" * 40, "b" * 40
MEMBERS = "/orgs/acme/teams/cab/members"


def client(github: FakeGitHub, **kwargs: float) -> GitHubClient:
    return GitHubClient(github.url, "t0ken", **kwargs)  # type: ignore[arg-type]


def test_every_page_is_read_through_link_headers(github: FakeGitHub) -> None:
    github.page_size = 2
    github.routes[MEMBERS] = [user(f"u{i}") for i in range(5)]
    items = client(github).get_list(MEMBERS, "members")
    assert [u["login"] for u in items] == ["u0", "u1", "u2", "u3", "u4"]
    assert len(github.requests) == 3
    path, headers = github.requests[0]
    assert path == MEMBERS + "?per_page=100"
    assert headers["authorization"] == "Bearer t0ken"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"


def test_a_next_page_on_another_origin_is_refused(github: FakeGitHub) -> None:
    github.page_size, github.next_origin = 1, "http://127.0.0.2:1"
    github.routes[MEMBERS] = [user("a"), user("b")]
    with pytest.raises(GitHubError, match="points outside"):
        client(github).get_list(MEMBERS, "members")
    assert len(github.requests) == 1  # the token never went elsewhere


@pytest.mark.parametrize(("api", "target", "same"), [
    ("https://ghe.example.com:443/api/v3", "https://ghe.example.com/api/v3/x?page=2", True),
    ("https://ghe.example.com/api/v3", "https://GHE.example.com:443/api/v3/x?page=2", True),
    ("http://127.0.0.1:80", "http://127.0.0.1/x?page=2", True),
    ("https://ghe.example.com/api/v3", "https://ghe.example.com:8443/api/v3/x?page=2", False),
    ("https://ghe.example.com:443/api/v3", "http://ghe.example.com:80/api/v3/x", False),
    ("https://ghe.example.com/api/v3", "https://ghe.example.com.evil/api/v3/x", False),
], ids=["API names :443", "next names :443", "http :80", "another port", "plain http",
        "another host"])
def test_a_default_port_is_the_same_origin(api: str, target: str, same: bool) -> None:
    """An Enterprise Server URL written with its default port reads past page one (it
    was refused as "points outside"); another port, scheme or host still is refused."""
    link = f'<{target}>; rel="next"'
    api_client = GitHubClient(api, "t0ken")
    if same:
        assert api_client._next(link, "reviews") == target
    else:
        with pytest.raises(GitHubError, match="points outside"):
            api_client._next(link, "reviews")


@pytest.mark.parametrize("target", [
    "{origin}/orgs/acme/teams/cab/members?page=\xe9",  # same origin, no ASCII request line
    "http://[127.0.0.1/members",  # a bracketed host that is no IPv6 address
    "http://[::1]x/members",
], ids=["non-ASCII path", "unclosed IPv6 host", "junk after IPv6 host"])
def test_a_next_link_that_is_no_url_is_an_error_not_a_crash(github: FakeGitHub,
                                                            target: str) -> None:
    """The Link header is the server's text: a next page the client could not ask for
    (urlsplit's ValueError, http.client's UnicodeEncodeError) is exit 2, not exit 3."""
    link = f'<{target.format(origin=github.url)}>; rel="next"'.encode("latin-1")
    github.routes[MEMBERS] = Raw(HEADERS_200 + b"Content-Length: 2\r\nLink: " + link
                                 + b"\r\n\r\n[]")
    with pytest.raises(GitHubError, match="next page of members"):
        client(github).get_list(MEMBERS, "members")
    assert len(github.requests) == 1  # nothing more was asked, of anyone


def test_picked_items_hold_one_page_decoded_not_every_page(github: FakeGitHub) -> None:
    """A hostile server's pages of `{}` decode to about 25 times their bytes; with `keep`
    each page goes once its items are picked, so three pages take the memory of one."""
    import tracemalloc

    body = b"[" + b"{}," * 99_999 + b"{}]"
    for n in range(3):
        link = f'Link: <{github.url}/p{n + 1}>; rel="next"\r\n'.encode() if n < 2 else b""
        github.routes[f"/p{n}"] = Raw(HEADERS_200 + b"Content-Length: %d\r\n" % len(body)
                                      + link + b"\r\n" + body)

    def peak(**keep: Any) -> int:
        tracemalloc.start()
        try:
            assert len(client(github).get_list("/p0", "members", **keep)) == 300_000
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak(keep=lambda item: None) < peak() / 2


def test_pages_are_bounded(github: FakeGitHub) -> None:
    github.page_size = 1
    github.routes[MEMBERS] = [user(f"u{i}") for i in range(10)]
    with pytest.raises(GitHubError, match="more than 3 pages"):
        GitHubClient(github.url, "t", max_pages=3).get_list(MEMBERS, "members")


def test_responses_are_bounded(github: FakeGitHub) -> None:
    github.routes[MEMBERS] = [user(f"user-{i}") for i in range(200)]
    with pytest.raises(GitHubError, match="larger than"):
        GitHubClient(github.url, "t", max_bytes=1024).get_list(MEMBERS, "members")


def test_all_responses_of_a_run_are_bounded_together(github: FakeGitHub) -> None:
    """Each page under the per-answer bound, but together over the client's budget: a
    hostile server sending 50 full pages must not fill the runner's memory."""
    github.page_size = 20
    github.routes[MEMBERS] = [user(f"user-{i}") for i in range(200)]
    small = GitHubClient(github.url, "t", max_bytes=4096, max_total_bytes=10_000)
    with pytest.raises(GitHubError, match="add up to more than"):
        small.get_list(MEMBERS, "members")
    assert 1 < len(github.requests) < 10  # it stopped part-way, not at the page limit
    whole = GitHubClient(github.url, "t", max_bytes=4096)
    assert len(whole.get_list(MEMBERS, "members")) == 200


def test_the_bound_spans_every_list_one_client_reads(github: FakeGitHub) -> None:
    """The budget is the run's, not a list's: `check --require-approvals` reads the reviews,
    the commits and each team's members through one client, and a server answering each
    under the bound still stops once they add up past it."""
    teams = ["/orgs/acme/teams/cab/members", "/orgs/acme/teams/ops/members"]
    for path in teams:
        github.routes[path] = [user(f"{path[-12:-8]}-{i}") for i in range(50)]
    one_list = len(json.dumps(github.routes[teams[0]]).encode())
    shared = GitHubClient(github.url, "t", max_total_bytes=one_list + one_list // 2)
    assert len(shared.get_list(teams[0], "cab members")) == 50  # alone it fits
    with pytest.raises(GitHubError, match="answers up to ops members add up to more than"):
        shared.get_list(teams[1], "ops members")
    assert len(GitHubClient(github.url, "t", max_total_bytes=one_list + one_list // 2)
               .get_list(teams[1], "ops members")) == 50  # a fresh run reads it


def test_a_slow_server_times_out(github: FakeGitHub) -> None:
    github.routes[MEMBERS] = []
    github.delay = 0.6
    with pytest.raises(GitHubError, match="cannot reach the GitHub API"):
        GitHubClient(github.url, "t", timeout=0.2).get_list(MEMBERS, "members")


def test_redirects_are_not_followed(github: FakeGitHub) -> None:
    github.routes[MEMBERS] = Error(302, {"Location": "http://127.0.0.2:1/steal"}, {})
    with pytest.raises(GitHubError, match="answered 302"):
        client(github).get_list(MEMBERS, "members")


@pytest.mark.parametrize(("status", "headers", "expected"), [
    (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1795435200"},
     r"rate limit .*resets at \d\d:\d\d UTC"),
    (429, {"retry-after": "60"}, r"rate limit .*retry after 60 s"),
    (401, {}, r"refused the token .*check GITHUB_TOKEN"),
    (403, {}, r"refused the members .*Members: read"),
    (500, {}, r"answered 500"),
])
def test_refusals_say_what_to_do(github: FakeGitHub, status: int, headers: dict[str, str],
                                 expected: str) -> None:
    github.routes[MEMBERS] = Error(status, headers, {"message": "nope\nnope",
                                                     "documentation_url": "https://docs"})
    with pytest.raises(GitHubError) as error:
        client(github).get_list(MEMBERS, "the members", forbidden_hint="needs Members: read")
    text = f"{error.value.message} {error.value.hint}"
    assert re.search(expected, text), text
    assert error.value.exit_code == 2 and "\n" not in text


@pytest.mark.parametrize("body", [b"<html>", b"[" * 100_000 + b"]" * 100_000],
                         ids=["not JSON", "nested too deeply"])
def test_invalid_json_is_an_error(github: FakeGitHub, body: bytes) -> None:
    github.routes[MEMBERS] = Error(200, {}, body)
    with pytest.raises(GitHubError, match="invalid JSON"):
        client(github).get_list(MEMBERS, "members")


def test_the_latest_decisive_review_on_the_head_commit_counts() -> None:
    reviews = [
        review("ana", "APPROVED", HEAD), review("ana", "COMMENTED", HEAD),  # still approved
        review("bo", "APPROVED", HEAD), review("bo", "CHANGES_REQUESTED", HEAD),
        review("cy", "APPROVED", OLD),  # approved an older commit: a push needs a fresh one
        review("di", "CHANGES_REQUESTED", HEAD), review("di", "APPROVED", HEAD),
        review("ed", "APPROVED", HEAD), review("ed", "DISMISSED", HEAD),
        review("Fay", "APPROVED", HEAD), {"user": None, "state": "APPROVED"}, "junk",
    ]
    assert sorted(approving_logins(reviews, HEAD).values()) == ["Fay", "ana", "di"]


def test_what_is_kept_of_reviews_and_commits_is_judged_as_the_whole_items() -> None:
    """review_fields and commit_fields keep strings and drop the rest: items whose fields
    are of the wrong types give the verdicts the full items give."""
    from itsmctl.github.approvals import objecting_logins, review_fields
    from itsmctl.github.authorship import authorship, commit_fields

    reviews: list[Any] = [
        review("ana", "APPROVED", HEAD), {**review("bo", "APPROVED", HEAD), "commit_id": 7},
        {**review("cy", "CHANGES_REQUESTED", OLD), "state": ["APPROVED"]},
        {**review("di", "CHANGES_REQUESTED", OLD)}, {"user": {"login": ["ed"]}}, "junk", None]
    kept = [review_fields(r) for r in reviews]
    assert approving_logins(kept, HEAD) == approving_logins(reviews, HEAD) == {"ana": "ana"}
    assert objecting_logins(kept) == objecting_logins(reviews) == {"di": "di"}
    commits: list[Any] = [
        commit(HEAD, author="fay", committer="gil", message="x\nCo-authored-by: H <h@x.io>"),
        {**commit(OLD, author="ivy"), "commit": "not an object"},
        {**commit(OLD), "author": {"login": 5}, "sha": 9}, [HEAD], None]
    kept = [commit_fields(c) for c in commits]
    assert len(kept) == len(commits)
    assert authorship("zed", kept, ()) == authorship("zed", commits, ())
    assert sorted(authorship("zed", kept, ()).reasons) == ["fay", "gil", "ivy", "zed"]


HEADERS_200 = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize("data", [
    b"HELLO\r\n\r\n",
    HEADERS_200 + b"Transfer-Encoding: chunked\r\n\r\n10\r\n[1,2",
    HEADERS_200 + b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"\r\n[]",
    b"HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{",
], ids=["no HTTP status line", "body broken off", "too many headers", "error body broken off"])
def test_a_broken_answer_is_an_error_not_a_crash(github: FakeGitHub, data: bytes) -> None:
    github.routes[MEMBERS] = Raw(data)
    with pytest.raises(GitHubError) as error:
        client(github).get_list(MEMBERS, "the members")
    assert "the members" in error.value.message and "t0ken" not in str(error.value)


@pytest.mark.parametrize("headers", [
    {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "9" * 30},
    {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "-5"},
    {"retry-after": "9" * 5000},
], ids=["reset past any date", "negative reset", "retry-after of 5,000 digits"])
def test_rate_limit_headers_out_of_range_still_say_rate_limit(github: FakeGitHub,
                                                              headers: dict[str, str]) -> None:
    github.routes[MEMBERS] = Error(403, headers, {"message": "API rate limit exceeded"})
    with pytest.raises(GitHubError) as error:
        client(github).get_list(MEMBERS, "the members")
    assert "rate limit" in error.value.message
    assert "re-run the job" in error.value.hint and len(error.value.hint) < 200


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_rate_limit_without_headers_is_a_rate_limit(github: FakeGitHub,
                                                                status: int) -> None:
    """GitHub: a secondary rate limit is a 403 or 429 with a message saying so, headers
    optional; it is no missing permission, whatever the endpoint's hint says."""
    github.routes[MEMBERS] = Error(status, {}, {"message": "You have exceeded a secondary rate"
                                                " limit. Please wait a few minutes."})
    with pytest.raises(GitHubError) as error:
        client(github).get_list(MEMBERS, "the members", forbidden_hint="needs Members: read")
    assert error.value.message.startswith("GitHub's rate limit stopped reading the members")
    assert error.value.hint == "wait for the rate limit to reset, then re-run the job"


def test_an_error_body_nested_too_deeply_is_an_error_not_a_crash(github: FakeGitHub) -> None:
    github.routes[MEMBERS] = Error(500, {}, b"[" * 30_000 + b"]" * 30_000)
    with pytest.raises(GitHubError, match=r"answered 500 reading the members$"):
        client(github).get_list(MEMBERS, "the members")


def test_a_server_dripping_bytes_is_stopped_at_the_deadline(github: FakeGitHub) -> None:
    """One byte every 50 ms never trips the 1 s read timeout; the deadline stops it."""
    github.routes[MEMBERS] = Raw(HEADERS_200 + b"Content-Length: 2\r\n\r\n[]", drip=0.05)
    started = time.monotonic()
    with pytest.raises(GitHubError) as error:
        GitHubClient(github.url, "t", timeout=1, deadline=0.5).get_list(MEMBERS, "members")
    assert time.monotonic() - started < 1.5
    assert error.value.message == ("GitHub took more than 0.5 s in all to answer; stopped"
                                   " reading members")


def test_the_deadline_spans_every_page(github: FakeGitHub) -> None:
    github.page_size, github.delay = 1, 0.2
    github.routes[MEMBERS] = [user(f"u{i}") for i in range(20)]
    with pytest.raises(GitHubError, match="in all to answer"):
        GitHubClient(github.url, "t", timeout=1, deadline=0.7).get_list(MEMBERS, "members")
    assert len(github.requests) <= 5


@pytest.mark.parametrize("status", [401, 403, 500])
def test_a_server_echoing_the_token_never_gets_it_into_the_error(github: FakeGitHub,
                                                                 status: int) -> None:
    github.routes[MEMBERS] = Error(status, {}, {"message": "Bad credentials: Bearer t0ken"})
    with pytest.raises(GitHubError) as error:
        client(github).get_list(MEMBERS, "the members", forbidden_hint="Members: read")
    text = f"{error.value.message} {error.value.hint}"
    assert "t0ken" not in text and "Bad credentials: Bearer ***" in text


def test_logins_that_are_no_github_logins_are_left_out() -> None:
    reviews = [review("ana", "APPROVED", HEAD), review("ana\n::error::x", "APPROVED", HEAD),
               review("x[bot]", "APPROVED", HEAD)]
    assert list(approving_logins(reviews, HEAD).values()) == ["ana"]
