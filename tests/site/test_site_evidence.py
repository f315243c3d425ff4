"""The site as audit evidence: what changed and what it meant, who approved it, who is who.

Pages are read as a reader sees them (tags dropped) from sites rendered out of real git
repositories in tmp_path.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from site_helpers import SMALL, Render, git, visible_text

from tests.conftest import EXAMPLES, Invoke


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The small catalog at v1, then a commit that lowers the API's availability."""
    root = tmp_path / "repo"
    shutil.copytree(SMALL, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial catalog")
    git(root, "tag", "v1")
    edit(root / "slas.yaml", "availability: 99.9\n", "availability: 99.5\n")
    git(root, "commit", "-q", "-am", "Lower the API availability", when="2026-02-01T09:30:00+00:00")
    return root


def test_changes_page_shows_the_diff_engines_readings(repo: Path, tmp_path: Path,
                                                      render: Render) -> None:
    from itsmctl.diff import diff_refs

    render(repo, tmp_path / "site", since="v1")
    page = (tmp_path / "site" / "changes.html").read_text()
    text = visible_text(page)
    diff = diff_refs(repo, "v1..HEAD", catalog_root=repo, fail_on=("none",))
    [change] = [c for c in diff.changes if c.ref == "SLA:api-sla"]
    # the same field change and the same governance reading as `itsmctl diff`
    assert "spec.availability: 99.9 -> 99.5" in text
    for impact in change.impacts:
        assert f"{impact.impact.label} {impact.message} ({impact.change_class})" in text
    assert "allowed downtime" in text
    # the approvals it needed, with their reasons, and which change each is for
    assert diff.approvals
    for approval in diff.approvals:
        assert approval.party in text
        for reason in approval.reasons:
            assert reason in text
    assert 'href="#change-SLA-api-sla"' in page and 'id="change-SLA-api-sla"' in page
    # who holds each approving party: service-owner is the API's owner team, dev
    assert "role:service-owner role:service-owner : Developers Accountable for" in text
    assert '<a href="slas/api-sla.html">API SLA</a>' in page


def test_changes_page_lists_findings_introduced_and_fixed(repo: Path, tmp_path: Path,
                                                          render: Render) -> None:
    edit(repo / "services.yaml", "  sla: api-sla\n", "  sla: no-such-sla\n")
    git(repo, "commit", "-q", "-am", "Point the API at a missing SLA")
    git(repo, "tag", "v2")
    edit(repo / "services.yaml", "  sla: no-such-sla\n", "  sla: api-sla\n")
    git(repo, "commit", "-q", "-am", "Fix the SLA reference")
    render(repo, tmp_path / "broke", since="v1", ref="v2")
    broke = visible_text((tmp_path / "broke" / "changes.html").read_text())
    introduced = broke.split("Findings introduced", 1)[1].split("Findings fixed", 1)[0]
    assert "no-such-sla" in introduced
    render(repo, tmp_path / "fixed", since="v2")
    fixed = visible_text((tmp_path / "fixed" / "changes.html").read_text())
    assert "no-such-sla" in fixed.split("Findings fixed", 1)[1].split("Commits", 1)[0]
    assert "Findings introduced None." in fixed


def test_a_ref_render_uses_that_refs_config_and_policies(tmp_path: Path, render: Render) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SMALL, root)
    edit(root / "slas.yaml", "availability: 99.9\n", "availability: 99.5\n")  # a credit error
    (root / ".itsmctl.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Config\nrules: {sla-credit-tiers: off}\n"
        "settings: {site: {title: Catalog at v1}}\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial catalog")
    git(root, "tag", "v1")
    (root / ".itsmctl.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Config\nsettings: {site: {title: Catalog now}}\n")
    git(root, "commit", "-q", "-am", "Judge credit tiers again")
    render(root, tmp_path / "now")
    assert "Catalog now" in (tmp_path / "now" / "index.html").read_text()
    assert "sla-credit-tiers" in (tmp_path / "now" / "findings.html").read_text()
    render(root, tmp_path / "then", ref="v1")  # the working tree's config is given; v1's wins
    assert "<title>Catalog at v1</title>" in (tmp_path / "then" / "index.html").read_text()
    assert "sla-credit-tiers" not in (tmp_path / "then" / "findings.html").read_text()


