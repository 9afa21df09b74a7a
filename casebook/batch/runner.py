"""Run the guided notebooks for every row of an orders spreadsheet (papermill, parallel, resumable).

One folder per row under the output directory holds the executed notebooks,
the summary files and ``result.json`` (an invalid row gets its folder too,
with the error). A bad row never stops the batch; re-running skips rows
already finished. Order ids are passed to papermill as strings (never ``-p``:
it would turn ``0081234`` into ``81234``), and widget state is not stored in
executed notebooks, so no token or uploaded file ends up in them.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..errors import CasebookError
from ..store import atomic_write_bytes
from .engines import ENGINES, run_dask, run_local
from .orders import make_task, read_orders
from .tracking import NETWORK_PROVIDERS, fetch_tracking
from .unit import RowResult, read_row_result, write_row_result

__all__ = ["run_batch", "run_step", "summary_table", "results_frame", "orders_frame", "prepare_output", "bundled_notebooks",
           "PROVIDERS"]

def bundled_notebooks() -> Path:
    """The bundled step notebooks (inside the wheel, or the checkout's notebooks/)."""
    from ..examples import bundled_dir

    return bundled_dir("notebooks")


PROVIDERS = ("offline",) + NETWORK_PROVIDERS


def run_step(name: str, out: Path, parameters: dict[str, Any], *, notebooks_dir: Path | None = None,
             kernel: str = "python3") -> dict[str, Any]:
    """Execute one step notebook headless in a fresh kernel into ``out`` and return the JSON result it wrote.

    Values go through papermill's Python API (so ids stay text) and widget
    state is not stored (so no token or uploaded file lands in the executed copy).
    """
    import papermill as pm

    out = Path(out).resolve()
    result_file = out / f"{name}.json"
    pm.execute_notebook(str(Path(notebooks_dir or bundled_notebooks()).resolve() / f"{name}.ipynb"), str(out / f"{name}.ipynb"),
                        parameters=parameters | {"result_file": str(result_file)}, kernel_name=kernel,
                        progress_bar=False, log_output=False, store_widget_state=False, cwd=str(out),
                        request_save_on_cell_execute=False)
    return json.loads(result_file.read_text(encoding="utf-8"))


def prepare_output(output: Path) -> Path:
    """The output folder as an absolute path, created and proven writable, or one clear error line."""
    output = Path(output).expanduser().absolute()
    if output.exists() and not output.is_dir():
        raise CasebookError(f"--output: {output} is a file, not a folder; give a folder for the batch's results")
    try:
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=output):
            pass
    except OSError as error:
        raise CasebookError(f"--output: cannot write in {output} ({error.strerror or error}); "
                            "give a folder you can write to") from None
    return output


def _finished(row_dir: Path) -> RowResult | None:
    done = read_row_result(row_dir)
    return done if done is not None and done.status == "ok" else None


