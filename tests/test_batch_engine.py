"""Batch runs at scale (issue #15): paths, kept kernels, central tracking, Dask, the batch notebook, resumes.

Every batch here runs real notebooks in real kernels; nothing asserts on
wall-clock time (speed lives in ``benchmarks/bench_batch.py``).
"""

from __future__ import annotations

import csv
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from casebook.batch import read_orders, run_batch
from casebook.batch.kernel import WorkerKernel
from casebook.batch.orders import make_task
from casebook.errors import CasebookError
from casebook.store import Casebook
from casebook.tracking.localserver import LocalTrackingServer
from tests.conftest import ROOT

pytestmark = pytest.mark.notebooks
CASEBOOK = Path(sys.executable).parent / "casebook"
README_COMMAND = "casebook batch examples/batch/orders.csv --output out/"
HEADER = ["order_id", "item_title", "price", "order_date", "problem_kind", "description", "tracking_number",
          "paste_file", "evidence", "today"]
PHOTO = ROOT / "examples" / "cases" / "seed-a" / "evidence" / "cracked-dripper.jpg"
PASTE = ROOT / "examples" / "tracking" / "paste" / "customs-stuck.txt"
NOISE = ("Address already in use", "ZMQError", "KeyboardInterrupt caught in kernel", "Kernel is running over TCP",
         "WARNING", "Warning", "Traceback")


def write_orders(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({"price": "5900", "order_date": "2026-06-08", "problem_kind": "damaged", "today": "2026-06-26"} | row)
    return path


def summary(output: Path) -> list[dict[str, str]]:
    with open(output / "summary.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def statuses(output: Path) -> dict[str, str]:
    return {row["row_id"]: row["status"] for row in summary(output)}


def stderr_lines(text: str) -> list[str]:
    """What a terminal would keep of stderr: tqdm redraws with carriage returns."""
    return [part.strip() for line in text.splitlines() for part in line.split("\r") if part.strip()]


def casebook_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CASEBOOK), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


# -- 1 and 7: the README's command, as written, from the root and from elsewhere; quiet kernels ----------------

def test_the_readme_batch_command_works_as_written_from_the_root_and_from_another_folder_quietly(tmp_path):
    assert README_COMMAND in (ROOT / "README.md").read_text(encoding="utf-8")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo / "examples")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    runs = {
        repo / "out": casebook_cli(shlex.split(README_COMMAND)[1:], cwd=repo),
        tmp_path / "out2": casebook_cli(["batch", "../repo/examples/batch/orders.csv", "--output", "../out2/"], cwd=elsewhere),
    }
    rows = read_orders(repo / "examples" / "batch" / "orders.csv")
    for output, run in runs.items():
        assert run.returncode == 1, run.stderr  # the example's 8 deliberately bad rows
        assert "완료 15건, 이미 끝나 건너뜀 0건, 실패 7건, 입력 오류 1건" in run.stdout, run.stdout  # Korean by default
        assert [r["status"] for r in summary(output)].count("ok") == 15
        for row in rows:  # a folder and result.json for every row, the invalid one included
            assert json.loads((output / row.row_id / "result.json").read_text(encoding="utf-8"))["row_id"] == row.row_id
        noisy = [line for line in stderr_lines(run.stderr) if not line.startswith("batch:")]
        assert noisy == [], noisy
        assert not any(word in run.stderr for word in NOISE)
    assert not (elsewhere / "out2").exists() and not (ROOT / "out").exists()
    assert statuses(repo / "out") == statuses(tmp_path / "out2")


def test_paths_in_the_csv_are_relative_to_the_csv_and_must_stay_inside_its_folder(tmp_path, monkeypatch):
    folder = tmp_path / "orders"
    folder.mkdir()
    (folder / "paste.txt").write_text("x", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"x")
    (tmp_path / "outside.jpg").write_bytes(b"x")
    orders = write_orders(folder / "orders.csv", [{"order_id": "1", "item_title": "a", "paste_file": "paste.txt",
                                                    "evidence": "photo.jpg|defect_photo|crack"}])
    monkeypatch.chdir(tmp_path)
    (row,) = read_orders(Path("orders/orders.csv"))
    task = make_task(row, output=tmp_path / "out", casebook_path=tmp_path / "book", notebooks_dir=ROOT / "notebooks",
                     base=orders.parent)
    assert task.paste_file == str(folder / "paste.txt") and task.input_error is None
    assert task.parameters["03_collect_evidence"]["evidence"] == [str(folder / "photo.jpg") + "|defect_photo|crack"]
    row.values["evidence"] = "../outside.jpg|defect_photo|crack"
    outside = make_task(row, output=tmp_path / "out", casebook_path=tmp_path / "book", notebooks_dir=ROOT / "notebooks",
                        base=orders.parent)
    assert "outside" in outside.input_error


