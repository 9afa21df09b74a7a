"""Run the guided notebooks for every row of an orders spreadsheet (papermill, parallel).

One folder per row under the output directory holds the executed notebooks,
the summary files and ``result.json``. A bad row gets a clear error line and
never stops the batch; re-running skips rows already finished (resumable).
Order ids are passed to papermill as strings (never ``-p``: it would turn
``0081234`` into ``81234``), and widget state is not stored in executed
notebooks, so no token or uploaded file ends up in them.
"""

from __future__ import annotations

import csv
import json

import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from .errors import CasebookError
from .store import atomic_write_bytes

__all__ = ["BatchRow", "RowResult", "read_orders", "run_batch", "run_step", "NOTEBOOKS", "NOTEBOOKS_DIR"]

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"

NOTEBOOKS = ("01_log_order", "02_check_tracking", "03_collect_evidence", "04_dispute_summary")
REQUIRED = ("order_id", "item_title", "price", "order_date", "problem_kind")
COLUMNS = REQUIRED + ("case_id", "platform", "currency", "ship_date", "promised_date", "received_date", "payment_method",
                      "option", "description", "tracking_number", "paste_file", "evidence", "today")


@dataclass
class BatchRow:
    number: int  # 1-based data row (the spreadsheet's line is number + 1)
    row_id: str
    values: dict[str, str]
    problem: str | None = None


@dataclass
class RowResult:
    row_id: str
    line: int
    status: str  # ok | failed | skipped | invalid
    case_id: str | None = None
    ready: bool | None = None
    error: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")[:40] or "row"


