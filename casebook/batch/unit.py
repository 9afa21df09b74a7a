"""The per-order unit: the four step notebooks for one row, in this worker's kernel.

The same function runs in a local worker thread and on a Dask worker, so
both engines produce the same folders, results and casebook. A resumed row
must not repeat what an earlier, interrupted run already saved: cases are
reused (deterministic id), evidence is kept once per content hash, events
are merged, and a tracking paste whose snapshot the case already holds is
not imported again (the step then reads the saved history instead).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CasebookError
from ..store import atomic_write_bytes
from .orders import STEPS, OrderTask

__all__ = ["RowResult", "run_order", "error_line", "write_row_result", "read_row_result", "snapshot_key"]


@dataclass
class RowResult:
    row_id: str
    line: int
    status: str  # ok | failed | skipped | invalid
    case_id: str | None = None
    ready: bool | None = None
    error: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)


def error_line(error: BaseException) -> str:
    """One line a shopper can act on: the cell's exception for a failed step, else the error's first line."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):  # casebook's own refusals say what is wrong without a class name
        text = error.evalue if error.ename in _own_errors() else f"{error.ename}: {error.evalue}"
    elif isinstance(error, CasebookError):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.strip().splitlines()[0].split()) if text.strip() else type(error).__name__


def _step_failed(error: BaseException) -> bool:
    """A notebook's cell raised (the kernel itself is fine)."""
    from papermill.exceptions import PapermillExecutionError

    return isinstance(error, PapermillExecutionError)


def _own_errors() -> set[str]:
    """The names of casebook's error classes (a step's refusal of the row's input)."""
    from .. import field_errors  # noqa: F401 - ShopperError is defined there

    found, todo = set(), [CasebookError]
    while todo:
        kind = todo.pop()
        found.add(kind.__name__)
        todo.extend(kind.__subclasses__())
    return found


def write_row_result(row_dir: Path, result: RowResult) -> None:
    row_dir.mkdir(parents=True, exist_ok=True)
    fields = {name: getattr(result, name) for name in result.__dataclass_fields__}  # outputs are JSON already
    data = json.dumps(fields, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    atomic_write_bytes(row_dir / "result.json", data)


def read_row_result(row_dir: Path) -> RowResult | None:
    try:
        return RowResult(**json.loads((row_dir / "result.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def snapshot_key(snapshot: Any) -> str:
    """What a tracking snapshot says, without when it was taken: equal keys mean the same answer."""
    events = [(e.time.timestamp(), e.description, e.location, str(e.status), e.sub_status) for e in snapshot.events]
    text = json.dumps([snapshot.number, str(snapshot.status), snapshot.sub_status, events], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _paste_to_import(task: OrderTask, case_id: str) -> str | None:
    """The paste for step 02, or None when the case already holds exactly this snapshot (no duplicate on resume)."""
    if task.paste_file is None:
        return None
    from ..store import Casebook
    from ..tracking.providers import OfflineProvider

    try:
        text = Path(task.paste_file).read_text(encoding="utf-8")
        case = Casebook(task.casebook_path).get(case_id)
    except (OSError, UnicodeDecodeError, CasebookError):
        return task.paste_file  # the step says what is wrong with it
    number = case.shipment.tracking_number if case.shipment else None
    if not number:
        return task.paste_file
    (fresh,) = OfflineProvider({number: text}).track([number])
    held = {snapshot_key(s) for shipment in case.shipments for s in shipment.snapshots}
    return None if fresh.error is None and snapshot_key(fresh.to_snapshot()) in held else task.paste_file


def run_order(task: OrderTask) -> RowResult:
    """One row, four notebooks, one kernel; any failure becomes the row's error line and result.json says so."""
    from .kernel import in_thread_context

    return in_thread_context(_run_order, task)


def _run_order(task: OrderTask) -> RowResult:
    from .kernel import RESET, drop_kernel, execute_steps, kernel_for_thread

    row_dir = Path(task.row_dir)
    row_dir.mkdir(parents=True, exist_ok=True)
    for name in STEPS:  # a re-run rewrites the row: no executed notebook from an older run stays beside new ones
        for suffix in (".ipynb", ".json"):
            (row_dir / f"{name}{suffix}").unlink(missing_ok=True)
    result = RowResult(task.row_id, task.line, "failed")
    notebooks = Path(task.notebooks_dir)

    def job(name: str, **changes: Any) -> tuple[Path, Path, dict[str, Any]]:
        params = dict(task.parameters[name], result_file=str(row_dir / f"{name}.json"), **changes)
        return notebooks / f"{name}.ipynb", row_dir / f"{name}.ipynb", params

    def read(name: str) -> dict[str, Any]:
        result.outputs[name] = json.loads((row_dir / f"{name}.json").read_text(encoding="utf-8"))
        return result.outputs[name]

    def rest(case: str) -> list[tuple[Path, Path, dict[str, Any]]]:
        return [job("02_check_tracking", case_id=case, paste_file=_paste_to_import(task, case)),
                job("03_collect_evidence", case_id=case), job("04_dispute_summary", case_id=case)]

    def logged() -> str | None:
        """The case step 01 put the order in, once it has run."""
        try:
            return str(read("01_log_order")["case_id"])
        except (OSError, ValueError, KeyError):
            return None

    case_id: str | None = None
    try:
        if task.input_error:
            raise CasebookError(task.input_error)
        kernel = kernel_for_thread(task.kernel)  # first: a new kernel boots while papermill is imported
        from papermill.exceptions import PapermillExecutionError

        # All four notebooks go at once (every request sent before any answer is read), for the case the row
        # names. Step 01 may find the order logged before under another id: then step 02 fails on the missing
        # case, nothing is saved, and 02-04 run again for the case step 01 found.
        jobs = [job("01_log_order")] + ([] if task.tracking_error else rest(task.case_id))
        try:
            execute_steps(kernel, jobs, timeout=task.timeout, prelude=RESET)
        except PapermillExecutionError:
            case_id = logged()
            if case_id is None or case_id == task.case_id:
                raise
            execute_steps(kernel, rest(case_id), timeout=task.timeout)
        case_id = logged()
        if task.tracking_error:
            raise CasebookError(task.tracking_error)
        for name in STEPS[1:]:
            read(name)
        result.status, result.case_id = "ok", case_id
        result.ready = result.outputs["04_dispute_summary"]["ready"]
    except Exception as error:  # noqa: BLE001 - the row fails, the batch goes on
        result.case_id = case_id or logged()
        result.error = error_line(error)
        if not isinstance(error, CasebookError) and not _step_failed(error):
            drop_kernel()  # timed out, died or lost its channels: the next order gets a fresh kernel
    write_row_result(row_dir, result)
    return result