def section(text: str, start: str, end: str) -> str:
    assert start in text, start
    return text.split(start, 1)[1].split(end, 1)[0]


def test_service_pages_name_the_accountable_and_responsible_people(examples_site: Path) -> None:
    text = visible_text((examples_site / "services" / "checkout.html").read_text())
    people = section(text, "People Owner team", "RACI Checkout RACI")
    assert ("Commerce : Julia Schneider , Pieter de Vries , Camille Laurent , Mateusz Kowalski ,"
            " Nina Petrović , Felix Wagner .") in people
    # role:service-owner is the owner team of the service the RACI is scoped to
    assert "Plan, test and deploy changes role:service-owner : Commerce commerce : Commerce" \
        in people
    # a role mapped to a person (head-of-ecommerce: [julia.schneider], an e-mail's local part)
    assert "role:head-of-ecommerce : Julia Schneider" in people
    page = (examples_site / "services" / "checkout.html").read_text()
    assert '<a href="../people.html#person-julia-schneider-larkspur-example">Julia Schneider</a>' \
        in page


def test_the_people_page_says_who_is_in_which_team_and_accountable_for_what(
        examples_site: Path) -> None:
    page = (examples_site / "people.html").read_text()
    text = visible_text(page)
    thomas = section(text, "Thomas Richter E-mail", "Tomasz Nowak")
    assert "thomas.richter@larkspur.example GitHub thomas-richter" in thomas
    assert "Teams Change Advisory Board (change manager (chair))" in thomas
    assert "Roles change-manager " in thomas  # change-manager: [thomas.richter]
    assert "RACI activities where role:change-manager is Accountable: Change enablement" in thomas
    clara = section(text, "Clara Müller E-mail", "Accountable for")
    assert "incident-manager (as a member of service-desk)" in clara  # incident-manager: [team:...]
    julia = section(text, "Julia Schneider E-mail", "Katrin Vogel")
    assert "services of team commerce, which owns them: Checkout" in julia
    # a holder no team lists is a person of their own (executive-on-call: [user:larkspur-cto])
    assert "larkspur-cto Teams none: named only in the roles mapping Roles executive-on-call" \
        in text
    assert 'id="person-thomas-richter-larkspur-example"' in page
    assert 'href="people.html"' in (examples_site / "index.html").read_text()


def test_search_finds_people_emails_cost_centres_labels_and_targets(examples_site: Path) -> None:
    import json

    from itsmctl.site.search import INDEX_FILE, INDEX_PREFIX

    script = (examples_site / INDEX_FILE).read_text()
    entries = json.loads(script.removeprefix(INDEX_PREFIX).rstrip().rstrip(";"))

    def found(word: str) -> set[str]:
        word = word.lower()
        return {f"{e['kind']}:{e['title']}" for e in entries
                if word in " ".join(str(e.get(k, "")) for k in
                                    ("name", "title", "description", "kind", "terms")).lower()}

    assert "Person:Thomas Richter" in found("thomas")
    assert "Person:Thomas Richter" in found("thomas.richter@larkspur.example")
    assert "Person:Thomas Richter" in found("change-manager")  # the role he holds
    assert "Team:Change Advisory Board" in found("katrin.vogel@larkspur.example")
    assert "Service:Kubernetes Platform" in found("CC-4200")
    assert "Service:Checkout" in found("domain=commerce")
    assert any(hit.startswith("SLA:") for hit in found("99.97%"))
    assert any(hit.startswith("SLA:") for hit in found("P1 15m 4h"))
    entry = next(e for e in entries if e["title"] == "Thomas Richter")
    assert (examples_site / entry["url"].partition("#")[0]).is_file()