# -- 6: the CSV read by the csv module, every row a folder, resumes without duplicates, clear --output errors --------

def test_a_multi_line_cell_stays_one_cell_and_surplus_cells_mark_the_row(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text('order_id,item_title,price,order_date,problem_kind,description\n'
                      '1,Mug,5900,2026-06-01,damaged,"Broken handle.\nThe box was dented."\n'
                      '2,Cup,5900,2026-06-01,damaged,fine,surplus\n', encoding="utf-8")
    first, second = read_orders(orders)
    assert first.values["description"] == "Broken handle.\nThe box was dented." and first.problem is None
    assert (first.line, second.line) == (2, 3)
    assert second.problem and "more than the header" in second.problem


def _counts(book: Casebook, case_id: str) -> tuple[int, int, int]:
    case = book.get(case_id)
    return (sum(len(s.snapshots) for s in case.shipments), sum(len(s.events) for s in case.shipments), len(case.evidence))


def _beside(tmp_path: Path) -> tuple[Path, Path]:
    """The example photo and tracking page copied beside the test's CSV (a batch reads files only from its folder)."""
    photo, paste = tmp_path / PHOTO.name, tmp_path / PASTE.name
    shutil.copyfile(PHOTO, photo)
    shutil.copyfile(PASTE, paste)
    return photo, paste


def test_a_resumed_batch_never_duplicates_snapshots_events_or_evidence(tmp_path):
    missing = tmp_path / "later.jpg"
    PHOTO_HERE, PASTE_HERE = _beside(tmp_path)
    orders = write_orders(tmp_path / "orders.csv", [
        {"order_id": "8190100000000101", "item_title": "Mug", "tracking_number": "LP00081234567890",
         "paste_file": str(PASTE_HERE), "evidence": f"{PHOTO_HERE}|defect_photo|Broken mug",
         "description": "Broken handle.\nThe box was dented."},
        {"order_id": "8190100000000102", "item_title": "Cup", "tracking_number": "LP00081234567890",
         "paste_file": str(PASTE_HERE), "evidence": f"{missing}|defect_photo|Not there yet"},
        {"order_id": "8190100000000103", "item_title": "", "description": "no title: invalid"},
    ])
    out, book_path = tmp_path / "out", tmp_path / "book"
    first = {r.row_id: r for r in run_batch(orders, out, casebook_path=book_path, workers=2, progress=False)}
    a, b, c = (f"row00{n}-81901000000001{n:02d}" for n in (1, 2, 3))
    assert [first[x].status for x in (a, b, c)] == ["ok", "failed", "invalid"]
    assert "later.jpg" in first[b].error
    assert json.loads((out / c / "result.json").read_text(encoding="utf-8"))["status"] == "invalid"
    book = Casebook(book_path)
    assert book.get("aliexpress-8190100000000101").problem.description == "Broken handle.\nThe box was dented."
    before = {x: _counts(book, f"aliexpress-{x[7:]}") for x in (a, b)}
    assert before[a][0] == 1 and before[a][2] == 1 and before[b][0] == 1, before

    (out / a / "result.json").unlink()  # as if killed after its steps saved, before it was marked done
    shutil.copyfile(PHOTO.with_name("crushed-box.jpg"), missing)  # the shopper adds the missing photo
    again = {r.row_id: r for r in run_batch(orders, out, casebook_path=book_path, workers=2, progress=False)}
    assert [again[x].status for x in (a, b, c)] == ["ok", "ok", "invalid"]
    assert again[a].outputs["02_check_tracking"]["saved_snapshot"] is False, "the same page is not imported twice"
    after = {x: _counts(book, f"aliexpress-{x[7:]}") for x in (a, b)}
    assert after[a] == before[a]
    assert after[b] == (1, before[b][1], 1)
    assert [r.status for r in run_batch(orders, out, casebook_path=book_path, workers=1, progress=False)] == \
        ["skipped", "skipped", "invalid"]


def test_an_order_logged_before_under_another_id_is_finished_on_that_case(tmp_path):
    """All four notebooks go at once for the id the row implies; step 01 may find the order under another id."""
    from casebook.services import new_case
    from casebook.steps import open_casebook

    photo, paste = _beside(tmp_path)
    book = open_casebook(tmp_path / "book", with_examples=False)
    new_case(book, {"order_id": "8190100000000301", "item_title": "Mug", "price": "5900", "order_date": "2026-06-08",
                    "problem_kind": "damaged", "tracking_number": "LP00081234567890"}, case_id="my-own-mug",
             today="2026-06-26")
    orders = write_orders(tmp_path / "orders.csv", [
        {"order_id": "8190100000000301", "item_title": "Mug", "tracking_number": "LP00081234567890",
         "paste_file": str(paste), "evidence": f"{photo}|defect_photo|Broken mug"},
        {"order_id": "8190100000000302", "item_title": "Cup"},
    ])
    results = run_batch(orders, tmp_path / "out", casebook_path=book.path, workers=1, progress=False)
    assert [(r.status, r.case_id) for r in results] == [("ok", "my-own-mug"), ("ok", "aliexpress-8190100000000302")], \
        [r.error for r in results]
    assert results[0].outputs["01_log_order"]["created"] is False
    assert sorted(Casebook(book.path).ids()) == ["aliexpress-8190100000000302", "my-own-mug"], "no second case"
    snapshots, events, evidence = _counts(Casebook(book.path), "my-own-mug")
    assert (snapshots, evidence) == (1, 1) and events > 0, "the tracking page and the photo went to that case"
    executed = nbformat.read(tmp_path / "out" / results[0].row_id / "04_dispute_summary.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "my-own-mug" in injected.source and "error" not in json.dumps([c.get("outputs") for c in executed.cells])


def test_an_interrupt_closes_every_kernel_and_starts_no_more_orders(tmp_path):
    from casebook.batch import kernel as kernels
    from casebook.batch.engines import run_local

    orders = write_orders(tmp_path / "orders.csv", [{"order_id": f"81901000000004{n:02d}", "item_title": f"Item {n}"}
                                                    for n in range(12)])
    tasks = [make_task(row, output=tmp_path / "out", casebook_path=tmp_path / "book", notebooks_dir=ROOT / "notebooks",
                       base=tmp_path) for row in read_orders(orders)]
    finished: list[str] = []

    def interrupted(result):  # noqa: ANN001 - the shopper presses Ctrl-C as the first order finishes
        finished.append(result.row_id)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_local(tasks, 2, interrupted)
    assert not kernels._kernels, "every kernel is closed"
    ran = [t.row_id for t in tasks if (Path(t.row_dir) / "result.json").exists()]
    assert finished and len(ran) < len(tasks), "the queued orders never started"


def test_a_worker_count_or_timeout_that_cannot_work_is_refused_before_anything_runs(tmp_path):
    orders = write_orders(tmp_path / "orders.csv", [{"order_id": "8190100000000601", "item_title": "Mug"}])
    for bad, match in (({"workers": 0}, "--workers: 0"), ({"timeout": 0}, "--timeout: 0"), ({"timeout": -1}, "--timeout")):
        with pytest.raises(CasebookError, match=match):
            run_batch(orders, tmp_path / "out", casebook_path=tmp_path / "book", progress=False, **bad)
    assert not (tmp_path / "out").exists() and not (tmp_path / "book").exists()


def test_an_unusable_output_is_one_clear_line(tmp_path):
    orders = write_orders(tmp_path / "orders.csv", [{"order_id": "1", "item_title": "Mug"}])
    a_file = tmp_path / "results.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    run = casebook_cli(["batch", "orders.csv", "--output", "results.txt"], cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [f"casebook: 오류: --output: {a_file} is a file, not a folder; "
                                               "give a folder for the batch's results"]
    with pytest.raises(CasebookError, match="--output: cannot write in"):
        run_batch(orders, a_file / "inside", casebook_path=tmp_path / "book", progress=False)


# -- 2: the kept kernel: IPC, reset between orders, a crash or a hang fails only its order -------------------------

def test_a_worker_kernel_listens_on_ipc_and_starts_each_order_with_a_fresh_namespace():
    kernel = WorkerKernel()
    try:
        info = kernel.km.get_connection_info()
        assert info["transport"] == "ipc" and str(kernel.folder) in info["ip"]
        kernel.run("leftover = 1", timeout=30)
        kernel.reset()
        with pytest.raises(RuntimeError, match="NameError"):
            kernel.run("leftover", timeout=30)
        kernel.run("import casebook.steps", timeout=30)  # modules stay imported
    finally:
        kernel.close()
    assert not kernel.folder.exists() and not kernel.alive


def test_parameter_cells_of_literals_go_as_one_statement_binding_the_same_values():
    import ast

    from casebook.batch.kernel import _request_code

    class Kernel:
        defaults: dict = {}

    cells = [nbformat.v4.new_code_cell("a = 1  # a comment\nb = 'x'\nc = None", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell("# Parameters\nb = 'y'\nd = [1, {'k': -2.5}]\n",
                                       metadata={"tags": ["injected-parameters"]}),
             nbformat.v4.new_code_cell("e = b * 2")]

    def bound(code: str) -> dict:
        namespace: dict = {}
        exec(code, namespace)  # noqa: S102 - the test's own code
        namespace.pop("__builtins__")
        return namespace

    as_written = bound("\n".join(cell.source for cell in cells))
    sent = _request_code(Kernel, cells)
    assert len(ast.parse(sent).body) == 2 and bound(sent) == as_written == {"a": 1, "b": "y", "c": None,
                                                                           "d": [1, {"k": -2.5}], "e": "yy"}
    cells[1].source = "b = 'y'\nd = list(range(3))"  # an injected value that is not a literal: the cells run in turn
    assert bound(_request_code(Kernel, cells)) == bound("\n".join(cell.source for cell in cells))
    assert "list(range(3))" in _request_code(Kernel, cells) and "# a comment" not in _request_code(Kernel, cells)
    cells[0].source = "import os\na = os.sep"  # not only literals: the defaults run as written
    assert bound(_request_code(Kernel, cells)) == bound("\n".join(cell.source for cell in cells))
    assert "import os" in _request_code(Kernel, cells)
    cells[2].source = "%time e = b * 2"  # a magic reaches the kernel as the call IPython makes of it
    assert "get_ipython().run_line_magic('time', 'e = b * 2')" in _request_code(Kernel, cells)


def test_magics_in_a_step_notebook_run_in_the_batch_kernel(tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns("*.py"))
    path = notebooks / "03_collect_evidence.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"%%writefile {tmp_path / 'magic.txt'}\ncell magic ran"))
    nb.cells.append(nbformat.v4.new_code_cell("%time lines = 1"))
    nbformat.write(nb, path)
    orders = write_orders(tmp_path / "orders.csv", [{"order_id": "8190100000000501", "item_title": "Mug"}])
    (result,) = run_batch(orders, tmp_path / "out", casebook_path=tmp_path / "book", workers=1, progress=False,
                          notebooks_dir=notebooks)
    assert result.status == "ok", result.error
    assert (tmp_path / "magic.txt").read_text(encoding="utf-8").strip() == "cell magic ran"
    executed = nbformat.read(tmp_path / "out" / result.row_id / "03_collect_evidence.ipynb", as_version=4)
    assert "Wall time" in "".join(o.get("text", "") for o in executed.cells[-1].outputs)


def test_a_kernel_message_with_a_wrong_signature_is_refused():
    from jupyter_client.session import Session

    from casebook.batch.kernel import _read_message

    session = Session(key=b"a-secret-key")
    request = session.msg("execute_request", {"code": "1"})
    parts = session.serialize(session.msg("status", {"execution_state": "idle"}, parent=request))
    assert _read_message(session, parts) == (request["header"]["msg_id"], "status", {"execution_state": "idle"})
    parts[1] = b"0" * len(parts[1])
    with pytest.raises(ValueError, match="signature"):
        _read_message(session, parts)


def _sabotaged_notebooks(folder: Path) -> Path:
    """The step notebooks, with step 03 crashing its kernel or hanging for evidence named CRASH or HANG."""
    shutil.copytree(ROOT / "notebooks", folder, ignore=shutil.ignore_patterns("*.py"))
    path = folder / "03_collect_evidence.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(
        "import os, time\nif any('CRASH' in e for e in evidence or []):\n    os._exit(1)\n"
        "if any('HANG' in e for e in evidence or []):\n    time.sleep(600)"))
    nbformat.write(nb, path)
    return folder


