"""Hypothesis settings for every property test: reproducible in CI, bounded in time."""

from __future__ import annotations

import contextlib
import os
import warnings
from datetime import timedelta

from hypothesis import HealthCheck, settings

# derandomize: the same examples on every run, so a CI failure reproduces locally.
# The database is off so that no .hypothesis folder is written into the tree.
settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=30, deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
# ITSMCTL_HYPOTHESIS=explore for a longer, random search on a developer machine.
settings.register_profile(
    "explore", max_examples=500, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("ITSMCTL_HYPOTHESIS", "ci"))

# On a failure, hypothesis imports libcst (when installed) to suggest a patch; some libcst
# versions warn while importing, which "warnings are errors" turns into an INTERNALERROR that
# hides the failing example. Import it once here, quietly.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):
        import libcst  # noqa: F401