def pr_repo(root: Path, *, dev: str = "") -> dict[str, str]:
    """main at v1, then: PR #1 merged (a merge commit), a commit pushed straight to main, and
    PR #2 squashed; `dev`: one more member of team dev at v1. Returns the shas by name."""
    shutil.copytree(SMALL, root)
    edit(root / "teams.yaml", "role: lead}", "role: lead, github: ada-l}")
    edit(root / "teams.yaml", "alan@example.com, role: lead}", "alan@example.com, role: lead,"
         " github: alan-t}" + (f"\n    - {dev}" if dev else ""))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial catalog")
    git(root, "tag", "v1")
    git(root, "checkout", "-q", "-b", "lower-api")
    edit(root / "slas.yaml", "availability: 99.9\n", "availability: 99.5\n")
    git(root, "commit", "-q", "-am", "Lower the API availability")
    shas = {"pr1-head": git(root, "rev-parse", "HEAD")}
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge pull request #1", "lower-api")
    shas["pr1"] = git(root, "rev-parse", "HEAD")
    edit(root / "services.yaml", "title: Web Shop", "title: Web Store")
    git(root, "commit", "-q", "-am", "Rename the shop, straight on main")
    shas["direct"] = git(root, "rev-parse", "HEAD")
    edit(root / "slas.yaml", "availability: 99.95\n", "availability: 99.0\n")
    git(root, "commit", "-q", "-am", "Lower the database OLA (#2)")
    shas["pr2"] = git(root, "rev-parse", "HEAD")
    return shas


def review(login: str, state: str, at: str, commit: str | None) -> dict[str, object]:
    out: dict[str, object] = {"author": {"login": login}, "state": state, "submittedAt": at,
                              "body": "", "authorAssociation": "MEMBER"}
    if commit is not None:
        out["commit"] = {"oid": commit}
    return out


def pr(number: int, title: str, merge: str, reviews: list[dict[str, object]],
       url: str = "") -> dict[str, object]:
    return {"number": number, "title": title,
            "url": url or f"https://github.com/acme/catalog/pull/{number}",
            "author": {"login": "grace-h", "name": "Grace", "is_bot": False},
            "mergedBy": {"login": "grace-h"}, "mergedAt": "2026-02-01T10:00:00Z",
            "mergeCommit": {"oid": merge}, "reviews": reviews}


def test_pull_requests_link_changes_reviewers_and_flag_missing_approvals(
        tmp_path: Path, render: Render) -> None:
    import json

    root = tmp_path / "repo"
    shas = pr_repo(root)
    pulls = [
        pr(1, "Lower the API availability", shas["pr1"], [
            review("alan-t", "CHANGES_REQUESTED", "2026-01-30T09:00:00Z", shas["pr1-head"]),
            review("alan-t", "APPROVED", "2026-01-31T09:00:00Z", shas["pr1-head"]),
            review("ada-l", "APPROVED", "2026-01-31T10:00:00Z", shas["pr1-head"])]),
        pr(2, "Lower the database OLA <b>now</b>", shas["pr2"], [
            review("alan-t", "APPROVED", "2026-02-02T09:00:00Z", shas["pr2"])],
           url="javascript:alert(1)"),
        pr(3, "Some other repository's change", "f" * 40, []),
    ]
    (tmp_path / "prs.json").write_text(json.dumps(pulls))
    render(root, tmp_path / "site", since="v1", pull_requests=tmp_path / "prs.json")
    page = (tmp_path / "site" / "changes.html").read_text()
    text = visible_text(page)
    assert "2 of the 3 merged pull requests in prs.json reached the branch since v1" in text
    # PR 1: both required parties approved (alan-t for dev, ada-l for the CAB ops)
    one = section(text, "#1 Lower the API availability Author", "#2 ")
    assert "Reviews alan-t: changes requested" in one and "alan-t: approved" in one
    assert "Approved by ada-l, alan-t" in one
    assert "role:service-owner yes alan-t" in one and "team:ops yes ada-l" in one
    assert '<a class="url" href="https://github.com/acme/catalog/pull/1"' in page
    # PR 2 needed ops (the db's owner and CAB); only alan-t approved
    assert ("1 pull request merged without a required approval: #2 (missing team:ops)."
            in text)
    two = section(text, "#2 Lower the database OLA <b>now</b>", "Commits on the branch")
    assert "team:ops missing" in two
    assert "<b>now</b>" not in page and "javascript:" not in page  # escaped, link dropped
    # each change links to its pull request; the direct commit is flagged
    assert "API SLA modified approval-required" in text
    assert 'Pull request: <a href="#pr-1">#1</a>' in page
    web = section(text, "Web Store modified", "Approval needed")
    assert "Pull request: none" in web
    assert "1 commit reached the branch without a pull request." in text
    branch = section(text, "with their pull request Commit", "Commits Commits")
    assert f"{shas['direct'][:10]} " in branch and "Rename the shop, straight on main none" \
        in branch
    assert "Merge pull request #1 #1" in branch and "Lower the database OLA (#2) #2" in branch


