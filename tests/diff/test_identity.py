"""List items match by identity, never by position; renames and file moves are recognised."""

from __future__ import annotations

from tests.diff.conftest import GitRepo, change, classes

SLA = "slas/payments-api-sla.yaml"


def reorder(repo: GitRepo, rel: str, first: str, second: str) -> None:
    """Swap two lines of a file."""
    text = repo.file(rel).read_text()
    assert first in text and second in text
    repo.write(rel, text.replace(first, "\0").replace(second, first).replace("\0", second))


def test_reordered_lists_are_no_change(repo: GitRepo) -> None:
    reorder(repo, SLA, "{priority: P1, response: 15m, resolution: 4h}",
            "{priority: P3, response: 4h, resolution: 3d}")
    reorder(repo, SLA, "{below: 99.95, credit: 5}", "{below: 99.0, credit: 15}")
    reorder(repo, "services/payments-api.yaml",
            "{service: ledger-db, type: hard, description: Payment ledger}",
            "{service: fraud-cache, type: soft, description: Fraud scores}")
    repo.edit("services/payments-api.yaml", "[standard-change, normal-change]",
              "[normal-change, standard-change]")
    reorder(repo, "teams.yaml", "{name: Jane Doe, email: jane@example.com, role: lead}",
            "{name: Raj Patel, email: raj@example.com, role: engineer}")
    reorder(repo, "calendar.yaml", "{date: 2026-12-25, name: Christmas Day}",
            "{date: 2027-01-01, name: New Year's Day}")
    text = repo.file("raci.yaml").read_text()
    first = text.index("    - name: restore-service")
    second = text.index("    - name: change-service")
    end = text.index("---")
    repo.write("raci.yaml", text[:first] + text[second:end] + text[first:second] + text[end:])
    repo.commit()
    result = repo.diff("main", "feature")
    assert result.changes == ()
    assert len(result.files_changed) == 5


def test_item_change_is_named_by_identity(repo: GitRepo) -> None:
    reorder(repo, SLA, "{priority: P1, response: 15m, resolution: 4h}",
            "{priority: P3, response: 4h, resolution: 3d}")
    repo.edit(SLA, "{priority: P1, response: 15m, resolution: 4h}",
              "{priority: P1, response: 15m, resolution: 6h}")
    repo.edit("teams.yaml", "{name: Raj Patel, email: raj@example.com, role: engineer}",
              "{name: Raj Patel, email: raj@example.com, role: lead}")
    repo.commit()
    result = repo.diff("main", "feature")
    assert [(f.path, f.before, f.after) for f in change(result, "SLA:payments-api-sla").fields] \
        == [("spec.targets[P1].resolution", "4h", "6h")]
    assert [f.path for f in change(result, "Team:payments").fields] \
        == ["spec.members[raj@example.com].role"]


def test_ordered_workflow_states_show_a_reorder(repo: GitRepo) -> None:
    repo.edit("change-models.yaml", "[draft, assess, authorize, schedule,",
              "[draft, authorize, assess, schedule,")
    repo.commit()
    fields = change(repo.diff("main", "feature"), "ChangeModel:normal-change").fields
    assert [(f.path, f.op) for f in fields] == [("spec.states", "reordered")]


def test_rename_with_references_updated(repo: GitRepo) -> None:
    for rel in ("services/fraud-cache.yaml", "services/payments-api.yaml",
                "slas/fraud-cache-sla.yaml"):
        text = repo.file(rel).read_text()
        repo.write(rel, text.replace("fraud-cache", "fraud-scores").replace(
            "fraud-scores-sla", "fraud-cache-sla"))
    repo.git("mv", "services/fraud-cache.yaml", "services/fraud-scores.yaml")
    repo.commit()
    result = repo.diff("main", "feature")
    renamed = change(result, "Service:fraud-scores")
    assert (renamed.status, renamed.renamed_from) == ("renamed", "fraud-cache")
    found = classes(result, "Service:fraud-scores")
    assert found["entity-renamed"] == "renamed from fraud-cache"
    assert "entity-removed-referenced" not in found  # every reference follows the new name
    assert "Service:fraud-cache" not in [c.ref for c in result.changes]
    assert result.new_findings == ()


def test_rename_left_dangling_is_breaking(repo: GitRepo) -> None:
    text = repo.file("services/fraud-cache.yaml").read_text()
    repo.write("services/fraud-cache.yaml", text.replace("name: fraud-cache", "name: fraud-scores"))
    repo.commit()
    result = repo.diff("main", "feature")
    found = classes(result, "Service:fraud-scores")
    assert "entity-renamed" in found
    assert "still referenced by SLA:fraud-cache-sla (service), Service:payments-api" \
        in found["entity-removed-referenced"]
    assert {f.rule for f in result.new_findings} == {"ref-unresolved"}


def test_moved_file_is_no_change(repo: GitRepo) -> None:
    repo.git("mv", "services/ledger-db.yaml", "ledger.yaml")
    repo.commit()
    result = repo.diff("main", "feature")
    assert result.changes == ()
    assert result.files_changed == ("ledger.yaml", "services/ledger-db.yaml")
