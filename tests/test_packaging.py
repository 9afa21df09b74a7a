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


VERBS = ["open_casebook", "new_case", "new_case_from_file", "log_message", "record_dispute", "parse", "suggest", "extract",
         "track", "track_numbers", "track_all", "add_evidence", "collect_evidence", "verify", "checklist", "advise",
         "deadlines", "summarise", "report", "export", "export_pack", "overview"]


def test_the_public_api_is_pinned_verbs_first():
    assert casebook.__all__[: len(VERBS)] == VERBS, "changing the public verbs is a deliberate act: update this list"
    assert len(casebook.__all__) == len(set(casebook.__all__)) == 75
    for name in casebook.__all__:
        assert getattr(casebook, name) is not None
    exported = {name for name in vars(casebook) if not name.startswith("_") and name[0].isupper()}
    assert exported <= set(casebook.__all__), exported - set(casebook.__all__)


def test_help_lists_the_verbs():
    import pydoc

    text = pydoc.render_doc(casebook, renderer=pydoc.plaintext)
    for verb in VERBS:
        assert verb in text


def test_version_matches_the_package_metadata():
    from importlib.metadata import version

    assert casebook.__version__ == version("casebook") == pyproject()["project"]["version"]


def test_nothing_in_the_repository_points_at_private_research():
    """A user's clone has no research folder beside it: only the conformance test may name it, in its skip reason."""
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    words = ["domain" + "-facts", "DOMAIN" + ".md", "tracking" + "-facts", "../" + "shared", "shared" + "/seed"]
    private = re.compile(r"\[S\d+\]|" + "|".join(re.escape(w) for w in words))
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in (".png", ".jpg", ".jpeg", ".mp4", ".mov", ".zip", ".pdf") or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if private.search(line) and not (name == "tests/test_tracking_numbers.py" and "reason=" in line):
                found.append(f"{name}:{number}: {line.strip()[:100]}")
    assert not found, found


def test_rule_sources_shown_to_shoppers_are_public():
    from casebook.rules import Rules

    rules = Rules.default()
    sources = [spec["source"] for spec in rules.deadlines.values()]
    sources += [item["source"] for item in rules.checklists["items"].values()]
    for source in sources:
        assert source and ("http" in source or "consumer guide" in source), source


def test_every_subpackage_is_listed_for_the_wheel():
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "casebook").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_every_data_folder_that_python_could_import_is_listed_so_the_build_is_quiet():
    """A shipped data folder with an importable name (``templates``, ``examples/batch`` …) that is not listed in
    ``packages`` makes setuptools print a "Package would be ignored" banner for each one on every install
    (``make demo``, ``make test``): list them, so the build says nothing."""
    config = pyproject()["tool"]["setuptools"]
    listed = set(config["packages"])
    roots = {"casebook": ROOT / "casebook"} | {name: ROOT / folder for name, folder in config["package-dir"].items()}
    expected = set()
    for name, root in roots.items():
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            parts = folder.relative_to(root).parts
            if "__pycache__" in parts or not all(part.isidentifier() for part in parts):
                continue
            if any(p.is_file() for p in folder.iterdir()):
                expected.add(".".join((name, *parts)))
    assert expected - listed == set(), f"add to [tool.setuptools] packages: {sorted(expected - listed)}"