@pytest.mark.parametrize(("content", "message"), [
    ("{}", "expected a JSON list of pull requests"),
    ("[1]", "pull request [0]: not a JSON object"),
    ('[{"number": "1"}]', "pull request [0]: number is missing or not a int"),
    ('[{"number": 1, "author": {"login": "a b"}}]', "author.login is not a GitHub login"),
    ('[{"number": 1, "mergeCommit": {"oid": "../../x"}}]', "mergeCommit.oid is not a 40-char"),
    ('[{"number": 1, "reviews": [{"state": "LGTM"}]}]', "reviews[0]: state 'LGTM' is not one"),
    ("[" * 100_000, "not a JSON file"),
    ('[{"number": ' + "9" * 5000 + "}]", "not a JSON file"),  # past int's 4300-digit limit
    ('[{"number": ' + "9" * 4200 + "}]", "number is larger than 2,147,483,647"),
    ('[{"number": 2147483648}]', "pull request [0]: number is larger than 2,147,483,647"),
    ('[{"number": 7, "mergedAt": "yesterday"}]',
     "pull request [0] #7: mergedAt 'yesterday' is not an ISO 8601 time with an offset"),
    ('[{"number": 7, "reviews": [{"state": "APPROVED", "submittedAt": "2026-11-23T10:00"}]}]',
     "pull request [0] #7: reviews[0]: submittedAt '2026-11-23T10:00' is not an ISO 8601"),
])
def test_a_hostile_pull_request_file_is_a_usage_error(tmp_path: Path, content: str,
                                                      message: str, invoke: Invoke) -> None:
    root = tmp_path / "repo"
    pr_repo(root)
    (tmp_path / "prs.json").write_text(content)
    result = invoke("render", str(root), "-o", str(tmp_path / "site"),
                    "--since", "v1", "--pull-requests",
                    str(tmp_path / "prs.json"))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


def test_the_latest_review_is_the_latest_instant_not_the_last_text(tmp_path: Path) -> None:
    from itsmctl.site.pullrequests import approving, read_pull_requests

    head = "a" * 40
    reviews = [review("alan-t", "APPROVED", "2026-01-31T09:00:00Z", head),  # 09:00 UTC
               review("alan-t", "CHANGES_REQUESTED", "2026-01-31T10:00:00+02:00", head),  # 08:00
               review("ada-l", "CHANGES_REQUESTED", "2026-01-31T09:30:00Z", head),
               review("ada-l", "APPROVED", "2026-01-31T11:00:00+01:00", head)]  # 10:00 UTC
    (tmp_path / "prs.json").write_text(json.dumps([pr(4, "Reorder", "b" * 40, reviews)]))
    [record] = read_pull_requests(tmp_path / "prs.json")
    assert sorted(approving(record, head)) == ["ada-l", "alan-t"]
    assert record.merged_at == "2026-02-01T10:00:00Z"  # shown as the file wrote it