def test_a_crashed_or_hung_kernel_fails_only_its_order_and_is_replaced(tmp_path):
    notebooks = _sabotaged_notebooks(tmp_path / "notebooks")
    rows = [{"order_id": f"81901000000002{n:02d}", "item_title": f"Item {n}"} for n in range(5)]
    rows[1]["evidence"] = f"{tmp_path / 'CRASH.jpg'}|defect_photo|crash"
    rows[3]["evidence"] = f"{tmp_path / 'HANG.jpg'}|defect_photo|hang"
    orders = write_orders(tmp_path / "orders.csv", rows)
    results = run_batch(orders, tmp_path / "out", casebook_path=tmp_path / "book", workers=1, progress=False,
                        notebooks_dir=notebooks, timeout=8)
    assert [r.status for r in results] == ["ok", "failed", "ok", "failed", "ok"], [r.error for r in results]
    assert "DeadKernelError" in results[1].error
    assert "CellTimeoutError" in results[3].error
    assert all("\n" not in r.error for r in results if r.error)


# -- 3: network tracking fetched once, in the provider's batches, whatever the number of workers --------------------

def test_network_tracking_is_fetched_once_for_the_batch_in_batches_of_40(tmp_path, monkeypatch):
    numbers = [f"LP{81234560000 + n:014d}" for n in range(41)]
    rows = [{"order_id": f"81901000000003{n:02d}", "item_title": f"Item {n}", "problem_kind": "not_received",
             "tracking_number": number} for n, number in enumerate(numbers)]
    rows.append({"order_id": "8190100000000399", "item_title": "Pasted", "problem_kind": "not_received",
                 "tracking_number": "LP00081234567890", "paste_file": str(_beside(tmp_path)[1])})  # a pasted page is not fetched
    orders = write_orders(tmp_path / "orders.csv", rows)
    book_path = tmp_path / "book"
    with LocalTrackingServer(token="batch-test-token") as server:
        monkeypatch.setenv("SEVENTEENTRACK_TOKEN", "batch-test-token")
        monkeypatch.setenv("SEVENTEENTRACK_BASE_URL", server.url)
        results = run_batch(orders, tmp_path / "out", casebook_path=book_path, workers=2, progress=False,
                            provider="17track")
        calls = [(r.path.rsplit("/", 1)[1], r.count) for r in server.requests]
        assert calls == [("register", 40), ("register", 1), ("gettrackinfo", 40), ("gettrackinfo", 1)]
        assert all(r.status == "ok" for r in results), [r.error for r in results if r.error]
        book = Casebook(book_path)
        case = book.get("aliexpress-8190100000000300")
        assert [len(s.snapshots) for s in case.shipments] == [1] and len(case.shipments[0].events) == 3
        assert results[0].outputs["02_check_tracking"]["status"] == "InTransit"

        (tmp_path / "out" / results[0].row_id / "result.json").unlink()  # one row to redo
        again = run_batch(orders, tmp_path / "out", casebook_path=book_path, workers=2, progress=False, provider="17track")
        assert [(r.path.rsplit("/", 1)[1], r.count) for r in server.requests[4:]] == [("register", 1), ("gettrackinfo", 1)]
        assert again[0].status == "ok" and [len(s.snapshots) for s in book.get(case.id).shipments] == [1]


