"""The step notebooks' headless face: papermill parameters in, a JSON result out.

Each function maps a notebook's parameters onto one use case in
``casebook.services`` and returns the result as a JSON-able dict (what the
notebook writes to ``result_file``). No rules live here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import services
from .errors import CasebookError, EvidenceError
from .store import Casebook, atomic_write_bytes

__all__ = ["open_casebook", "overview", "log_order", "check_tracking", "collect_evidence", "dispute_summary",
           "write_result", "show", "evidence_entries"]


def open_casebook(path: str | os.PathLike[str] | None = None, *, lang: str | None = None, tz: str | None = None,
                  with_examples: bool = True) -> Casebook:
    """The casebook at ``path`` (else ``$CASEBOOK_PATH``, else ``~/casebook``), created if missing.

    A new, empty casebook gets the guide's five example cases, so every
    notebook has something to show on first run (the embedded default).
    ``lang``/``tz`` are the notebook's parameters; ``None`` keeps casebook.toml's.
    """
    return services.open_casebook(path, create=True, examples=with_examples, language=lang, timezone=tz)


def show(result: dict[str, Any]) -> None:
    """Show a step's result in the executed notebook: as JSON (a tree in JupyterLab) and as indented text.

    Cheaper than IPython's pretty-printer, which costs a batch more than the step's own work.
    """
    from IPython.display import display

    text = json.dumps(result, indent=1, ensure_ascii=False, default=str)
    display({"application/json": json.loads(text), "text/plain": text}, raw=True)


def write_result(path: str | os.PathLike[str] | None, result: dict[str, Any]) -> dict[str, Any]:
    """Write the step's JSON result (atomically) when a path is given; returns the result."""
    if path:
        atomic_write_bytes(Path(path), json.dumps(result, indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    return result


def overview(book: Casebook, output_dir: str | os.PathLike[str], *, today: str | None = None) -> dict[str, Any]:
    frame = services.overview(book, today=today)
    path = services.overview_csv(book, output_dir, today=today)
    broken = frame[frame["error"].notna()]["id"].tolist()
    return {"cases": len(frame), "broken": broken, "ready": int(frame["ready"].eq(True).sum()), "files": {"csv": str(path)}}


def log_order(book: Casebook, *, case_id: str | None = None, order_file: str | None = None,
              fields: dict[str, Any] | None = None, today: str | None = None) -> dict[str, Any]:
    """Create the case from an order file or fields; an existing ``case_id`` with no order is reused."""
    fields = {k: v for k, v in (fields or {}).items() if v is not None and v != ""}
    if case_id and case_id in book and not order_file and not fields.get("order_id"):
        return {"case_id": case_id, "created": False}
    if order_file:
        saved = services.new_case_from_file(book, order_file, case_id=case_id)
    elif fields:
        saved = services.new_case(book, fields, case_id=case_id, today=today)
    else:
        raise CasebookError("log_order: give an order_file, order fields (order_id, item_title, ...) or an existing case_id")
    return saved.to_dict()


def check_tracking(book: Casebook, case_id: str, *, provider: str = "offline", paste_file: str | None = None,
                   today: str | None = None) -> dict[str, Any]:
    """Track the case's number (a pasted page, or an API), save the snapshot, and read the timeline."""
    report = services.track(book, case_id, provider=provider, paste_file=paste_file, today=today)
    if report.error is not None and (paste_file or provider != "offline"):
        raise CasebookError(f"tracking {report.number}: {report.error}")
    return report.to_dict()


def evidence_entries(evidence: Any) -> list[dict[str, str]]:
    """Notebook/batch evidence parameters (``"path|kind|caption"`` strings or dicts) as entries."""
    entries = []
    for item in evidence or []:
        if isinstance(item, dict):
            entries.append({"file": str(item["file"]), "kind": str(item.get("kind", "other")),
                            "caption": str(item.get("caption", ""))})
        else:
            file, _, rest = str(item).partition("|")
            kind, _, caption = rest.partition("|")
            entries.append({"file": file.strip(), "kind": kind.strip() or "other", "caption": caption.strip()})
    return entries


def collect_evidence(book: Casebook, case_id: str, evidence: Any = None, *, base: str | None = None) -> dict[str, Any]:
    """Add evidence files (``"path|kind|caption"`` strings or dicts), then check them and the checklist."""
    report = services.collect_evidence(book, case_id, evidence_entries(evidence), base=base)
    if report.refused:
        raise EvidenceError("; ".join(report.refused))
    return report.to_dict()


def dispute_summary(book: Casebook, case_id: str, output_dir: str | os.PathLike[str], *, today: str | None = None,
                    show_private: bool = False) -> dict[str, Any]:
    """Write the message (en/ko), report (html, md), dispute pack (zip) and deadlines (.ics)."""
    exported = services.export(book, case_id, output_dir, today=today, show_private=show_private)
    advice = services.advise(book, case_id, today=today)
    summary = services.summarise(book, case_id, today=today, show_private=show_private)
    lang = book.settings.language
    return {"case_id": case_id, "ready": exported.ready, "score": advice.score, "subject": summary.subjects[lang],
            "reasons": summary.reasons[lang], "next_steps": advice.steps(lang), "language": lang,
            "next_deadline": advice.next_deadline.describe(lang) if advice.next_deadline else None,
            "deadlines": [d.to_dict() for d in advice.deadlines if d.status.value != "not_applicable"],
            "files": {k: str(v) for k, v in exported.files.items()}}