def test_a_pull_request_file_is_read_within_bounds(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from itsmctl.errors import ItsmctlError
    from itsmctl.site import pullrequests

    monkeypatch.setattr(pullrequests, "MAX_BYTES", 1000)
    (tmp_path / "prs.json").write_text("[" + ",".join(["{}"] * 500) + "]")
    with pytest.raises(ItsmctlError, match="larger than"):
        pullrequests.read_pull_requests(tmp_path / "prs.json")
    with pytest.raises(ItsmctlError, match="not a regular file"):
        pullrequests.read_pull_requests(Path("/dev/zero"))


def test_a_service_history_says_what_each_commit_changed_in_it_and_its_sla(
        repo: Path, tmp_path: Path, render: Render) -> None:
    edit(repo / "services.yaml", "title: Public API", "title: Public REST API")
    git(repo, "commit", "-q", "-am", "Rename the API", when="2026-03-01T09:00:00+00:00")
    render(repo, tmp_path / "site", history=True)
    api = visible_text((tmp_path / "site" / "services" / "api.html").read_text())
    history = section(api, "History", "All fields")
    assert "the newest 10 commits" in history
    assert ("2026-03-01T09:00:00+00:00 Grace Hopper Rename the API"
            " metadata.title: Public API -> Public REST API") in history
    assert ("2026-02-01T09:30:00+00:00 Grace Hopper Lower the API availability"
            " SLA api-sla: spec.availability: 99.9 -> 99.5") in history
    assert "Initial catalog added SLA api-sla: added RACI api-raci: added" in history
    # the database shares both files, but neither commit changed it or its OLA
    db = section(visible_text((tmp_path / "site" / "services" / "db.html").read_text()),
                 "History", "All fields")
    assert "Lower the API availability" not in db and "Rename the API" not in db
    assert "Initial catalog added" in db
    sla = section(visible_text((tmp_path / "site" / "slas" / "api-sla.html").read_text()),
                  "History", "All fields")
    assert "spec.availability: 99.9 -> 99.5" in sla and "Rename the API" not in sla


def test_the_history_depth_bounds_what_is_read(repo: Path, tmp_path: Path,
                                               render: Render) -> None:
    render(repo, tmp_path / "site", history=True, history_depth=1)
    api = section(visible_text((tmp_path / "site" / "services" / "api.html").read_text()),
                  "History", "All fields")
    assert "the newest 1 commit that touched" in api
    assert "Lower the API availability" in api and "Initial catalog" not in api
    render(repo, tmp_path / "plain", history=True, history_depth=0)
    plain = section(visible_text((tmp_path / "plain" / "services" / "api.html").read_text()),
                    "History", "All fields")
    assert "Initial catalog" in plain and "spec.availability" not in plain


def test_people_text_is_escaped_and_hidden_characters_shown(tmp_path: Path,
                                                            render: Render) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(SMALL, root)
    edit(root / "teams.yaml", "{name: Ada Lovelace, email: ada@example.com, role: lead}",
         '{name: "<script>alert(1)</script>", email: "ada\\u202e@example.com", role: lead}')
    render(root, tmp_path / "site")
    for rel in ("people.html", "services/db.html"):
        page = (tmp_path / "site" / rel).read_text()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "\u202e" not in page
    index = (tmp_path / "site" / "assets" / "search-index.js").read_text()
    assert "<script>" not in index and "\u202e" not in index


def test_an_explicit_config_also_judges_a_ref(tmp_path: Path, invoke: Invoke) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SMALL, root)
    (root / ".itsmctl.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Config\nsettings: {site: {title: Committed}}\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial catalog")
    (tmp_path / "mine.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Config\nsettings: {site: {title: Given}}\n")
    for args, title in (([], "Committed"), (["--config", str(tmp_path / "mine.yaml")], "Given")):
        out = tmp_path / f"site-{title}"
        result = invoke("render", str(root), "-o", str(out), "--ref", "HEAD",
                        *args)
        assert result.exit_code == 0, result.output
        assert f"<title>{title}</title>" in (out / "index.html").read_text()


