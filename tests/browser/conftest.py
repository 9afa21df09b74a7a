"""Real-browser fixtures: JupyterLab and Voilà on 127.0.0.1, driven by Playwright in Debian's Chromium.

``playwright install`` cannot download browsers here, so the system
``/usr/bin/chromium`` is launched by path. Without it every browser test is
skipped with that reason (``make test`` says so); CI installs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casebook.examples import load_examples
from casebook.store import Casebook
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "docs" / "screenshots"
FAILURES = ROOT / "test-output" / "browser"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):  # noqa: ARG001
    if CHROMIUM is None:
        skip = pytest.mark.skip(reason="no chromium on this machine: browser tests skipped (apt-get install chromium "
                                       "fonts-noto-cjk; .ci/run does this)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 90.0, *, any_answer: bool = False) -> None:
    """Until ``url`` answers 200 (``any_answer``: answers at all, e.g. a 404 that costs the server nothing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            if any_answer:
                return
            time.sleep(0.3)
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not start within {timeout:.0f} s")


@pytest.fixture(scope="module")
def browser():  # module scope: Playwright's sync loop must not outlive the browser tests
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FAILURES / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _environment(casebook: Path, home: Path) -> dict[str, str]:
    env = dict(os.environ, CASEBOOK_PATH=str(casebook), HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    env.pop("SEVENTEENTRACK_TOKEN", None)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"checkForUpdates": False, "fetchNews": "false"}))
    return env


@pytest.fixture
def casebook(tmp_path) -> Casebook:
    book = Casebook.init(tmp_path / "casebook")
    load_examples(book)
    return book


def _stop(process: subprocess.Popen[bytes], log: Any) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    log.close()
    assert process.returncode is not None, "the server did not stop"


class Server:
    def __init__(self, url: str, root: Path, process: subprocess.Popen[bytes], token: str) -> None:
        self.url, self.root, self.process, self.token = url, root, process, token


@pytest.fixture
def jupyterlab(tmp_path, casebook) -> Iterator[Server]:
    root = tmp_path / "lab"
    root.mkdir()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path / "jupyterlab.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
         "--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True"],
        env=_environment(casebook.path, tmp_path / "home"), stdout=log, stderr=subprocess.STDOUT, cwd=root)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/status?token={token}")
        yield Server(f"http://127.0.0.1:{port}", root, process, token)
    finally:
        _stop(process, log)


@contextlib.contextmanager
def serve_voila(casebook_path: Path, folder: Path, *, preheat: bool = True) -> Iterator[Server]:
    """The app notebook served by Voila as `make app` serves it (preheated kernels), on a free port."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = open(folder / "voila.log", "wb")
    options = ["--preheat_kernel=True", "--pool_size=1"] if preheat else []
    process = subprocess.Popen(
        [sys.executable, "-m", "voila", str(ROOT / "notebooks" / "app.ipynb"), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--show_tracebacks=True", *options],
        env=_environment(casebook_path, folder / "home"), stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    try:
        # not the page itself: each visit of the page takes a preheated kernel
        wait_for(f"http://127.0.0.1:{port}/casebook-not-a-page", timeout=120, any_answer=True)
        yield Server(f"http://127.0.0.1:{port}", folder, process, "")
    finally:
        _stop(process, log)


@pytest.fixture
def voila(tmp_path, casebook) -> Iterator[Server]:
    with serve_voila(casebook.path, tmp_path / "voila") as server:
        yield server


def open_notebook(page, server: Server, name: str) -> None:
    """Open a notebook in JupyterLab, wait for a connected idle kernel, and run all cells (retrying once)."""
    page.goto(f"{server.url}/lab/tree/{name}.ipynb?token={server.token}&reset")
    page.wait_for_selector(".jp-Notebook", state="visible")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('notebook:run-all-cells')")
    page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(state="visible", timeout=90_000)
    for _attempt in range(3):
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.locator(".jp-OutputArea-output").first.wait_for(state="attached", timeout=30_000)
            return
        except Exception:  # noqa: BLE001 - the kernel was not ready: run again
            continue
    raise AssertionError(f"{name}: running all cells produced no output")


def success_screenshot(page, name: str) -> Path:
    """A screenshot on success: into test-output/, and into docs/screenshots/ with CASEBOOK_UPDATE_SCREENSHOTS=1."""
    folder = SCREENSHOTS if os.environ.get("CASEBOOK_UPDATE_SCREENSHOTS") else FAILURES.parent / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