# -- 4: the same unit on Dask ---------------------------------------------------------------------------------------

def _normalised_results(output: Path, book: Path) -> dict[str, str]:
    return {p.parent.name: p.read_text(encoding="utf-8").replace(str(output), "OUT").replace(str(book), "BOOK")
            for p in sorted(output.glob("row*/result.json"))}


def _files(output: Path) -> list[str]:
    return sorted(str(p.relative_to(output)) for p in output.rglob("*") if "casebook" not in p.relative_to(output).parts)


def test_dask_on_a_local_cluster_gives_what_the_local_engine_gives(tmp_path):
    """Dask's own LocalCluster (worker threads), and a running cluster of two worker processes at --scheduler."""
    distributed = pytest.importorskip("distributed")
    orders = ROOT / "examples" / "batch" / "orders.csv"
    local, dask, processes = tmp_path / "local", tmp_path / "dask", tmp_path / "processes"
    from jupyter_core.utils import ensure_event_loop

    ensure_event_loop()  # this thread has jupyter_client's loop (as a notebook's does); Dask tasks inherit its context
    run_batch(orders, local, casebook_path=local / "casebook", workers=2, progress=False)
    results = run_batch(orders, dask, casebook_path=dask / "casebook", workers=2, progress=False, engine="dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        on_processes = run_batch(orders, processes, casebook_path=processes / "casebook", workers=2, progress=False,
                                 engine="dask", scheduler=cluster.scheduler_address)
    for out, ran in ((dask, results), (processes, on_processes)):
        assert sum(r.status == "ok" for r in ran) == 15, [r.error for r in ran]
        assert (local / "summary.csv").read_bytes() == (out / "summary.csv").read_bytes()
        assert _normalised_results(local, local / "casebook") == _normalised_results(out, out / "casebook")
        assert _files(local) == _files(out)
    again = run_batch(orders, dask, casebook_path=dask / "casebook", workers=2, progress=False, engine="dask")
    assert [r.status for r in again].count("skipped") == 15