def test_a_config_given_from_elsewhere_reads_the_catalogs_policy_files(
        tmp_path: Path, invoke: Invoke) -> None:
    """`policyFiles` globs are relative to the catalog folder, for render as for validate,
    wherever --config lives (render looked beside the given file: "match no file")."""
    given = tmp_path / "mine.yaml"
    shutil.copy(EXAMPLES / ".itsmctl.yaml", given)
    assert invoke("validate", EXAMPLES, "--config", given).exit_code == 0
    result = invoke("render", EXAMPLES, "-o", tmp_path / "site", "--config", given)
    assert result.exit_code == 0, result.output
    rules = visible_text((tmp_path / "site" / "rules.html").read_text(encoding="utf-8"))
    assert "tier1-sla-availability" in rules and "policies/larkspur.yaml" in rules


def test_people_without_ascii_names_get_distinct_anchors_in_order(tmp_path: Path,
                                                                  render: Render) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(SMALL, root)
    edit(root / "teams.yaml", "    - {name: Ada Lovelace, email: ada@example.com, role: lead}\n",
         "    - {name: Ada Lovelace, email: ada@example.com, role: lead}\n"
         "    - {name: 山田}\n    - {name: 佐藤}\n    - {name: x-2}\n    - {name: 鈴木}\n"
         "    - {name: 山田}\n")
    render(root, tmp_path / "site")
    page = (tmp_path / "site" / "people.html").read_text()
    anchors = {name: page.split(f">{name}</h2>")[0].rsplit('id="', 1)[1].split('-name"')[0]
               for name in ("山田", "佐藤", "x-2", "鈴木")}
    assert anchors == {"山田": "person-x", "佐藤": "person-x-2", "x-2": "person-x-2-2",
                       "鈴木": "person-x-3"}
    db = visible_text((tmp_path / "site" / "services" / "db.html").read_text())
    owners = section(db, "People Owner team", "RACI")
    assert owners.count("山田") == 1 and owners.count("鈴木") == 1


def test_a_person_listed_twice_in_a_team_shows_it_once_and_answers_once(
        tmp_path: Path, render: Render) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(SMALL, root)
    edit(root / "teams.yaml", "    - {name: Ada Lovelace, email: ada@example.com, role: lead}\n",
         "    - {name: Ada Lovelace, email: ada@example.com, role: lead}\n"
         "    - {name: Ada Lovelace, email: ada@example.com, role: again}\n"
         "    - {name: Ada Lovelace, email: ada@example.com, role: lead}\n")
    render(root, tmp_path / "site")
    page = visible_text((tmp_path / "site" / "people.html").read_text())
    ada = section(page, "Ada Lovelace", "Alan Turing")
    assert "services of team ops, which owns them: Nightly Batch , Database " in ada
    # one entry for the team, its roles joined in the order written
    assert "Teams Operations (lead, again) Roles" in ada
    team = (tmp_path / "site" / "teams" / "ops.html").read_text()
    assert team.count('<a href="../people.html#person-ada-example-com">Ada Lovelace</a>') == 3


def test_team_pages_link_each_member_to_the_people_page(examples_site: Path) -> None:
    page = (examples_site / "teams" / "commerce.html").read_text()
    members = page.split("<caption>Members of Commerce</caption>", 1)[1].split("</table>")[0]
    assert ('<td data-label="Name"><a href="../people.html#person-julia-schneider-larkspur-'
            'example">Julia Schneider</a></td><td data-label="E-mail">julia.schneider@larkspur.'
            'example</td><td data-label="Role">lead</td>') in members
    assert '<table class="stack">\n<caption>Members of Commerce</caption>' in page  # phones
    people = (examples_site / "people.html").read_text()
    for anchor in re.findall(r'href="\.\./people\.html#([^"]+)"', members):
        assert f'id="{anchor}"' in people
    assert members.count("<tr>") == 7  # the header and six members, each linked
    assert members.count('href="../people.html#') == 6


