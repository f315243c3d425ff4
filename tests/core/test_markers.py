"""The marker check of tests/conftest.py: a test that drives Chromium is marked browser and slow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from tests.conftest import unmarked_browser_tests


@dataclass
class FakeItem:
    nodeid: str
    fixturenames: list[str]
    markers: set[str] = field(default_factory=set)

    def get_closest_marker(self, name: str) -> str | None:
        return name if name in self.markers else None


def check(*items: FakeItem) -> list[str]:
    return unmarked_browser_tests(cast(list[pytest.Item], list[Any](items)))


def test_a_browser_test_needs_both_markers() -> None:
    assert check(FakeItem("a", ["page"], {"browser", "slow"}),
                 FakeItem("b", ["browser", "tmp_path"], {"browser"}),
                 FakeItem("c", ["page"], {"slow"})) == ["b", "c"]


def test_other_tests_need_no_marker() -> None:
    assert check(FakeItem("d", ["tmp_path", "monkeypatch"])) == []

