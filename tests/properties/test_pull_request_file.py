"""Any JSON at all given as --pull-requests is read or refused with a usage error, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsmctl.errors import ItsmctlError
from itsmctl.site.pullrequests import read_pull_requests

SHA = st.text("0123456789abcdef", min_size=40, max_size=40)
LOGIN = st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True), st.text())
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), SHA)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)
PERSON = st.one_of(JSON, st.fixed_dictionaries({"login": LOGIN}))
REVIEW = st.one_of(JSON, st.fixed_dictionaries({
    "author": PERSON, "state": st.one_of(st.sampled_from(["APPROVED", "COMMENTED"]), JSON),
    "submittedAt": JSON, "commit": st.one_of(JSON, st.fixed_dictionaries({"oid": SHA}))}))
PULL = st.one_of(JSON, st.fixed_dictionaries({
    "number": st.one_of(st.integers(), JSON), "title": JSON, "url": JSON, "author": PERSON,
    "mergedBy": PERSON, "mergedAt": JSON,
    "mergeCommit": st.one_of(JSON, st.fixed_dictionaries({"oid": SHA})),
    "reviews": st.one_of(JSON, st.lists(REVIEW, max_size=3))}))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.one_of(JSON, st.lists(PULL, max_size=4)))
def test_any_json_is_read_or_refused_as_a_usage_error(document: object) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prs.json"
        path.write_text(json.dumps(document))
        try:
            records = read_pull_requests(path)
        except ItsmctlError as error:
            assert str(path) in error.message
            return
    for record in records:
        assert record.number > 0
        assert record.url is None or record.url.startswith("https://")
        assert all(len(r.commit) in (0, 40) for r in record.reviews)
        assert len(record.title) <= 500