def test_approvers_are_held_by_bases_owners_not_those_the_change_appoints(
        repo: Path, tmp_path: Path, render: Render) -> None:
    """The change also hands the API to ops: the approval check asks BASE's owner (dev),
    and so does the changes page; ops, whom the change appoints, holds nothing for it."""
    edit(repo / "services.yaml", "  owner: dev\n", "  owner: ops\n")
    git(repo, "commit", "-q", "-am", "The API moves to ops")
    render(repo, tmp_path / "site", since="v1")
    page = (tmp_path / "site" / "changes.html").read_text()
    text = visible_text(page)
    assert "Held by (at v1, as the approval check resolves it)" in text
    row = text.split("role:service-owner role:service-owner", 1)[1][:40]
    assert row.startswith(" : Developers ") and "Operations" not in row, row


def test_the_authors_own_approval_does_not_count(tmp_path: Path, render: Render) -> None:
    """alan-t (dev, the API's owner team) opens PR #1 and approves it himself: the service
    owner's approval is missing, and the page says why his review does not count."""
    import json

    root = tmp_path / "repo"
    shas = pr_repo(root)
    own = pr(1, "Lower the API availability", shas["pr1"], [
        review("alan-t", "APPROVED", "2026-01-31T09:00:00Z", shas["pr1-head"]),
        review("ada-l", "APPROVED", "2026-01-31T10:00:00Z", shas["pr1-head"])])
    own["author"] = {"login": "Alan-T"}  # logins compare without case, as on GitHub
    (tmp_path / "prs.json").write_text(json.dumps([own]))
    render(root, tmp_path / "site", since="v1", pull_requests=tmp_path / "prs.json")
    text = visible_text((tmp_path / "site" / "changes.html").read_text())
    one = section(text, "#1 Lower the API availability Author", "Commits on the branch")
    assert "alan-t: approved (2026-01-31T09:00:00Z) (the author's own review: it does not" \
        " count)" in one
    assert ("Approved by ada-l (the author Alan-T approved their own pull request: not"
            " counted; nobody approves their own change)") in one
    assert "role:service-owner missing" in one and "team:ops yes ada-l" in one
    assert "merged without a required approval: #1 (missing role:service-owner)" in text


def test_two_pull_requests_claiming_one_merge_commit_are_a_usage_error(
        tmp_path: Path, invoke: Invoke) -> None:
    import json

    root = tmp_path / "repo"
    shas = pr_repo(root)
    (tmp_path / "prs.json").write_text(json.dumps([
        pr(1, "Lower the API availability", shas["pr1"], []),
        pr(7, "Claims the same merge", shas["pr1"], [
            review("ada-l", "APPROVED", "2026-01-31T10:00:00Z", shas["pr1-head"])])]))
    result = invoke("render", str(root), "-o", str(tmp_path / "site"),
                    "--since", "v1", "--pull-requests",
                    str(tmp_path / "prs.json"))
    assert result.exit_code == 2, result.output
    assert (f"pull requests #1 and #7 both claim merge commit {shas['pr1'][:12]}: the file"
            " cannot say which one merged it") in result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


def test_a_person_holder_is_matched_among_bases_members(tmp_path: Path,
                                                        render: Render) -> None:
    """role:service-owner is `alan`, Alan Turing at v1. The change moves his e-mail and adds
    Mallory with the GitHub login alan: the page names the holder the approval check asks
    (Alan Turing, as BASE lists him), never the member the change made match."""
    root = tmp_path / "repo"
    shutil.copytree(SMALL, root)
    (root / ".itsmctl.yaml").write_text("roles:\n  service-owner: [alan]\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial catalog")
    git(root, "tag", "v1")
    edit(root / "slas.yaml", "availability: 99.9\n", "availability: 99.5\n")
    edit(root / "teams.yaml", "    - {name: Alan Turing, email: alan@example.com, role: lead}\n",
         "    - {name: Alan Turing, email: alan.t@example.com, role: lead}\n"
         "    - {name: Mallory, email: m@example.com, github: alan, role: intern}\n")
    git(root, "commit", "-q", "-am", "Lower the API availability")
    render(root, tmp_path / "site", since="v1")
    text = visible_text((tmp_path / "site" / "changes.html").read_text())
    row = text.split("role:service-owner role:service-owner", 1)[1][:60]
    assert row.startswith(" : Alan Turing ") and "Mallory" not in row, row


