"""The four steps as plain functions: what a notebook runs when papermill gives it values.

Each returns a small JSON-able dict (the notebook's result) and changes the
casebook or writes files; the widget panels call the same package functions.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .errors import CaseInputError, CasebookError
from .models import as_of
from .store import Casebook, atomic_write_bytes

__all__ = ["open_casebook", "as_of", "overview", "log_order", "check_tracking", "collect_evidence", "dispute_summary",
           "write_result", "DEFAULT_CASEBOOK"]

DEFAULT_CASEBOOK = "~/casebook"


def open_casebook(path: str | os.PathLike[str] | None = None, *, with_examples: bool = True) -> Casebook:
    """The casebook at ``path`` (else ``$CASEBOOK_PATH``, else ``~/casebook``), created if missing.

    A new, empty casebook gets the guide's five example cases, so every
    notebook has something to show on first run (the embedded default).
    """
    chosen = Path(os.path.expanduser(str(path or os.environ.get("CASEBOOK_PATH") or DEFAULT_CASEBOOK)))
    fresh = not (chosen / "casebook.toml").exists()
    book = Casebook(chosen, create=True)
    if fresh and with_examples and not book.ids():
        from .examples import examples_dir, load_examples

        try:
            examples_dir()
        except CasebookError:
            return book  # installed without the repository's examples/: start empty
        load_examples(book)
    return book


def write_result(path: str | os.PathLike[str] | None, result: dict[str, Any]) -> dict[str, Any]:
    """Write the step's JSON result (atomically) when a path is given; returns the result."""
    if path:
        atomic_write_bytes(Path(path), json.dumps(result, indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    return result


def overview(book: Casebook, output_dir: str | os.PathLike[str], *, today: str | None = None) -> dict[str, Any]:
    from .ui.overview import overview_frame

    frame = overview_frame(book, now=as_of(today))
    target = Path(output_dir)
    target.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target / "overview.csv", index=False)
    broken = frame[frame["error"].notna()]["id"].tolist()
    return {"cases": len(frame), "broken": broken, "ready": int(frame["ready"].eq(True).sum()),
            "files": {"csv": str(target / "overview.csv")}}


def _order_from_fields(fields: dict[str, Any]) -> dict[str, Any]:
    order_id = fields.get("order_id")
    if order_id is not None and not isinstance(order_id, str):
        raise CaseInputError([("order.order_id", f"must be text, got {type(order_id).__name__} {order_id!r}; "
                                                 "pass it as a string (papermill: -r order_id 0081234)")])
    price = fields.get("price")
    data: dict[str, Any] = {
        "order": {k: v for k, v in {
            "platform": fields.get("platform") or "aliexpress", "order_id": order_id,
            "item_title": fields.get("item_title"), "option": fields.get("option") or None,
            "store_name": fields.get("store_name") or None,
            "price": {"amount": str(price) if price is not None else None, "currency": fields.get("currency") or "KRW"},
            "payment_method": fields.get("payment_method") or None, "order_date": fields.get("order_date"),
            "ship_date": fields.get("ship_date") or None, "promised_date": fields.get("promised_date") or None,
            "received_date": fields.get("received_date") or None,
        }.items() if v is not None},
        "problem": {"kind": fields.get("problem_kind"), "description": fields.get("description") or ""},
    }
    if fields.get("tracking_number"):
        from .tracking.numbers import parse

        parsed = parse(str(fields["tracking_number"]))
        data["shipments"] = [{"tracking_number": parsed.number, "carrier": parsed.carrier}]
    return data


def log_order(book: Casebook, *, case_id: str | None = None, order_file: str | None = None,
              fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create the case from an order file or fields; an existing ``case_id`` with no order is reused."""
    from pydantic import ValidationError

    from .examples import read_new_case
    from .models import Case

    fields = {k: v for k, v in (fields or {}).items() if v is not None}
    if case_id and case_id in book and not order_file and not fields.get("order_id"):
        return {"case_id": case_id, "created": False}
    if order_file:
        data = read_new_case(Path(order_file))
    elif fields:
        data = _order_from_fields(fields)
    else:
        raise CasebookError("log_order: give an order_file, order fields (order_id, item_title, ...) or an existing case_id")
    chosen = case_id or data.pop("id", None)
    data.pop("id", None)
    if chosen and chosen in book:
        existing = book.get(chosen)
        if existing.order.order_id == (data.get("order") or {}).get("order_id"):
            return {"case_id": chosen, "created": False}  # a re-run (e.g. a resumed batch) reuses its case
        raise CasebookError(f"case {chosen!r} already exists for order {existing.order.order_id}; choose another case_id")
    try:
        order_problem = Case.model_validate({"id": chosen or "draft", **data})
    except ValidationError as error:
        raise CaseInputError.from_validation(error) from None
    extra = {k: getattr(order_problem, k) for k in ("shipments", "messages", "dispute", "shopper", "notes")}
    case = book.new_case(order_problem.order, order_problem.problem, case_id=chosen, **extra)
    return {"case_id": case.id, "created": True}


def check_tracking(book: Casebook, case_id: str, *, provider: str = "offline", paste_file: str | None = None,
                   today: str | None = None) -> dict[str, Any]:
    """Track the case's number (a pasted page, or an API), save the snapshot, and read the timeline."""
    from .tracking.providers import OfflineProvider
    from .tracking.service import get_provider, save_result
    from .playbook import Rules
    from .tracking.timeline import analyse

    case = book.get(case_id)
    number = case.shipment.tracking_number if case.shipment else None
    saved = False
    problems: list[Any] = []
    status = sub_status = None
    if number and (paste_file or provider != "offline"):
        if provider == "offline":
            try:
                text = Path(paste_file).read_text(encoding="utf-8")  # type: ignore[arg-type]
            except (OSError, UnicodeDecodeError) as error:
                raise CasebookError(f"paste_file: cannot read {paste_file} ({type(error).__name__}); "
                                    "give a text file copied from the tracking page") from None
            chosen: Any = OfflineProvider({number: text})
        else:
            chosen = get_provider(provider, book=book)
        (result,) = chosen.track([number])
        if result.error is not None:
            raise CasebookError(f"tracking {number}: {result.error.message}")
        case = save_result(book, case_id, result)
        saved = True
        status, sub_status = result.status, result.sub_status
        problems = getattr(chosen, "problems", {}).get(number, [])
    events = [e for s in case.shipments for e in s.events]
    limits = Rules.for_casebook(book).timeline
    kwargs = {"status": status, "sub_status": sub_status} if status is not None else {}
    timeline = analyse(events, order=case.order, problem=case.problem.kind, now=as_of(today), limits=limits, **kwargs)
    return {"case_id": case_id, "number": number, "saved_snapshot": saved, "status": timeline.status.value,
            "events": len(events), "flags": timeline.keys, "days_since_last_event": timeline.days_since_last_event,
            "unread_lines": [line for _, line, _ in problems]}


def _evidence_entries(evidence: Any) -> list[dict[str, str]]:
    entries = []
    for item in evidence or []:
        if isinstance(item, dict):
            entries.append({"file": str(item["file"]), "kind": str(item.get("kind", "other")), "caption": str(item.get("caption", ""))})
        else:
            file, _, rest = str(item).partition("|")
            kind, _, caption = rest.partition("|")
            entries.append({"file": file.strip(), "kind": kind.strip() or "other", "caption": caption.strip()})
    return entries


def collect_evidence(book: Casebook, case_id: str, evidence: Any = None, *, base: str | None = None) -> dict[str, Any]:
    """Add evidence files (``"path|kind|caption"`` strings or dicts), then check them and the checklist."""
    from .evidence import add_evidence, verify
    from .playbook import Rules, checklist

    added, duplicates = [], []
    for entry in _evidence_entries(evidence):
        path = Path(entry["file"])
        if base and not path.is_absolute():
            path = Path(base) / path
        case = book.get(case_id)
        result = add_evidence(book, case, path, entry["kind"], entry["caption"])
        (duplicates if result.duplicate else added).append(result.evidence.id)
    case = book.get(case_id)
    items = checklist(case, Rules.for_casebook(book))
    return {"case_id": case_id, "added": added, "duplicates": duplicates, "evidence": len(case.evidence),
            "missing_required": [i.key for i in items if i.required and not i.present],
            "integrity_problems": [str(i) for i in verify(book, case)]}


def dispute_summary(book: Casebook, case_id: str, output_dir: str | os.PathLike[str], *, lang: str = "ko",
                    today: str | None = None, show_private: bool = False) -> dict[str, Any]:
    """Write the message (en/ko), report (html, md), dispute pack (zip) and deadlines (.ics)."""
    from .playbook import Rules, advise, deadlines_ics
    from .summary import build_pack, report_html, report_markdown, summarise

    case = book.get(case_id)
    rules = Rules.for_casebook(book)
    now = as_of(today)
    target = Path(output_dir)
    target.mkdir(parents=True, exist_ok=True)
    summary = summarise(case, now=now, rules=rules, show_private=show_private)
    advice = advise(case, now=now, rules=rules)
    files = {
        "message_en": target / f"{case_id}-message-en.txt",
        "message_ko": target / f"{case_id}-message-ko.txt",
        "html": target / f"{case_id}-report.html",
        "md": target / f"{case_id}-report.md",
        "zip": target / f"{case_id}-dispute-pack.zip",
        "ics": target / f"{case_id}-deadlines.ics",
    }
    from .evidence import pack_copies

    copies = pack_copies(book, case)
    html = report_html(case, book=book, now=now, rules=rules, show_private=show_private, copies=copies)
    markdown = report_markdown(case, now=now, rules=rules, show_private=show_private)
    atomic_write_bytes(files["message_en"], summary.text("en").encode("utf-8"))
    atomic_write_bytes(files["message_ko"], summary.text("ko").encode("utf-8"))
    atomic_write_bytes(files["html"], html.encode("utf-8"))
    atomic_write_bytes(files["md"], markdown.encode("utf-8"))
    build_pack(book, case, files["zip"], now=now, rules=rules, show_private=show_private, summary=summary, html=html,
               markdown=markdown, copies=copies)
    atomic_write_bytes(files["ics"], deadlines_ics(case, advice.deadlines, lang=lang))
    if summary.seller_message:
        files["seller_message"] = target / f"{case_id}-seller-message-en.txt"
        atomic_write_bytes(files["seller_message"], summary.seller_message.encode("utf-8"))
    return {"case_id": case_id, "ready": summary.ready, "score": advice.score, "subject": summary.subject,
            "reasons": summary.reasons_en, "next_steps": advice.steps(lang),
            "next_deadline": advice.next_deadline.describe(lang) if advice.next_deadline else None,
            "files": {k: str(v) for k, v in files.items()}}
