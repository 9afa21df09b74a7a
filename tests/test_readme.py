"""Every command in the README, executed exactly as written, from a copy of the repository root.

The README is what a shopper (or a new contributor) types first, so it must
not drift: the shell blocks, the Python block and every command in backticks
(``casebook …``, ``.venv/bin/…``, ``make …``) run here as written, relative
paths included, in the order they appear. ``~`` is a temporary home folder.
A usage line with placeholders (``ORDERS.csv``, ``DIR``, ``[--workers 2]``)
is a synopsis, not a command, and is left out; so are the few commands that
cannot run inside the test suite, each with its reason below.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
PREFIXES = ("casebook ", ".venv/bin/", "make ", "mkdir ")
# commands that cannot run inside the suite, and why (each is covered elsewhere)
NOT_HERE = {
    "make test": "it is this test suite",
    "make app": "a server that runs until stopped; tests/browser starts the same Voila app",
    ".venv/bin/jupyter lab notebooks/": "a server that runs until stopped; tests/browser starts JupyterLab",
    "make bench": "installs the benchmark extra from the package index and runs for minutes (python -m benchmarks)",
    "make screenshots": "runs the browser tests (tests/browser)",
}
# documented non-zero exits
EXIT = {'.venv/bin/casebook track-number "ra 1234 5678 9 cn"': 1,  # the typo the README shows on purpose
        "casebook batch examples/batch/orders.csv --output out/": 1}  # the example's 8 bad rows
PLACEHOLDER = re.compile(r"\b(?:ID|EID|DIR|PATH|FILE|ZONE|ORDERS\.csv|HOST)\b|\[|…|\.\.\.|\|")


def commands(text: str) -> list[tuple[str, str]]:
    """(kind, command) in README order: shell lines ("sh"), Python blocks ("py")."""
    found: list[tuple[int, str, str]] = []
    for block in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        lang, body = block.group(1), block.group(2)
        if lang == "python":
            found.append((block.start(), "py", body))
        elif lang == "":
            joined = body.replace("\\\n", " ")
            for line in joined.splitlines():
                line = " ".join(line.split())
                if line.startswith(PREFIXES):
                    found.append((block.start(), "sh", line))
    fenced = [(m.start(), m.end()) for m in re.finditer(r"^```.*?^```", text, re.S | re.M)]
    for span in re.finditer(r"`([^`\n]+)`", text):
        if any(a <= span.start() < b for a, b in fenced):
            continue
        command = span.group(1).replace("\\|", "|")
        if command.startswith(PREFIXES) and not PLACEHOLDER.search(command):
            found.append((span.start(), "sh", command))
    ordered = [(kind, command) for _, kind, command in sorted(found, key=lambda item: item[0])]
    return list(dict.fromkeys(ordered))  # a command named again in the prose runs once


def test_the_readme_lists_the_commands_this_test_runs():
    listed = commands(README.read_text(encoding="utf-8"))
    shell = [c for kind, c in listed if kind == "sh"]
    assert len(shell) >= 25 and any(kind == "py" for kind, _ in listed)
    for expected in ("make demo", "casebook -C ~/casebook new --from examples/order.yaml", "mkdir -p out",
                     "casebook -C ~/casebook track --undo seed-a", "casebook -C ~/casebook evidence remove seed-b E02"):
        assert expected in shell, expected
    assert not [c for c in shell if "order.yaml" in c and "examples/order.yaml" not in c]


def _copy_of_the_repository(target: Path) -> Path:
    """The files a clone has (tracked, plus new ones not ignored), with their times; .venv linked, not copied."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(Path(sys.prefix))
    stamp = Path(sys.prefix) / ".installed"
    if stamp.exists():  # never let make reinstall the shared environment from the copy
        past = stamp.stat().st_mtime - 60
        os.utime(target / "pyproject.toml", (past, past))
    return target


@pytest.mark.slow
def test_every_readme_command_runs_as_written_from_a_copy_of_the_repository(tmp_path):
    if not (Path(sys.prefix) / "bin" / "casebook").exists():
        pytest.skip("casebook is not installed in this Python's environment (run make test)")
    repo = _copy_of_the_repository(tmp_path / "repo")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEBOOK_", "SEVENTEENTRACK_", "UNIPASS_"))}
    env.update(HOME=str(home), PATH=f"{repo / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    ran, skipped = [], []
    for kind, command in commands(README.read_text(encoding="utf-8")):
        if command in NOT_HERE:
            skipped.append(command)
            continue
        if kind == "py":
            result = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-c", command], cwd=repo, env=env,
                                    capture_output=True, text=True, timeout=300)
        else:
            result = subprocess.run(["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True,
                                    timeout=900)
        shown = command if kind == "sh" else "the Python block"
        assert result.returncode == EXIT.get(command, 0), f"{shown}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr, f"{shown}\n{result.stderr[-2000:]}"
        if command == "make demo":  # a clean run prints nothing on stderr but make's own lines
            assert "without encryption" not in result.stderr and "KeyboardInterrupt" not in result.stderr
            # the cases, the tracking and the readiness in the shopper's words (Korean by default), no internal keys
            assert "파손 상품 도착" in result.stdout and "환불 완료" in result.stdout and "분쟁 자료(zip):" in result.stdout
            for key in ("refund_paid", "damaged", "not_as_described", "settled", "Delivered", "ready: True"):
                assert key not in result.stdout, key
        ran.append(command)
    assert set(skipped) <= set(NOT_HERE) and len(ran) >= 25
    book = home / "casebook"
    assert (book / "seed-a" / "case.json").exists() and (repo / "out" / "01.json").exists()
    assert (repo / "deadlines.ics").exists() and (repo / "out" / "summary.csv").exists()
    assert list((book / ".trash").glob("seed-a-tracking-*")) and list((book / ".trash").glob("seed-b-evidence-E02-*"))