def test_an_ambiguous_holder_is_said_to_be_ambiguous_on_the_people_page(
        tmp_path: Path, render: Render) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SMALL, root)
    (root / ".itsmctl.yaml").write_text("roles:\n  incident-manager: [alan]\n")
    edit(root / "teams.yaml", "    - {name: Ada Lovelace, email: ada@example.com, role: lead}\n",
         "    - {name: Ada Lovelace, email: ada@example.com, role: lead}\n"
         "    - {name: Alan Two, email: alan@elsewhere.example, role: intern}\n")
    render(root, tmp_path / "site")
    text = visible_text((tmp_path / "site" / "people.html").read_text())
    assert ("alan Teams none: ambiguous, the name matches more than one member"
            " (alan@example.com, alan@elsewhere.example)") in text
    assert "alan Teams none: named only in the roles mapping" not in text


def test_changes_page_counts_every_finding_past_the_listing_bound(
        repo: Path, tmp_path: Path, render: Render) -> None:
    """Past 100 findings of a rule in a document the diff lists a counting finding; the
    changes page counts every finding it stands for, as `itsmctl diff` does."""
    from itsmctl.diff import diff_refs
    from itsmctl.findings import total

    lines = "".join(f"    l{i:03}: {'x' * 70}\n" for i in range(130))
    (repo / "many.yaml").write_text(
        "apiVersion: itsmctl.io/v1\nkind: Team\nmetadata:\n  name: many\n"
        f"  labels:\n{lines}spec:\n  email: a@example.com\n  members: []\n")
    git(repo, "add", "many.yaml")
    git(repo, "commit", "-q", "-m", "A team of many long labels")
    render(repo, tmp_path / "site", since="v1")
    text = visible_text((tmp_path / "site" / "changes.html").read_text())
    diff = diff_refs(repo, "v1..HEAD", catalog_root=repo, fail_on=("none",))
    counted = total(diff.new_findings)
    assert counted > 130 > len(diff.new_findings)  # the 130 schema errors, and the rest
    assert f"{counted} findings introduced, 0 fixed." in text
    assert "30 more schema findings in this document" in text


def test_requested_changes_left_standing_block_the_party(tmp_path: Path,
                                                         render: Render) -> None:
    """alan-t (dev) requested changes and never withdrew them; joan-c (dev too) approved
    the head: as `check --require-approvals` judges it, the service owner is blocked, so the
    merge lacked its approval."""
    import json

    root = tmp_path / "repo"
    shas = pr_repo(root, dev="{name: Joan Clarke, email: joan@example.com, github: joan-c}")
    head = shas["pr1-head"]
    (tmp_path / "prs.json").write_text(json.dumps([pr(1, "Lower the API availability",
                                                      shas["pr1"], [
        review("alan-t", "CHANGES_REQUESTED", "2026-01-30T09:00:00Z", head),
        review("joan-c", "APPROVED", "2026-01-31T09:00:00Z", head),
        review("ada-l", "APPROVED", "2026-01-31T10:00:00Z", head)])]))
    render(root, tmp_path / "site", since="v1", pull_requests=tmp_path / "prs.json")
    text = visible_text((tmp_path / "site" / "changes.html").read_text())
    one = section(text, "#1 Lower the API availability Author", "Commits on the branch")
    assert "role:service-owner missing joan-c" in one
    assert "alan-t requested changes" in one
    assert "team:ops yes ada-l" in one
    assert "merged without a required approval: #1 (missing role:service-owner)" in text
