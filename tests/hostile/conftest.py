"""On a failure, hypothesis imports libcst (when installed) to suggest a patch; some libcst
versions warn while importing, which "warnings are errors" turns into an INTERNALERROR that
hides the failing example (as in tests/properties). Import it once here, quietly."""

from __future__ import annotations

import contextlib
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):
        import libcst  # noqa: F401