def test_without_dask_the_error_says_how_to_install_it(monkeypatch):
    from casebook.batch.engines import run_dask

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(CasebookError, match=r"pip install 'casebook\[dask\]'"):
        run_dask([], 2, print)


# -- 5: the batch notebook ------------------------------------------------------------------------------------------

def test_the_batch_notebook_runs_headless_with_a_progress_bar_and_a_table(tmp_path):
    orders = write_orders(tmp_path / "orders.csv", [
        {"order_id": "8190100000000401", "item_title": "Mug"},
        {"order_id": "8190100000000402", "item_title": "Cup", "evidence": f"{tmp_path / 'none.jpg'}|defect_photo|x"},
    ])
    executed, result = tmp_path / "05_batch.ipynb", tmp_path / "05_batch.json"
    pm.execute_notebook(str(ROOT / "notebooks" / "05_batch.ipynb"), str(executed), kernel_name="python3",
                        parameters={"orders_file": str(orders), "output": str(tmp_path / "out"), "workers": 1,
                                    "result_file": str(result)},
                        progress_bar=False, store_widget_state=False, cwd=str(tmp_path))
    assert json.loads(result.read_text(encoding="utf-8"))["counts"] == {"ok": 1, "failed": 1}
    outputs = [o for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code" for o in c.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), "progress bar"
    tables = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("row002-8190100000000402" in t and "failed" in t and "EvidenceError" not in t for t in tables), "the results table"
    error = json.loads((tmp_path / "out" / "row002-8190100000000402" / "result.json").read_text(encoding="utf-8"))["error"]
    assert "none.jpg" in error and "does not exist" in error and not error.startswith("EvidenceError")


def test_the_batch_notebook_is_generated_and_committed_clean(tmp_path):
    source = (ROOT / "notebooks" / "build_notebooks.py").read_text(encoding="utf-8")
    script = tmp_path / "build.py"
    script.write_text(source.replace("HERE = Path(__file__).parent", f"HERE = Path({str(tmp_path)!r})"), encoding="utf-8")
    subprocess.run([sys.executable, str(script)], check=True)
    committed = nbformat.read(ROOT / "notebooks" / "05_batch.ipynb", as_version=4)
    assert nbformat.read(tmp_path / "05_batch.ipynb", as_version=4) == committed, "regenerate: python notebooks/build_notebooks.py"
    assert all(not c.outputs and c.execution_count is None for c in committed.cells if c.cell_type == "code")
    assert "parameters" in committed.cells[2].metadata.get("tags", [])


def test_the_terminal_table_speaks_the_shoppers_language_and_lines_up_hangul():
    from casebook.batch import RowResult, summary_table

    results = [RowResult("row001-8190100000000001", 2, "ok", case_id="aliexpress-8190100000000001", ready=True),
               RowResult("row002-8190100000000002", 3, "failed", case_id="케이스-가나다", error="paste_file: 없음"),
               RowResult("row003-8190100000000003", 4, "invalid", error="missing item_title"),
               RowResult("row004-8190100000000004", 5, "skipped", case_id="aliexpress-8190100000000004", ready=False)]
    korean = summary_table(results, "ko").splitlines()
    assert korean[-1] == "완료 1건, 이미 끝나 건너뜀 1건, 실패 1건, 입력 오류 1건"
    assert korean[0].split() == ["행", "상태", "사례", "준비됨", "오류"]
    assert "입력 오류" in korean[3] and "실패" in korean[2] and "아니요" in korean[4]
    for key in ("ok", "failed", "invalid", "skipped", "True", "False"):
        assert key not in " ".join(korean[1:-1]).replace("aliexpress", ""), key
    # the error column starts at the same terminal column on every line, Hangul counted two wide
    import unicodedata

    def _width(text: str) -> int:  # what a terminal gives: two cells for a Hangul syllable
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    assert _width(korean[2][:korean[2].index("paste_file")]) == _width(korean[3][:korean[3].index("missing")])
    english = summary_table(results, "en").splitlines()
    assert english[-1] == "1 ok, 1 already done (skipped), 1 failed, 1 invalid" and english[0].split()[:2] == ["row", "status"]
