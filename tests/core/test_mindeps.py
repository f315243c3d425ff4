""".ci/mindeps.py: pyproject's lower bounds become the pins the `mindeps` CI job installs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "mindeps.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mindeps", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mindeps = _load()


@pytest.mark.parametrize(("requirement", "pin"), [
    ("jsonschema>=4.18", "jsonschema==4.18"),
    ("click >= 8.2, <9", "click==8.2"),
    ("tzdata", None),
    ("pytest<9", None),
    ("Jinja2~=3.1", "Jinja2==3.1"),
    ("gitpython==3.1.41", "gitpython==3.1.41"),
    ("gitpython==3.1.*", None),
    ("uvloop[extra]>=0.19 ; sys_platform != 'win32'", "uvloop==0.19 ; sys_platform != 'win32'"),
])
def test_lowest_allowed_version(requirement: str, pin: str | None) -> None:
    assert mindeps.lowest(requirement) == pin


def test_what_it_cannot_pin_it_refuses_rather_than_guesses() -> None:
    with pytest.raises(ValueError, match="names no lowest version"):
        mindeps.lowest("click>8.1")
    with pytest.raises(ValueError, match="cannot read"):
        mindeps.lowest("regex>=2022.1.18 # a comment")


def test_every_bounded_dependency_of_the_project_is_pinned_to_its_bound() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = dict(line.split("==") for line in mindeps.constraints(ROOT / "pyproject.toml", []))
    for requirement in project["dependencies"]:
        name = requirement.split(">=")[0].split("[")[0].strip()
        if ">=" in requirement:
            assert pins.pop(name) == requirement.split(">=")[1].split(",")[0].strip()
    assert pins == {}, "only [project] dependencies are pinned by default"


def test_an_extra_adds_its_group(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["b>=2", "tzdata"]\n'
                         '[project.optional-dependencies]\ntest = ["A>=1.0"]\n', encoding="utf-8")
    assert mindeps.constraints(pyproject, []) == ["b==2"]
    assert mindeps.constraints(pyproject, ["test"]) == ["A==1.0", "b==2"]
    with pytest.raises(ValueError, match="no optional dependency group 'docs'"):
        mindeps.constraints(pyproject, ["docs"])


def test_the_script_prints_constraints_and_fails_plainly(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("jsonschema==") for line in done.stdout.splitlines())
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["a>1"]\n')
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "pyproject.toml")],
                          capture_output=True, text=True, check=False, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("mindeps: 'a>1': `>` names no lowest version")
