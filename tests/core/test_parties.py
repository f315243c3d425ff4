"""The one party resolver, and the roles mapping it reads from the config."""

from __future__ import annotations

import pytest

from itsmctl.config import parse_config
from itsmctl.errors import ConfigError
from itsmctl.parties import Parties, resolve_party

TEAMS = {"platform", "payments", "change-advisory-board"}
ROLES = {
    "change-manager": ("team:platform", "jane.doe"),
    "cab-chair": ("role:change-manager", "user:robin", "@sam-ops"),
    "loop-a": ("role:loop-b",),
    "loop-b": ("role:loop-a", "payments"),
    "owner-deputy": ("role:service-owner",),
}


@pytest.mark.parametrize(("party", "teams", "people"), [
    ("team:payments", ("payments",), ()),
    ("Team:payments", ("payments",), ()),
    ("payments", ("payments",), ()),  # a bare name that is a Team's is that team
    ("jane.doe", (), ("jane.doe",)),  # else a person
    ("user:payments", (), ("payments",)),  # user: forces a person
    ("@sam-ops", (), ("sam-ops",)),
    ("role:change-manager", ("platform",), ("jane.doe",)),
    ("role:cab-chair", ("platform",), ("jane.doe", "robin", "sam-ops")),
])
def test_forms(party: str, teams: tuple[str, ...], people: tuple[str, ...]) -> None:
    assert resolve_party(party, ROLES, TEAMS) == Parties(teams, people)


def test_an_unmapped_role_says_so() -> None:
    parties = resolve_party("role:cab-secretary", ROLES, TEAMS)
    assert parties.empty
    assert parties.unresolved == (
        "role:cab-secretary is not mapped in the config's roles; map it in .itsmctl.yaml,"
        " e.g. roles: {cab-secretary: [team:<team>]}",)


def test_a_team_the_catalog_lacks_is_not_a_team() -> None:
    parties = resolve_party("team:ghost", ROLES, TEAMS)
    assert parties.empty and parties.unresolved == ("team:ghost is not a Team of the catalog",)


def test_a_loop_in_the_mapping_ends_and_is_reported() -> None:
    parties = resolve_party("role:loop-a", ROLES, TEAMS)
    assert parties.teams == ("payments",)
    assert parties.unresolved == (
        "the roles mapping loops or nests too deep (role:loop-a -> role:loop-b -> role:loop-a)",)


def test_service_owner_is_the_owner_team_of_the_service_in_question() -> None:
    assert resolve_party("role:service-owner", ROLES, TEAMS, "payments").teams == ("payments",)
    assert resolve_party("role:owner-deputy", ROLES, TEAMS, "platform").teams == ("platform",)
    nobody = resolve_party("role:service-owner", ROLES, TEAMS)
    assert nobody.empty and "the change concerns no service" in nobody.unresolved[0]


def test_a_mapped_service_owner_wins_over_the_built_in_meaning() -> None:
    roles = {"service-owner": ("team:change-advisory-board",)}
    assert resolve_party("role:service-owner", roles, TEAMS, "payments").teams == \
        ("change-advisory-board",)


def test_the_config_reads_the_roles_mapping() -> None:
    config = parse_config(b"roles:\n  change-manager: [team:platform, jane.doe]\n", "c.yaml")
    assert config.roles == {"change-manager": ("team:platform", "jane.doe")}


@pytest.mark.parametrize("holders", ["[]", "[team:Bad_Name]", "['user:a/b']", "['two words']",
                                     "[team:x, team:x]", "['../../etc']"])
def test_the_schema_rejects_bad_holders(holders: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(f"roles:\n  change-manager: {holders}\n".encode(), "c.yaml")
    assert error.value.location == "c.yaml:2"


def test_the_schema_rejects_a_bad_role_name() -> None:
    with pytest.raises(ConfigError):
        parse_config(b"roles:\n  Change Manager: [team:platform]\n", "c.yaml")
