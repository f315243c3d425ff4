"""What a bug report needs, in one line: the versions of itsmctl, Python, the platform, git and
the libraries whose behaviour the output depends on (pre-commit's crash log records the same).

Every lookup is guarded: the crash handler that calls this must never crash itself.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
from collections.abc import Callable
from importlib import metadata

from itsmctl import __version__

# distribution name -> the name a report shows
_LIBRARIES = (("jsonschema", "jsonschema"), ("click", "click"), ("GitPython", "gitpython"))


def environment() -> str:
    """`itsmctl 0.1.0, Python 3.11.2, Linux-6.1-x86_64, pyyaml 6.0.1 (libyaml 0.2.5), ...`."""
    parts = [f"itsmctl {__version__}", f"Python {platform.python_version()}",
             _guarded(lambda: platform.platform(terse=True)), _pyyaml()]
    parts += [f"{shown} {_version(dist)}" for dist, shown in _LIBRARIES]
    parts.append(f"git {_git()}")
    return ", ".join(parts)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except Exception:  # not installed, or broken metadata: say so and go on
        return "?"


def _pyyaml() -> str:
    def libyaml() -> str:
        import yaml

        if not getattr(yaml, "__with_libyaml__", False):
            return "without libyaml"
        from yaml import _yaml

        return f"libyaml {_yaml.get_version_string()}"

    return f"pyyaml {_version('PyYAML')} ({_guarded(libyaml)})"


def _git() -> str:
    def version() -> str:
        found = shutil.which("git")
        if found is None:
            return "not found"
        done = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=5,
                              check=False)
        return done.stdout.strip().removeprefix("git version ") or "?"

    return _guarded(version)


def _guarded(look: Callable[[], str]) -> str:
    try:
        return " ".join(look().split())[:80]
    except Exception:  # a lookup that fails leaves a question mark, never a second crash
        return "?"