def run_batch(orders: Path, output: Path, *, casebook_path: Path, workers: int = 2, notebooks_dir: Path | None = None,
              kernel: str = "python3", progress: bool = True, engine: str = "local", scheduler: str | None = None,
              provider: str = "offline", timeout: float = 300.0, evidence_root: Path | None = None) -> list[RowResult]:
    """Run every row; returns one result per row, in spreadsheet order, and writes ``summary.csv``.

    Every path may be relative to the current directory; paths inside the CSV
    are relative to the CSV's folder and must lie inside it (or inside
    ``evidence_root``). ``timeout`` bounds each notebook cell:
    a cell that hangs fails its order and the worker's kernel is replaced.
    """
    from tqdm.auto import tqdm

    from ..steps import open_casebook

    if engine not in ENGINES:
        raise CasebookError(f"--engine: {engine!r} is unknown; accepted: {', '.join(ENGINES)}")
    if provider not in PROVIDERS:
        raise CasebookError(f"--provider: {provider!r} is unknown; accepted: {', '.join(PROVIDERS)}")
    if workers < 1:
        raise CasebookError(f"--workers: {workers} is not a number of workers; give 1 or more")
    if not timeout > 0:
        raise CasebookError(f"--timeout: {timeout:g} s would stop every cell at once; give a number of seconds above 0")
    orders = Path(orders).expanduser().absolute()
    rows = read_orders(orders)
    output = prepare_output(output)
    casebook_path = Path(casebook_path).expanduser().absolute()
    notebooks = Path(notebooks_dir or bundled_notebooks()).expanduser().absolute()
    if not (notebooks / "01_log_order.ipynb").exists():
        raise CasebookError(f"notebooks not found in {notebooks}; pass --notebooks DIR")
    book = open_casebook(casebook_path, with_examples=False)
    results: dict[str, RowResult] = {}
    tasks = []
    for row in rows:
        row_dir = output / row.row_id
        if row.problem:
            results[row.row_id] = RowResult(row.row_id, row.line, "invalid", error=row.problem)
            write_row_result(row_dir, results[row.row_id])
        elif (done := _finished(row_dir)) is not None:
            done.status = "skipped"
            results[row.row_id] = done
        else:
            tasks.append(make_task(row, output=output, casebook_path=book.path.absolute(), notebooks_dir=notebooks,
                                   base=orders.parent, kernel=kernel, timeout=timeout,
                                   evidence_root=Path(evidence_root).expanduser().absolute() if evidence_root else None))
    if provider in NETWORK_PROVIDERS:
        fetch_tracking(tasks, provider, book=book, progress=progress)
    with tqdm(total=len(tasks), desc="batch", unit="order", disable=not progress or not tasks) as bar:
        def done(result: RowResult) -> None:
            results[result.row_id] = result
            bar.update(1)

        if engine == "dask":
            run_dask(tasks, workers, done, scheduler=scheduler)
        else:
            run_local(tasks, workers, done)
    ordered = [results[row.row_id] for row in rows]
    write_summary(output, ordered)
    return ordered


def write_summary(output: Path, results: list[RowResult]) -> None:
    """``summary.csv``: one line per row of the orders file, in its order."""
    import csv
    import io

    from ..csvsafe import safe_csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row_id", "line", "status", "case_id", "ready", "error"])
    for r in results:
        cells = [r.row_id, r.line, r.status, r.case_id or "", "" if r.ready is None else str(r.ready), r.error or ""]
        writer.writerow([safe_csv_cell(c) for c in cells])  # a spreadsheet must not run a cell as a formula
    atomic_write_bytes(output / "summary.csv", buffer.getvalue().encode("utf-8"))


def summary_table(results: list[RowResult], lang: str = "en") -> str:
    """A plain-text table for the terminal: one line per row, errors spelled out, in ``lang``.

    ``summary.csv`` keeps the statuses as values (``ok``, ``failed`` …) for scripts; here they are words.
    """
    from ..i18n import t
    from ..views import text_table

    statuses = ("ok", "skipped", "failed", "invalid")
    shown = {s: t(f"batch.status.{s}", lang) for s in statuses}
    head = [t(f"batch.column.{c}", lang) for c in ("row", "status", "case", "ready", "error")]
    rows = [[r.row_id, shown.get(r.status, r.status), r.case_id or "-",
             "" if r.ready is None else t("batch.yes" if r.ready else "batch.no", lang), r.error or ""] for r in results]
    out = text_table([head, *rows])
    counts = {s: sum(r.status == s for r in results) for s in statuses}
    out.append(t("batch.counts", lang, **counts))
    return "\n".join(out)


def results_frame(results: list[RowResult]) -> Any:
    """The batch's results as a pandas table (the batch notebook's summary)."""
    import pandas as pd

    columns = ["row_id", "line", "status", "case_id", "ready", "error"]
    return pd.DataFrame([{c: getattr(r, c) for c in columns} for r in results], columns=columns)


def orders_frame(orders: Path) -> Any:
    """What a batch would run, one line per row, with the problem of each invalid row (nothing is run)."""
    import pandas as pd

    rows = read_orders(Path(orders).expanduser().absolute())
    columns = ["row_id", "line", "order_id", "item_title", "problem_kind", "tracking_number", "problem"]
    return pd.DataFrame([{"row_id": r.row_id, "line": r.line, **{c: r.values.get(c) or None for c in columns[2:6]},
                          "problem": r.problem} for r in rows], columns=columns)
