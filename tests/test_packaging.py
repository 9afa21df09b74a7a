"""The project's own files agree with each other (no conda needed)."""

from __future__ import annotations

import re
import tomllib

import yaml

import casebook
from tests.conftest import ROOT


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_agrees_with_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    assert python.removeprefix("python") == pyproject()["project"]["requires-python"]
    assert "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    (editable,) = pip_section
    extras = re.fullmatch(r'-e "?\.\[([a-z,]+)\]"?', editable).group(1).split(",")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    make_extras = re.search(r"^EXTRAS \?= (\S+)$", makefile, re.M).group(1).split(",")
    assert extras == make_extras, "environment.yml and `make test` must install the same extras"
    assert set(extras) <= set(pyproject()["project"]["optional-dependencies"])
    conda_names = {d.split(">")[0].split("=")[0] for d in deps if isinstance(d, str)} - {"python", "pip"}
    assert conda_names == set(), "all real dependencies belong in pyproject.toml"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_public_api_is_declared_once_and_sorted():
    exported = [name for name in vars(casebook) if not name.startswith("_") and name[0].isupper()]
    assert casebook.__all__ == sorted(casebook.__all__, key=str.casefold)
    assert set(exported) <= set(casebook.__all__)


def test_version_matches_the_package_metadata():
    from importlib.metadata import version

    assert casebook.__version__ == version("casebook") == pyproject()["project"]["version"]
