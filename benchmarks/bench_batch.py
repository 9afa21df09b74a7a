"""``casebook batch`` over 200 generated orders vs calling the four step functions directly.

Orders are the 15 good rows of ``examples/batch/orders.csv`` repeated with
new order ids (same evidence files and tracking pastes, offline provider).
"direct" runs ``log_order``, ``check_tracking``, ``collect_evidence`` and
``dispute_summary`` for every order in the same number of worker processes;
"batch" executes the four step notebooks per order through papermill, in each
worker's kept kernel, with the local engine and (when installed) Dask.
Target (issue #15): batch / direct <= 2.0, the medians of interleaved rounds. The "floor" line shows what papermill and
the kernel's messaging cost per order with no work at all (every cell is a round trip).
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from casebook.batch import read_orders, run_batch
from casebook.batch.orders import make_task

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "batch" / "orders.csv"
ORDERS = int(os.environ.get("BENCH_BATCH_ORDERS", "200"))
WORKERS = int(os.environ.get("BENCH_BATCH_WORKERS", "2"))
ROUNDS = int(os.environ.get("BENCH_BATCH_ROUNDS", "3"))


def generate(path: Path, count: int) -> None:
    """``count`` orders cycling the example's good rows, with the example's files copied beside the CSV."""
    import shutil

    with open(EXAMPLE, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)[:15]  # the example's good rows (the rest are its deliberately bad ones)
    shutil.copytree(EXAMPLE.parent / "files", path.parent / "files", dirs_exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for n in range(count):
            row = dict(rows[n % len(rows)])
            row["order_id"] = f"9{n:015d}"
            writer.writerow(row)


def _direct_order(task) -> bool:  # noqa: ANN001 - an OrderTask
    """What the four notebooks' headless cells run, called directly: open the casebook, run the step, write its result."""
    from casebook.steps import check_tracking, collect_evidence, dispute_summary, log_order, open_casebook, write_result

    p = task.parameters
    out = Path(task.row_dir)
    try:
        book = open_casebook(task.casebook_path, with_examples=False)
        fields = {k: v for k, v in p["01_log_order"].items() if k not in ("casebook_path", "lang", "today", "case_id")}
        case_id = write_result(out / "01.json", log_order(book, case_id=task.case_id, fields=fields))["case_id"]
        book = open_casebook(task.casebook_path, with_examples=False)
        write_result(out / "02.json", check_tracking(book, case_id, provider="offline", paste_file=task.paste_file,
                                                     today=p["02_check_tracking"]["today"]))
        book = open_casebook(task.casebook_path, with_examples=False)
        write_result(out / "03.json", collect_evidence(book, case_id, p["03_collect_evidence"]["evidence"],
                                                       base=p["03_collect_evidence"]["evidence_base"]))
        book = open_casebook(task.casebook_path, with_examples=False)
        write_result(out / "04.json", dispute_summary(book, case_id, p["04_dispute_summary"]["output_dir"],
                                                      today=p["04_dispute_summary"]["today"]))
    except Exception:  # noqa: BLE001 - same rows fail on both sides; count them, do not stop
        return False
    return True


def direct(orders: Path, out: Path) -> tuple[float, int]:
    """The four functions per order in ``WORKERS`` spawned processes (as the batch's pool is)."""
    from casebook.steps import open_casebook

    start = time.perf_counter()
    book = open_casebook(out / "casebook", with_examples=False)
    tasks = [make_task(row, output=out, casebook_path=book.path, notebooks_dir=ROOT / "notebooks", base=orders.parent)
             for row in read_orders(orders)]
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        ok = sum(pool.map(_direct_order, tasks, chunksize=1))
    return time.perf_counter() - start, ok


def batch(orders: Path, out: Path, engine: str) -> tuple[float, int]:
    start = time.perf_counter()
    results = run_batch(orders, out, casebook_path=out / "casebook", workers=WORKERS, progress=False, engine=engine)
    took = time.perf_counter() - start
    for result in results:
        if result.status != "ok":
            print(f"  {engine}: {result.row_id} {result.status}: {result.error}")
    return took, sum(r.status == "ok" for r in results)


def floor(tmp: Path, orders: int = 40) -> float:
    """Seconds per order of papermill + kernel messaging alone: four notebooks shaped like the steps, doing nothing."""
    import nbformat

    from casebook.batch.kernel import WorkerKernel, execute_step

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("x = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("y = x"), nbformat.v4.new_code_cell("display({'x': y})")]
    nbformat.write(nb, tmp / "empty.ipynb")
    kernel = WorkerKernel()
    try:
        start = time.perf_counter()
        for n in range(orders):
            kernel.reset()
            for step in range(4):
                execute_step(kernel, tmp / "empty.ipynb", tmp / f"empty-{step}.ipynb", {"x": n}, timeout=60)
        return (time.perf_counter() - start) / orders
    finally:
        kernel.close()


def main() -> None:
    """Interleaved rounds (direct, then each engine), so a slower spell of the machine hits every side alike;
    the ratio is of the medians."""
    from statistics import median

    from casebook.batch.kernel import without_iri_grammar

    without_iri_grammar()  # as the `casebook batch` command does for its own process
    engines = ["local"]
    try:
        import distributed  # noqa: F401
        engines.append("dask")
    except ImportError:
        print("dask: not installed (pip install 'casebook[dask]')")
    print(f"{ORDERS} orders, {WORKERS} workers, offline provider, {ROUNDS} interleaved rounds")
    times: dict[str, list[float]] = {name: [] for name in ["direct", *engines]}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        orders = tmp / "orders.csv"
        generate(orders, ORDERS)
        for round_ in range(ROUNDS):
            took, ok_direct = direct(orders, tmp / f"direct-{round_}")
            times["direct"].append(took)
            line = [f"round {round_ + 1}: direct {took:5.2f} s"]
            for engine in engines:
                took, ok = batch(orders, tmp / f"batch-{engine}-{round_}", engine)
                times[engine].append(took)
                line.append(f"{engine} {took:5.2f} s (ratio {took / times['direct'][-1]:.2f})")
                if ok != ok_direct:
                    line.append(f"NOT COMPARABLE: {engine} finished {ok} orders, direct {ok_direct}")
            print(", ".join(line))
        base = median(times["direct"])
        print(f"direct (step functions):         median {base:6.2f} s  {ORDERS / base:6.1f} orders/s")
        for engine in engines:
            took = median(times[engine])
            print(f"batch --engine {engine:<6} (notebooks): median {took:6.2f} s  {ORDERS / took:6.1f} orders/s  "
                  f"ratio {took / base:.2f}  (target <= 2.0)")
        per_order = floor(tmp)
        print(f"floor: four do-nothing notebooks per order in a kept kernel, one process: {per_order * 1000:.0f} ms/order")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
