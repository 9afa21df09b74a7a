"""The built wheel works outside the repository: notebooks and examples ship inside it.

The wheel is installed (without dependencies) into a fresh virtual environment
in a temporary folder; the test environment's site-packages is added behind it
for the dependencies, so nothing is downloaded. Every command runs with the
temporary folder as the current directory, far from the checkout.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    where = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                  "-w", str(where / "dist")], cwd=where, env=dict(os.environ))
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (where / "dist").glob("casebook-*.whl")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEBOOK_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    done = _run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], cwd=where, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    # the dependencies come from the test environment, behind the wheel's own site-packages
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=where, env=env).stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return where, env


def test_the_installed_package_comes_from_the_wheel_not_the_checkout(installed):
    where, env = installed
    shown = _run(["python", "-c", "import casebook, casebook.examples as e; print(casebook.__file__); "
                  "print(e.bundled_dir('examples')); print(e.bundled_dir('notebooks'))"], cwd=where, env=env)
    assert shown.returncode == 0, shown.stderr
    package, examples, notebooks = shown.stdout.split()
    for path in (package, examples, notebooks):
        assert str(ROOT) not in path and "site-packages" in path


def test_init_with_examples_and_advise_work_outside_the_checkout(installed):
    where, env = installed
    init = _run(["casebook", "init", "book", "--with-examples", "--lang", "en"], cwd=where, env=env)
    assert init.returncode == 0, init.stderr
    assert "seed-a, seed-b, seed-c, seed-d, seed-e" in init.stdout
    advice = _run(["casebook", "-C", "book", "advise", "seed-a", "--today", "2026-03-21", "--lang", "en"], cwd=where, env=env)
    assert advice.returncode == 0, advice.stderr
    assert "Readiness 100/100" in advice.stdout


def test_a_batch_of_two_orders_runs_outside_the_checkout(installed):
    where, env = installed
    orders = where / "orders.csv"
    orders.write_text(
        "order_id,item_title,price,order_date,problem_kind,description,today\n"
        "8190200000000001,USB cable,\"4,900원\",2026-05-01,not_received,The cable never arrived after 30 days.,2026-06-10\n"
        "8190200000000002,Phone case,12.50 USD,2026-05-02,damaged,The case arrived cracked along one edge.,2026-06-10\n",
        encoding="utf-8")
    result = _run(["casebook", "batch", "orders.csv", "--output", str(where / "out"), "--workers", "1"], cwd=where, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = list(csv.DictReader((where / "out" / "summary.csv").open(encoding="utf-8")))
    assert [r["status"] for r in rows] == ["ok", "ok"]
