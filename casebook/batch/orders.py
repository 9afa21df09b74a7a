"""The orders spreadsheet and the per-order work it turns into.

The CSV is read by the csv module from the file object (never split on lines
first), so a cell holding a line break stays one cell. Every path becomes
absolute here, before any worker sees it: the notebooks run elsewhere, so a
relative path would mean something else there.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CasebookError

__all__ = ["BatchRow", "OrderTask", "read_orders", "make_task", "case_id_for", "REQUIRED", "COLUMNS", "STEPS"]

STEPS = ("01_log_order", "02_check_tracking", "03_collect_evidence", "04_dispute_summary")
REQUIRED = ("order_id", "item_title", "price", "order_date", "problem_kind")
COLUMNS = REQUIRED + ("case_id", "platform", "currency", "ship_date", "promised_date", "received_date", "payment_method",
                      "option", "description", "tracking_number", "paste_file", "evidence", "today")
ORDER_FIELDS = ("order_id", "platform", "item_title", "option", "price", "currency", "payment_method", "order_date",
                "ship_date", "promised_date", "received_date", "problem_kind", "tracking_number")


@dataclass
class BatchRow:
    number: int  # 1-based data row; the spreadsheet's row is number + 1 (the header is row 1)
    row_id: str
    values: dict[str, str]
    problem: str | None = None

    @property
    def line(self) -> int:
        return self.number + 1


@dataclass
class OrderTask:
    """Everything one order needs, as plain absolute paths: picklable for a Dask cluster."""

    row_id: str
    line: int
    case_id: str
    row_dir: str
    casebook_path: str
    notebooks_dir: str
    parameters: dict[str, dict[str, Any]]  # step name -> papermill parameters (result_file is added per run)
    paste_file: str | None = None  # the tracking text for step 02 (from the CSV, or fetched by the batch)
    tracking_error: str | None = None  # the central fetch's answer when it could not track this number
    input_error: str | None = None  # a file the row names that may not be read (outside the CSV's folder, a link)
    kernel: str = "python3"
    timeout: float = 300.0


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")[:40] or "row"


def case_id_for(values: dict[str, str]) -> str:
    """A deterministic id, so a resumed batch finds the case an earlier run created."""
    order_id = values.get("order_id") or ""
    if re.fullmatch(r"\d+(?:\s+\d+)+", order_id):  # "8190 0123 …" is saved as its digits: the id follows them
        order_id = re.sub(r"\s+", "", order_id)
    return values.get("case_id") or slug(f"{values.get('platform') or 'aliexpress'}-{order_id}")


def read_orders(path: Path) -> list[BatchRow]:
    """Rows of an orders CSV, every cell kept as text; rows missing required columns are marked, not dropped."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise CasebookError(f"{path}: the header lacks {', '.join(missing)}; columns: {', '.join(COLUMNS)}")
            unknown = [h for h in header if h not in COLUMNS]
            if unknown:
                raise CasebookError(f"{path}: unknown column(s) {', '.join(unknown)}; accepted: {', '.join(COLUMNS)}")
            raws = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CasebookError(f"{path}: cannot read the orders file ({error})") from None
    rows = []
    for number, raw in enumerate(raws, start=1):
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        row_id = f"row{number:03d}-{slug(values.get('case_id') or values.get('order_id') or '')}"
        problems = []
        absent = [c for c in REQUIRED if not values.get(c)]
        if absent:
            problems.append(f"missing {', '.join(absent)}")
        if raw.get(None):  # csv.DictReader puts surplus cells under the key None
            problems.append(f"{len(raw[None])} cell(s) more than the header's {len(header)} columns")
        rows.append(BatchRow(number, row_id, values, "; ".join(problems) or None))
    return rows


def _contained(value: str, base: Path, root: Path) -> str:
    """A CSV cell's path (relative to the CSV's folder ``base`` unless absolute), which must lie inside ``root``."""
    from ..evidence import resolve_inside

    path = Path(value).expanduser()
    return str(resolve_inside(path if path.is_absolute() else base / path, root))


def make_task(row: BatchRow, *, output: Path, casebook_path: Path, notebooks_dir: Path, base: Path,
              kernel: str = "python3", timeout: float = 300.0, evidence_root: Path | None = None) -> OrderTask:
    """The four steps' parameters for one row; paths in the CSV are relative to the CSV's folder (``base``).

    Files a row names (evidence, a pasted tracking page) must lie inside the CSV's folder or ``evidence_root``:
    a row naming ``../../.ssh/id_rsa`` or a link out of the folder fails with a one-line error.
    """
    from ..errors import EvidenceError

    root = evidence_root or base
    problems: list[str] = []

    def contained(value: str) -> str:
        try:
            return _contained(value, base, root)
        except EvidenceError as error:
            problems.append(str(error))
            return value

    v = row.values
    row_dir = output / row.row_id
    common: dict[str, Any] = {"casebook_path": str(casebook_path), "today": v.get("today") or None}
    fields: dict[str, Any] = {k: (v.get(k) or None) for k in ORDER_FIELDS}
    fields["description"] = v.get("description") or ""
    fields["currency"] = fields["currency"] or "KRW"
    fields["platform"] = fields["platform"] or "aliexpress"
    case_id = case_id_for(v)
    evidence = []
    for entry in (v.get("evidence") or "").split(";"):
        file, bar, rest = entry.strip().partition("|")
        if file.strip():
            evidence.append(contained(file.strip()) + bar + rest)
    paste = v.get("paste_file") or None
    parameters = {
        "01_log_order": common | fields | {"case_id": case_id},
        "02_check_tracking": common | {"case_id": case_id, "provider": "offline"},
        "03_collect_evidence": common | {"case_id": case_id, "evidence": evidence, "evidence_base": str(base)},
        "04_dispute_summary": common | {"case_id": case_id, "output_dir": str(row_dir / "summary")},
    }
    paste_file = contained(paste) if paste else None
    return OrderTask(row.row_id, row.line, case_id, str(row_dir), str(casebook_path), str(notebooks_dir), parameters,
                     paste_file=paste_file, kernel=kernel, timeout=timeout, input_error="; ".join(problems) or None)
