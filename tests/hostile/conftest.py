"""On a failure, hypothesis imports libcst (when installed) to suggest a patch; some libcst
versions warn while importing, which "warnings are errors" turns into an INTERNALERROR that
hides the failing example (as in tests/properties). Import it once here, quietly.

Also the `watchdog` fixture the hang tests share, and the local GitHub server (`github`)."""

from __future__ import annotations

import contextlib
import signal
import warnings
from collections.abc import Iterator

import pytest

from tests.github.fake import github  # noqa: F401  (a fixture)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):
        import libcst  # noqa: F401


@pytest.fixture
def watchdog() -> Iterator[None]:
    """Turn a hang into a failure instead of a stuck CI job (not a timing assertion)."""
    def fail(*_: object) -> None:
        raise AssertionError("hung on a hostile input")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