def read_orders(path: Path) -> list[BatchRow]:
    """Rows of an orders CSV, every cell kept as text; rows missing required columns are marked, not dropped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CasebookError(f"{path}: cannot read the orders file ({error})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CasebookError(f"{path}: the header lacks {', '.join(missing)}; columns: {', '.join(COLUMNS)}")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise CasebookError(f"{path}: unknown column(s) {', '.join(unknown)}; accepted: {', '.join(COLUMNS)}")
    rows = []
    for number, raw in enumerate(reader, start=1):
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        row_id = f"row{number:03d}-{_slug(values.get('case_id') or values.get('order_id') or '')}"
        absent = [c for c in REQUIRED if not values.get(c)]
        rows.append(BatchRow(number, row_id, values, f"missing {', '.join(absent)}" if absent else None))
    return rows


def run_step(name: str, out: Path, parameters: dict[str, Any], *, notebooks_dir: Path = NOTEBOOKS_DIR,
             kernel: str = "python3") -> dict[str, Any]:
    """Execute one step notebook headless into ``out`` and return the JSON result it wrote.

    Values go through papermill's Python API (so ids stay text) and widget
    state is not stored (so no token or uploaded file lands in the executed copy).
    """
    import papermill as pm

    result_file = out / f"{name}.json"
    pm.execute_notebook(str(notebooks_dir / f"{name}.ipynb"), str(out / f"{name}.ipynb"),
                        parameters=parameters | {"result_file": str(result_file)}, kernel_name=kernel,
                        progress_bar=False, log_output=False, store_widget_state=False, cwd=str(out),
                        request_save_on_cell_execute=False)
    return json.loads(result_file.read_text(encoding="utf-8"))


def _inside(entry: str, base: Path, root: Path) -> str:
    """An evidence entry (``path|kind|caption``, relative to ``base``) whose path must resolve inside ``root``."""
    from .evidence import resolve_inside

    file, sep, rest = entry.partition("|")
    return str(resolve_inside(base / file.strip(), root)) + sep + rest


def _parameters(row: BatchRow, casebook_path: str, row_dir: Path, base: Path,
                evidence_root: Path | None = None) -> list[tuple[str, dict[str, Any]]]:
    v = row.values
    common = {"casebook_path": casebook_path, "lang": "ko", "today": v.get("today") or None}
    # a deterministic id, so that a resumed batch finds the case a failed run created
    case_id = v.get("case_id") or _slug(f"{v.get('platform') or 'aliexpress'}-{v.get('order_id')}")
    fields = {k: (v.get(k) or None) for k in ("order_id", "platform", "item_title", "option", "price", "currency",
                                              "payment_method", "order_date", "ship_date", "promised_date",
                                              "received_date", "problem_kind", "tracking_number")}
    fields["description"] = v.get("description") or ""
    fields["currency"] = fields["currency"] or "KRW"
    fields["platform"] = fields["platform"] or "aliexpress"
    paste = v.get("paste_file") or None
    evidence = [_inside(e.strip(), base, evidence_root or base) for e in (v.get("evidence") or "").split(";") if e.strip()]
    return [
        ("01_log_order", common | fields | {"case_id": case_id}),
        ("02_check_tracking", common | {"provider": "offline", "paste_file": str(base / paste) if paste else None}),
        ("03_collect_evidence", common | {"evidence": evidence, "evidence_base": str(base)}),
        ("04_dispute_summary", common | {"output_dir": str(row_dir / "summary")}),
    ]


def _run_row(row: BatchRow, casebook_path: str, output: str, notebooks_dir: str, base: str, kernel: str,
             evidence_root: str | None = None) -> RowResult:
    """One row, four notebooks, in a worker process; any failure becomes the row's error line."""
    row_dir = Path(output) / row.row_id
    row_dir.mkdir(parents=True, exist_ok=True)
    result = RowResult(row.row_id, row.number + 1, "failed")
    case_id: str | None = None
    try:
        for name, params in _parameters(row, casebook_path, row_dir, Path(base),
                                        Path(evidence_root) if evidence_root else None):
            if name != "01_log_order":
                params["case_id"] = case_id
            step = run_step(name, row_dir, params, notebooks_dir=Path(notebooks_dir), kernel=kernel)
            result.outputs[name] = step
            if name == "01_log_order":
                case_id = step["case_id"]
        result.status, result.case_id = "ok", case_id
        result.ready = result.outputs["04_dispute_summary"]["ready"]
    except Exception as error:  # noqa: BLE001 - the row fails, the batch goes on
        result.case_id = case_id
        result.error = _error_line(error)
    atomic_write_bytes(row_dir / "result.json", json.dumps(asdict(result), indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    return result


def _error_line(error: Exception) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return f"{error.ename}: {error.evalue}".strip()
    return f"{type(error).__name__}: {error}"


def _finished(row_dir: Path) -> RowResult | None:
    try:
        data = json.loads((row_dir / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return RowResult(**data) if data.get("status") == "ok" else None


def run_batch(orders: Path, output: Path, *, casebook_path: Path, workers: int = 2, notebooks_dir: Path | None = None,
              kernel: str = "python3", progress: bool = True, evidence_root: Path | None = None) -> list[RowResult]:
    """Run every row (in parallel worker processes); returns one result per row, in spreadsheet order.

    Evidence files named in a row must lie inside the spreadsheet's folder (or ``evidence_root``): a row
    naming ``../../.ssh/id_rsa`` or a link out of it fails with a one-line error.
    """
    from .steps import open_casebook

    rows = read_orders(orders)
    output.mkdir(parents=True, exist_ok=True)
    book = open_casebook(casebook_path, with_examples=False)
    notebooks = notebooks_dir or NOTEBOOKS_DIR
    if not (notebooks / "01_log_order.ipynb").exists():
        raise CasebookError(f"notebooks not found in {notebooks}; pass --notebooks DIR")
    results: dict[str, RowResult] = {}
    todo = []
    for row in rows:
        if row.problem:
            results[row.row_id] = RowResult(row.row_id, row.number + 1, "invalid", error=row.problem)
        elif (done := _finished(output / row.row_id)) is not None:
            done.status = "skipped"
            results[row.row_id] = done
        else:
            todo.append(row)
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool, \
            tqdm(total=len(todo), desc="batch", unit="order", disable=not progress or not todo) as bar:
        root = str(evidence_root.resolve()) if evidence_root else None
        futures = {pool.submit(_run_row, row, str(book.path), str(output), str(notebooks), str(orders.parent.resolve()), kernel,
                               root): row
                   for row in todo}
        for future in as_completed(futures):
            row = futures[future]
            try:
                results[row.row_id] = future.result()
            except Exception as error:  # noqa: BLE001 - a crashed worker is one failed row
                results[row.row_id] = RowResult(row.row_id, row.number + 1, "failed", error=_error_line(error))
            bar.update(1)
    ordered = [results[row.row_id] for row in rows]
    _write_summary(output, ordered)
    return ordered


def _write_summary(output: Path, results: list[RowResult]) -> None:
    lines = ["row_id,line,status,case_id,ready,error"]
    for r in results:
        cells = [r.row_id, str(r.line), r.status, r.case_id or "", "" if r.ready is None else str(r.ready), r.error or ""]
        lines.append(",".join('"' + c.replace('"', '""') + '"' if ("," in c or '"' in c) else c for c in cells))
    atomic_write_bytes(output / "summary.csv", ("\n".join(lines) + "\n").encode("utf-8"))


def summary_table(results: list[RowResult]) -> str:
    """A plain-text table for the terminal: one line per row, errors spelled out."""
    width = max((len(r.row_id) for r in results), default=6)
    out = [f"{'row':<{width}}  {'status':<8} {'case':<40} ready  error"]
    for r in results:
        out.append(f"{r.row_id:<{width}}  {r.status:<8} {(r.case_id or '-'):<40} {'' if r.ready is None else str(r.ready):<6} {r.error or ''}")
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed", "invalid")}
    out.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(out)


