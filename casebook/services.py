"""The use cases, once. The CLI, the step notebooks (papermill) and the widget panels call these.

Each function takes an open ``Casebook`` (which carries the ``Settings``
resolved when it was opened: time zone, language, rules, secrets, limits),
does one thing a shopper asks for, and returns a typed result that can show
itself in a notebook (``_repr_html_``) and be written as JSON (``to_dict``).
A face parses its input, calls one of these, and shows the result: nothing
more. Every file any face writes is named by ``export_name``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import evidence as _evidence
from . import playbook as _playbook
from . import summary as _summary
from .errors import CaseInputError, CasebookError
from .field_errors import FieldText, ShopperError, problem
from .i18n import t
from .models import Case, Dispute, Message, Order, Problem, utc_now, validate
from .settings import Settings
from .store import Casebook, atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

    from .evidence import EvidenceAdded, VerifyIssue
    from .playbook import Advice, ChecklistItem, Deadline
    from .summary import DisputeSummary
    from .tracking.providers import TrackingResult
    from .tracking.timeline import Timeline

__all__ = [
    "CaseSaved", "TrackReport", "EvidenceReport", "VerifyReport", "Exported", "EXPORT_NAMES", "FORM_FIELDS",
    "export_name", "casebook_path", "open_casebook", "new_case", "new_case_from_file", "find_order", "edit_case", "log_message",
    "record_dispute", "track", "track_numbers", "track_all", "add_evidence", "collect_evidence", "verify",
    "checklist", "advise", "deadlines", "summarise", "report", "export", "export_pack", "overview",
    "NumberCheckError", "WrongParcelError", "Undone", "undo_tracking", "remove_evidence", "remember_case",
    "current_case", "pick_case", "read_text_file",
]

DEFAULT_CASEBOOK = "~/casebook"

# One naming scheme for every file any face writes.
EXPORT_NAMES = {
    "message_en": "{case_id}-message-en.txt",
    "message_ko": "{case_id}-message-ko.txt",
    "seller_message": "{case_id}-seller-message-en.txt",
    "seller_message_zh": "{case_id}-seller-message-zh.txt",
    "report_html": "{case_id}-report.html",
    "report_md": "{case_id}-report.md",
    "pack": "{case_id}-dispute-pack.zip",
    "ics": "{case_id}-deadlines.ics",
    "overview": "overview.csv",
}
_FORMAT_FILES = {"txt": ("message_en", "message_ko"), "md": ("report_md",), "html": ("report_html",), "zip": ("pack",),
                 "ics": ("ics",)}
EXPORT_FORMATS = tuple(_FORMAT_FILES)


def export_name(case_id: str, what: str) -> str:
    """The file name for one export of a case (``seed-a-dispute-pack.zip``)."""
    return EXPORT_NAMES[what].format(case_id=case_id)


# -- results ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseSaved:
    """A case created (or, for an order already logged, the existing one)."""

    case: Case
    created: bool
    lang: str = "ko"

    @property
    def case_id(self) -> str:
        return self.case.id

    def message(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        return t("ui.saved" if self.created else "ui.already_logged", lang, case_id=self.case.id)

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case.id, "created": self.created}

    def _repr_html_(self) -> str:
        from .views import case_html

        return f"<p>{self.message()}</p>" + case_html(self.case, self.lang)


@dataclass(frozen=True)
class TrackReport:
    """What tracking said for one number, what it means, and whether it was saved in the case."""

    number: str
    result: "TrackingResult"
    timeline: "Timeline"
    case_id: str | None = None
    saved: bool = False
    unread: list[tuple[int, str, str]] = field(default_factory=list)  # (line number, line, why) of a paste
    lang: str = "ko"
    timezone: str = "Asia/Seoul"

    @property
    def error(self) -> str | None:
        return self.result.error.message if self.result.error is not None else None

    def error_text(self, lang: str | None = None) -> str | None:
        """The provider's failure in the shopper's language (from its code)."""
        from .field_errors import provider_error

        error = self.result.error
        return None if error is None else provider_error(error.code, error.message, lang or self.lang)

    def unread_lines(self, lang: str | None = None, *, limit: int = 5) -> list[str]:
        """Lines of a pasted page that looked like events but could not be read, in words.

        Lines with no date at all (the page's heading, the number, a blank
        status line) are ordinary: they are counted, not listed.
        """
        lang = lang or self.lang
        ordinary = [n for n, line, why in self.unread if why.startswith("no date and time") and not _DATEISH.search(line)]
        shown = []
        for n, line, why in self.unread:
            if n in ordinary:
                continue
            reason = ("paste.no_description" if why.startswith(("a date with no description", "no description"))
                      else "paste.no_time" if why.startswith(("no date and time", "time ")) else "paste.bad_date")
            shown.append(t("paste.line", lang, n=n, why=t(reason, lang), text=line[:80]))
        lines = shown[:limit]
        if ordinary:
            lines.append(t("paste.skipped", lang, n=len(ordinary)))
        return lines

    @property
    def events(self) -> list[Any]:
        return self.timeline_events

    @property
    def timeline_events(self) -> list[Any]:
        return list(self.result.events)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id, "number": self.number or None, "carrier": self.result.carrier,
            "status": self.timeline.status.value, "sub_status": self.result.sub_status, "saved_snapshot": self.saved,
            "events": len(self.result.events), "flags": self.timeline.keys,
            "flag_texts": [f.to_dict() for f in self.timeline.flags],
            "days_since_last_event": self.timeline.days_since_last_event, "error": self.error,
            "unread_lines": [line for _, line, _ in self.unread], "source": self.result.source,
        }

    def _repr_html_(self) -> str:
        from .views import events_html, flags_html

        return flags_html(self.timeline.flags, self.lang) + events_html(self.result.events, self.lang, self.timezone)


@dataclass(frozen=True)
class EvidenceReport:
    """Files added to a case (or found already kept), files refused, and where the checklist stands."""

    case_id: str
    added: list["EvidenceAdded"]
    refused: list[str]
    checklist: list["ChecklistItem"]
    issues: list["VerifyIssue"]
    evidence_count: int
    lang: str = "ko"
    failures: list[tuple[str, CasebookError]] = field(default_factory=list)  # (file name, why), for faces to word

    @property
    def warnings(self) -> list[str]:
        return [w for a in self.added for w in a.warnings]

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "added": [a.evidence.id for a in self.added if not a.duplicate],
                "duplicates": [a.evidence.id for a in self.added if a.duplicate], "refused": self.refused,
                "warnings": self.warnings, "evidence": self.evidence_count,
                "missing_required": [i.key for i in self.checklist if i.required and not i.present],
                "integrity_problems": [str(i) for i in self.issues]}

    def _repr_html_(self) -> str:
        from .views import checklist_html, verify_html

        return checklist_html(self.checklist, self.lang) + verify_html(self.issues, self.evidence_count, self.lang)


@dataclass(frozen=True)
class VerifyReport:
    """Evidence integrity of one case: nothing changed, or what did."""

    case_id: str
    issues: list["VerifyIssue"]
    count: int
    error: str | None = None  # the case itself could not be read
    lang: str = "ko"
    repaired: list[str] = field(default_factory=list)  # out-of-range values read leniently from an old file

    @property
    def ok(self) -> bool:
        return not self.issues and self.error is None

    def lines(self, lang: str | None = None) -> list[str]:
        lang = lang or self.lang
        if self.error is not None:
            return [t("cli.broken", lang, id=self.case_id, error=self.error)]
        lines = [t("cli.repaired", lang, id=self.case_id, problem=problem) for problem in self.repaired]
        if not self.issues:
            return [*lines, t("cli.verify_ok", lang, id=self.case_id, n=self.count)]
        return [*lines, *(f"{self.case_id}: {issue.text(lang)}" for issue in self.issues)]

    def _repr_html_(self) -> str:
        from .views import verify_html

        return verify_html(self.issues, self.count, self.lang)


@dataclass(frozen=True)
class Exported:
    """The files one export wrote, by what they are (``pack``, ``report_html`` …)."""

    case_id: str
    files: dict[str, Path]
    ready: bool
    lang: str = "ko"

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "ready": self.ready, "files": {k: str(v) for k, v in self.files.items()}}

    def _repr_html_(self) -> str:
        import html

        return "<br>".join(html.escape(t("ui.written", self.lang, path=str(p))) for p in self.files.values())


# -- the casebook -----------------------------------------------------------------------------------------

def casebook_path(path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None,
                  default: str = DEFAULT_CASEBOOK) -> Path:
    """The casebook folder: ``path``, else ``$CASEBOOK_PATH``, else ``default``."""
    env = os.environ if env is None else env
    return Path(os.path.expanduser(str(path or env.get("CASEBOOK_PATH") or default)))


def open_casebook(path: str | os.PathLike[str] | None = None, *, create: bool = True, examples: bool = False,
                  timezone: str | None = None, language: str | None = None, default: str = DEFAULT_CASEBOOK,
                  env: Mapping[str, str] | None = None) -> Casebook:
    """Open (or create) a casebook and resolve its settings once, with the face's explicit choices.

    ``examples=True`` puts the guide's five cases into a casebook that is
    being created now (the embedded default a notebook shows on first run).
    """
    chosen = casebook_path(path, env=env, default=default)
    fresh = not (chosen / "casebook.toml").exists()
    if create:
        Casebook.prepare(chosen)
    book = Casebook(chosen, settings=Settings.resolve(chosen, env=env, timezone=timezone, language=language))
    if fresh and examples and not book.ids():
        from .examples import load_examples

        load_examples(book)
    return book


# -- logging an order -------------------------------------------------------------------------------------

# The flat form every face fills (CLI flags, notebook parameters, the panel's inputs, a batch row).
FORM_FIELDS = ("platform", "order_id", "store_name", "item_title", "option", "quantity", "price", "currency",
               "payment_method", "order_date", "ship_date", "promised_date", "received_date", "problem_kind",
               "description", "description_en", "received_quantity", "duty_paid", "tax_included", "tracking_number",
               "domestic_number")


def find_order(book: Casebook, platform: str, order_id: str) -> str | None:
    """The id of a case already logged for this platform and order number, if any."""
    frame = book.to_frame()
    if frame.empty:
        return None
    same = frame[(frame["platform"] == str(platform)) & (frame["order_id"] == str(order_id))]
    return str(same["id"].iloc[0]) if len(same) else None


class NumberCheckError(CaseInputError):
    """A tracking number whose check digit fails: the shopper is asked before it is saved, with the suggestion."""

    def __init__(self, problems: list[tuple[str, str]], *, field: str, number: str, suggestion: str | None) -> None:
        super().__init__(problems)
        self.field, self.number, self.suggestion = field, number, suggestion


_DATE_FIELDS = ("order_date", "ship_date", "promised_date", "received_date")
# (later, earlier): a date that must not come before another
_DATE_ORDER = (("ship_date", "order_date"), ("received_date", "ship_date"), ("received_date", "order_date"),
               ("promised_date", "order_date"))


def _check_dates(order: Mapping[str, Any], today: date) -> list[tuple[str, str]]:
    """Dates in the future (except the promised date) and dates out of order, all at once, each at its field."""
    from .field_errors import FieldName

    days: dict[str, date] = {}
    for name in _DATE_FIELDS:
        value = order.get(name)
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                continue  # pydantic names it
        if isinstance(value, date):
            days[name] = value
    problems = [problem(f"order.{name}", "field_error.future", value=day.isoformat(), today=today.isoformat())
                for name, day in days.items() if name != "promised_date" and day > today]
    flagged: set[str] = set()
    for later, earlier in _DATE_ORDER:
        if later in days and earlier in days and days[later] < days[earlier] and later not in flagged:
            flagged.add(later)
            problems.append(problem(f"order.{later}", "field_error.dates_backwards", later=FieldName(later),
                                    later_date=days[later].isoformat(), earlier=FieldName(earlier),
                                    earlier_date=days[earlier].isoformat()))
    return problems


def _check_number(field: str, number: Any, *, prefer_korean: bool = False) -> NumberCheckError | None:
    """A number whose check digit does not match (the common typo), with the parser's suggestion."""
    from .tracking.numbers import parse

    if not number:
        return None
    parsed = parse(str(number), prefer_korean=prefer_korean)
    if parsed.valid or parsed.reason is None or parsed.reason.code != "checksum_mismatch":
        return None
    suggestion = parsed.suggestions[0] if parsed.suggestions else None
    text = FieldText("field_error.number_check", number=parsed.number, suggestion=suggestion or "-")
    return NumberCheckError([(field, text)], field=field, number=parsed.number, suggestion=suggestion)


def _form_to_data(form: Mapping[str, Any], *, today: date | None = None,
                  keep_number: bool = False) -> dict[str, Any]:
    """The flat form as case data; every field problem is collected, not only the first."""
    from .currencies import parse_amount

    unknown = sorted(set(form) - set(FORM_FIELDS) - {"case_id"})
    if unknown:
        raise CaseInputError([problem(name, "field_error.unknown_form_field", accepted=", ".join(FORM_FIELDS))
                              for name in unknown])
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in form.items()}
    values = {k: v for k, v in values.items() if v is not None and v != ""}
    problems: list[tuple[str, str]] = []
    order_id = values.get("order_id")
    if order_id is not None and not isinstance(order_id, str):
        problems.append(problem("order.order_id", "field_error.text_number", value=repr(order_id)))
    price: dict[str, Any] | None = None
    if "price" in values:
        try:
            amount, currency = parse_amount(values["price"], values.get("currency") or "KRW")
            price = {"amount": str(amount), "currency": currency}
            if amount == 0:
                problems.append(problem("order.price", "field_error.price_zero"))
        except ValueError as error:
            problems.append(("order.price", FieldText("field_error.amount", str(error), value=str(values["price"]))))
    order = {k: values[k] for k in ("platform", "order_id", "store_name", "item_title", "option", "quantity",
                                    "payment_method", "order_date", "ship_date", "promised_date", "received_date")
             if k in values}
    order.setdefault("platform", "aliexpress")
    if price is not None:
        order["price"] = price
    for name in _DATE_FIELDS:
        if isinstance(order.get(name), (date, datetime)):
            order[name] = order[name].isoformat()[:10]
    if today is not None:
        problems.extend(_check_dates(order, today))
    problem_part = {"kind": values.get("problem_kind"), "description": values.get("description", "")}
    for name in ("quantity", "received_quantity"):
        if isinstance(values.get(name), str):  # typed into a form or a flag
            try:
                values[name] = int(values[name].replace(",", ""))
            except ValueError:
                problems.append((f"{'order' if name == 'quantity' else 'problem'}.{name}",
                                 FieldText("field_error.whole_number", f"{values[name]!r} is not a whole number",
                                           value=values[name])))
                values.pop(name)
    if "quantity" in values:
        order["quantity"] = values["quantity"]
    for name in ("description_en", "received_quantity", "tax_included"):
        if name in values:
            problem_part[name] = values[name]
    if "duty_paid" in values:
        try:
            amount, currency = parse_amount(values["duty_paid"], "KRW")
            problem_part["duty_paid"] = {"amount": str(amount), "currency": currency}
        except ValueError as error:
            problems.append(("problem.duty_paid", FieldText("field_error.amount", str(error), value=str(values["duty_paid"]))))
    data: dict[str, Any] = {"order": order, "problem": problem_part}
    shipment = _shipment(values.get("tracking_number"), values.get("domestic_number"))
    if shipment is not None:
        data["shipments"] = [shipment]
    for model, part, prefix in ((Order, order, "order"), (Problem, problem_part, "problem")):
        try:
            validate(model, part, prefix)
        except CaseInputError as error:
            seen = {q[0] for q in problems}
            problems.extend(p for p in error.problems if p[0] not in seen
                            and getattr(p[1], "key", None) != "field_error.dates_backwards")
    check = None if keep_number else (_check_number("tracking_number", values.get("tracking_number"))
                                      or _check_number("domestic_number", values.get("domestic_number"),
                                                       prefer_korean=True))
    if check is not None:
        raise NumberCheckError(problems + check.problems, field=check.field, number=check.number,
                               suggestion=check.suggestion)
    if problems:
        raise CaseInputError(problems)
    return data


def _shipment(number: Any, domestic: Any) -> dict[str, Any] | None:
    """Tracking numbers as typed, normalised; a Korean carrier's number goes in the domestic slot."""
    from .tracking.numbers import parse

    if not number and not domestic:
        return None
    shipment: dict[str, Any] = {}
    if number:
        parsed = parse(str(number))
        carrier = parsed.carrier if parsed.valid else None
        if carrier is not None and carrier.startswith("kr.") and not domestic:
            shipment.update(domestic_number=parsed.number, domestic_carrier=carrier)
        else:
            shipment.update(tracking_number=parsed.number, carrier=carrier)
    if domestic:
        parsed = parse(str(domestic), prefer_korean=True)
        shipment.update(domestic_number=parsed.number, domestic_carrier=parsed.carrier if parsed.valid else None)
    return shipment


def new_case(book: Casebook, form: Mapping[str, Any], *, case_id: str | None = None, allow_duplicate: bool = False,
             today: str | date | None = None, keep_number: bool = False) -> CaseSaved:
    """Log an order and its problem from the flat form; an order already logged returns its case instead.

    Every field problem is reported at once (``CaseInputError``): dates after
    ``today`` (the order, shipping and receipt happened already), dates out of
    order, amounts that cannot be read. A tracking number whose check digit
    fails raises ``NumberCheckError`` (with the suggested number) unless
    ``keep_number`` says the shopper confirmed it as typed.
    """
    settings = book.settings
    local_today = settings.now(today).astimezone(settings.zone).date()
    data = _form_to_data(form, today=local_today, keep_number=keep_number)
    case_id = case_id or form.get("case_id") or None
    return _create(book, data, case_id=case_id, allow_duplicate=allow_duplicate)


def new_case_from_file(book: Casebook, path: str | os.PathLike[str], *, case_id: str | None = None,
                       allow_duplicate: bool = False) -> CaseSaved:
    """Log an order from a JSON/YAML file shaped like the case (``examples/order.yaml``)."""
    from .examples import read_new_case

    data = read_new_case(Path(path))
    chosen = case_id or data.pop("id", None)
    data.pop("id", None)
    if "order" not in data and "problem" not in data and set(data) & set(FORM_FIELDS):
        return new_case(book, data, case_id=chosen, allow_duplicate=allow_duplicate)  # the flat form, as in a batch row
    if "order" not in data or "problem" not in data:
        raise CasebookError(f"{path}: needs an 'order' and a 'problem' section, or the flat fields order_id, item_title, "
                            "price, order_date, problem_kind (see examples/order.yaml)")
    _amounts_in_file(data)
    return _create(book, data, case_id=chosen, allow_duplicate=allow_duplicate)


# amounts a case file may write as shoppers do ("38,500원", "₩38,500", "US$12.50"): (section path, field)
_FILE_AMOUNTS = (("order", "price"), ("problem", "duty_paid"), ("dispute", "requested_amount"),
                 ("dispute.outcome", "amount_refunded"), ("dispute.outcome", "compensation"))


def _amounts_in_file(data: dict[str, Any]) -> None:
    """Read the amounts of a case file with the parser the flags and the form use (in place; every problem at once).

    An amount without a currency is KRW for the price and the duty (paid in Korea), and the order's currency
    for the dispute's amounts.
    """
    from .currencies import parse_amount

    found: list[tuple[str, Any]] = []
    price_currency = "KRW"
    for path, name in _FILE_AMOUNTS:
        section: Any = data
        for part in path.split("."):
            section = section.get(part) if isinstance(section, dict) else None
        if not isinstance(section, dict) or not isinstance(section.get(name), (str, int, float)) \
                or isinstance(section.get(name), bool):
            continue
        default = price_currency if path.startswith("dispute") else "KRW"
        try:
            amount, currency = parse_amount(section[name], default)
        except ValueError as error:
            found.append((f"{path}.{name}", FieldText("field_error.amount", str(error), value=str(section[name]))))
            continue
        section[name] = {"amount": str(amount), "currency": currency}
        if (path, name) == ("order", "price"):
            price_currency = currency
    if found:
        raise CaseInputError(found)


def _create(book: Casebook, data: dict[str, Any], *, case_id: str | None, allow_duplicate: bool) -> CaseSaved:
    lang = book.settings.language
    order = validate(Order, data.get("order"), "order")
    problem_part = validate(Problem, data.get("problem"), "problem")
    if case_id and case_id in book:
        existing = book.get(case_id)
        if existing.order.order_id == order.order_id and existing.order.platform == order.platform:
            return CaseSaved(existing, created=False, lang=lang)  # a re-run (e.g. a resumed batch) reuses its case
        raise CasebookError(f"case {case_id!r} already exists for order {existing.order.order_id}; choose another case id")
    if not allow_duplicate:
        found = find_order(book, order.platform.value, order.order_id)
        if found is not None:
            return CaseSaved(book.get(found), created=False, lang=lang)
    extra = {k: v for k, v in data.items() if k not in ("order", "problem")}
    case = book.new_case(order, problem_part, case_id=case_id, **extra)
    return CaseSaved(case, created=True, lang=lang)


# -- correcting a case ------------------------------------------------------------------------------------

EDITABLE = {
    "order": ("store_name", "item_title", "option", "quantity", "payment_method", "ship_date", "promised_date",
              "delivery_guarantee_days", "received_date"),
    "problem": ("problem_kind", "description", "description_en", "tested_how", "differences", "received_quantity",
                "duty_paid", "tax_included", "noticed_date"),
}


def edit_case(book: Casebook, case_id: str, **changes: Any) -> Case:
    """Correct or complete a case's order and problem (what the advice asks for: an English description, how it
    was tested, the differences, the promised date …); every field is checked together and nothing is saved on error.

    ``None`` means "not given"; ``""`` clears an optional field.
    """
    from .currencies import parse_amount

    changes = {k: v for k, v in changes.items() if v is not None}
    allowed = EDITABLE["order"] + EDITABLE["problem"]
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise CaseInputError([problem(name, "field_error.unknown_form_field", accepted=", ".join(allowed)) for name in unknown])
    if not changes:
        raise ShopperError("field_error.nothing_to_change", accepted=", ".join(allowed))
    found: list[tuple[str, Any]] = []
    for name in ("quantity", "received_quantity", "delivery_guarantee_days"):
        if isinstance(changes.get(name), str) and changes[name] != "":
            try:
                changes[name] = int(changes[name].replace(",", ""))
            except ValueError:
                found.append((name, FieldText("field_error.whole_number", f"{changes[name]!r} is not a whole number",
                                              value=changes[name])))
    if isinstance(changes.get("duty_paid"), str) and changes["duty_paid"] != "":
        try:
            amount, currency = parse_amount(changes["duty_paid"], "KRW")
            changes["duty_paid"] = {"amount": str(amount), "currency": currency}
        except ValueError as error:
            found.append(("problem.duty_paid", FieldText("field_error.amount", str(error), value=changes["duty_paid"])))
    if found:
        raise CaseInputError(found)
    today = utc_now().date() + timedelta(days=1)

    def change(case: Case) -> None:
        order = case.order.model_dump(mode="json")
        part = case.problem.model_dump(mode="json")
        for name, value in changes.items():
            target, key = (order, name) if name in EDITABLE["order"] else (part, "kind" if name == "problem_kind" else name)
            target[key] = None if value == "" and key not in ("description", "kind") else \
                (value.isoformat() if isinstance(value, date) else value)
        new_order = validate(Order, order, "order")
        new_problem = validate(Problem, part, "problem")
        late = [name for name in ("ship_date", "received_date") if getattr(new_order, name) and getattr(new_order, name) > today]
        if late:
            raise CaseInputError([problem(f"order.{name}", "field_error.in_future", value=getattr(new_order, name).isoformat())
                                  for name in late])
        case.order, case.problem = new_order, new_problem

    return book.update(case_id, change)


# -- the case log -------------------------------------------------------------------------------------------

def log_message(book: Casebook, case_id: str, text: str, *, channel: str = "seller_chat", direction: str = "sent",
                at: datetime | str | None = None, translation: str | None = None, counterpart: str | None = None) -> Case:
    """Append one entry to the communication log (default: a message sent to the seller, now).

    ``counterpart`` says who it was with (seller, platform, carrier, customs, other): a call to the
    carrier is ``channel="phone", counterpart="carrier"``. Without it the channel decides (the seller's
    chat, e-mail and phone: the seller; platform support: the platform; another channel: not known).
    """
    message = validate(Message, {"at": at or utc_now(), "channel": channel, "direction": direction, "text": text,
                                  "translation": translation or None, "counterpart": counterpart or None}, "message")
    if not message.text:
        raise CaseInputError([problem("message.text", "field_error.message_empty")])
    if message.at > utc_now() + timedelta(hours=12):  # a clock a few hours off is forgiven; the future is not
        raise CaseInputError([problem("message.at", "field_error.in_future", value=message.at.isoformat(timespec="minutes"))])

    def change(case: Case) -> None:
        case.messages = sorted([*case.messages, message], key=lambda m: m.at)

    return book.update(case_id, change)


def record_dispute(book: Casebook, case_id: str, **changes: Any) -> Case:
    """Change dispute fields (stage, opened_date, requested, requested_amount, outcome …), validated together.

    Amounts may be typed as text (``"8,000 KRW"``, ``"5000원"``).
    """
    from .currencies import parse_amount

    for key in ("requested_amount",):
        if isinstance(changes.get(key), str):
            changes[key] = _money_field(changes[key], f"dispute.{key}", parse_amount)
    outcome = changes.get("outcome")
    if isinstance(outcome, dict):
        for key in ("amount_refunded", "compensation"):
            if isinstance(outcome.get(key), str):
                outcome = dict(outcome, **{key: _money_field(outcome[key], f"dispute.outcome.{key}", parse_amount)})
        changes["outcome"] = outcome

    def change(case: Case) -> None:
        data = case.dispute.model_dump()
        for key, value in changes.items():
            if key not in Dispute.model_fields:
                raise CaseInputError([(f"dispute.{key}", f"unknown field; accepted: {', '.join(Dispute.model_fields)}")])
            if key == "outcome" and isinstance(value, dict) and isinstance(data.get("outcome"), dict):
                # what is given changes the outcome already recorded; what is not given stays
                value = data["outcome"] | {k: v for k, v in value.items() if v is not None}
            data[key] = value.isoformat() if isinstance(value, date) else value
        case.dispute = validate(Dispute, data, "dispute")
        _check_dispute(case)

    return book.update(case_id, change)


def _check_dispute(case: Case) -> None:
    """What the model alone cannot know: dates within the order's life, amounts within what was paid."""
    d, o = case.dispute, case.order
    today = utc_now().date() + timedelta(days=1)  # a day of slack for time zones
    found: list[tuple[str, Any]] = []
    for name, day in (("opened_date", d.opened_date), ("return_agreed_date", d.return_agreed_date),
                      ("outcome.decided_date", d.outcome.decided_date if d.outcome else None)):
        if day is None:
            continue
        if day < o.order_date:
            found.append(problem(f"dispute.{name}", "field_error.before_order", value=day.isoformat(),
                                 order_date=o.order_date.isoformat()))
        elif day > today:
            found.append(problem(f"dispute.{name}", "field_error.in_future", value=day.isoformat()))
    for name, money in (("requested_amount", d.requested_amount),
                        ("outcome.amount_refunded", d.outcome.amount_refunded if d.outcome else None)):
        if money is not None and money.currency == o.price.currency and money.amount > o.price.amount:
            found.append(problem(f"dispute.{name}", "field_error.more_than_paid", value=money, paid=o.price))
    if found:
        raise CaseInputError(found)


def _money_field(text: str, where: str, parse: Any) -> dict[str, str]:
    try:
        amount, currency = parse(text, "KRW")
    except ValueError as error:
        raise CaseInputError([(where, FieldText("field_error.amount", str(error), value=str(text)))]) from None
    return {"amount": str(amount), "currency": currency}


# -- tracking ------------------------------------------------------------------------------------------------

def _analyse(settings: Settings, events: list[Any], case: Case | None, today: Any,
             fetched: "TrackingResult | None") -> "Timeline":
    """The timeline's meaning for this case, as of ``today``.

    ``fetched`` is a provider's fresh verdict (a saved history has none: the
    events decide). Two things the timeline alone cannot know are added here:
    events dated before the order or after today (another parcel's page, or a
    wrong time zone), and the case's own state: a refunded or closed case is
    not told to open a dispute, a case in dispute is told to add the history
    to it.
    """
    from dataclasses import replace

    from .tracking.timeline import analyse

    from .situation import settled

    verdict = {"status": fetched.status, "sub_status": fetched.sub_status} if fetched is not None and fetched.ok else {}
    now = settings.now(today)
    timeline = analyse(events, order=case.order if case else None, problem=case.problem.kind if case else None,
                       now=now, tz=settings.timezone, limits=settings.rules.timeline,
                       settled=settled(case) if case else False, **verdict)
    if case is None:
        return timeline
    return replace(timeline, flags=_case_flags(timeline.flags, events, case, now.astimezone(settings.zone).date(),
                                               settings.zone, settled(case)))


_IN_DISPUTE = {"opened", "negotiating", "mediation", "decided", "appealed"}


def _case_flags(flags: list[Any], events: list[Any], case: Case, today: date, zone: Any, is_settled: bool) -> list[Any]:
    """Flags that need the case: events dated before the order or after today, and what the dispute's stage changes.

    (A settled case's silence and lateness are already plain facts: ``analyse(settled=True)``.)
    """
    from .i18n import Text
    from .models import Severity
    from .tracking.timeline import Flag

    days = [e.time.astimezone(zone).date() for e in events]
    early = sum(day < case.order.order_date for day in days)
    late = sum(day > today for day in days)
    checks = []
    if early:
        checks.append(Flag("before_order", Severity.PROBLEM, Text("tracking_check.before_order", n=early,
                                                                   date=case.order.order_date.isoformat())))
    if late:
        checks.append(Flag("after_today", Severity.WARNING, Text("tracking_check.after_today", n=late,
                                                                  date=today.isoformat())))
    if is_settled:
        return checks + [Flag("settled", Severity.INFO, Text("tracking_check.settled", stage=case.dispute.stage))] + flags
    if case.dispute.stage.value in _IN_DISPUTE:
        flags = [Flag(f.key, f.severity, Text("tracking_check.no_update_in_dispute", days=f.message.values.get("days")))
                 if f.key == "likely_lost" else f for f in flags]
    return checks + list(flags)


class WrongParcelError(CasebookError):
    """A pasted page that names another tracking number than the case's: nothing is saved unless confirmed."""

    def __init__(self, case_id: str, found: list[str], expected: list[str]) -> None:
        self.case_id, self.found, self.expected = case_id, found, expected
        super().__init__(self.text("en", cli=True))

    def text(self, lang: str = "ko", *, cli: bool = False) -> str:
        return t("wrong_parcel.refused_cli" if cli else "wrong_parcel.refused", lang, case_id=self.case_id,
                 found=", ".join(self.found), expected=", ".join(self.expected))


def _numbers_in_page(text: str) -> list[str]:
    """The tracking numbers a pasted page names (its header, a domestic hand-over …)."""
    from .tracking.numbers import extract

    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):  # JSON: the events carry no number; the shopper chose the file
        return []
    return list(dict.fromkeys(found.parsed.number for found in extract(text)))


def _case_numbers(case: Case) -> list[str]:
    return [n for s in case.shipments for n in (s.tracking_number, s.domestic_number) if n]


def track(book: Casebook, case_id: str, *, provider: str = "offline", paste: str | None = None,
          paste_file: str | os.PathLike[str] | None = None, today: str | date | None = None,
          force: bool = False) -> TrackReport:
    """Track the case's number (a pasted page, or an API), save the snapshot, and read the timeline.

    Offline without a paste reads what the case already saved (nothing is
    fetched). A pasted page that names tracking numbers, none of them this
    case's, is refused with ``WrongParcelError`` unless ``force`` (the shopper
    confirmed it is the same parcel). Every import can be undone
    (``undo_tracking``).
    """
    from .tracking.service import get_provider

    settings = book.settings
    case = book.get(case_id)
    shipment = case.shipment
    number = (shipment.tracking_number or shipment.domestic_number) if shipment else None
    if paste_file is not None:
        paste = read_text_file(paste_file, "paste_file")
    if paste is not None and not paste.strip() and (paste_file is not None or provider == "offline"):
        raise ShopperError("field_error.paste_empty")
    fetch = provider != "offline" or bool(paste and paste.strip())
    if not number and fetch:
        raise CaseInputError([problem("tracking_number", "field_error.no_number", case_id=case_id)])
    if fetch and paste and not force:
        named = _numbers_in_page(paste)
        ours = _case_numbers(case)
        if named and not set(named) & set(ours):
            raise WrongParcelError(case_id, named, ours)
    unread: list[tuple[int, str, str]] = []
    if not fetch:
        result = _saved_or_nothing(case, number)
        saved = False
    else:
        chosen = get_provider(provider, settings, pastes={number: paste or ""})
        (result,) = chosen.track([number])
        unread = list(getattr(chosen, "problems", {}).get(number, []))
        saved = False
        if result.ok:
            case = _save_tracked(book, case_id, result)
            saved = True
    events = [e for s in case.shipments for e in s.events]
    timeline = _analyse(settings, events, case, today, result if fetch else None)
    return TrackReport(number or "", result, timeline, case_id=case_id, saved=saved, unread=unread,
                       lang=settings.language, timezone=settings.timezone)


# -- undo: imports and evidence go to .trash/, never away -----------------------------------------------------

JOURNAL = ".journal"  # what each tracking import added, so that undo takes out exactly that


def _event_key(event: Any) -> list[str]:
    return [event.time.isoformat(), event.description]


def _journal_file(book: Casebook, case_id: str) -> Path:
    return book.path / JOURNAL / f"{case_id}-tracking.json"


def _save_tracked(book: Casebook, case_id: str, result: "TrackingResult") -> Case:
    """``save_result`` plus a note of which events this import added (for ``undo_tracking``)."""
    import json

    from .tracking.service import save_result

    before = {tuple(_event_key(e)) for s in book.get(case_id).shipments for e in s.events}
    case = save_result(book, case_id, result)
    added = [_event_key(e) for e in result.events if tuple(_event_key(e)) not in before]
    path = _journal_file(book, case_id)
    try:
        entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    except (OSError, ValueError):
        entries = []
    entries.append({"fetched_at": result.fetched_at.isoformat(), "number": result.number, "added": added})
    atomic_write_bytes(path, json.dumps(entries, ensure_ascii=False, indent=1).encode("utf-8"))
    return case


@dataclass(frozen=True)
class Undone:
    """What an undo took out of a case, and where it is kept (``.trash/``)."""

    case_id: str
    kind: str  # "tracking" or "evidence"
    path: Path
    count: int = 0
    when: str = ""
    item: str = ""
    file: str = ""
    lang: str = "ko"

    def message(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        from .store import TRASH

        kept = f"{TRASH}/{self.path.name}"  # inside the casebook folder (a server path means nothing in the app)
        if self.kind == "tracking":
            return t("undo.tracking_done", lang, when=self.when, n=self.count, path=kept)
        return t("undo.evidence_done", lang, id=self.item, file=self.file, path=kept)

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "kind": self.kind, "trash": str(self.path), "count": self.count,
                "item": self.item or None}

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(self.message())}</p>"


def _trash_dir(book: Casebook, case_id: str, what: str) -> Path:
    from .store import TRASH

    target = book.path / TRASH / f"{case_id}-{what}-{utc_now():%Y%m%dT%H%M%S%fZ}"
    target.mkdir(parents=True, exist_ok=False)
    return target


def undo_tracking(book: Casebook, case_id: str) -> Undone:
    """Take the last tracking import out of the case: its snapshot and the events it added go to ``.trash/``."""
    import json

    journal = _journal_file(book, case_id)
    try:
        entries = json.loads(journal.read_text(encoding="utf-8")) if journal.exists() else []
    except (OSError, ValueError):
        entries = []
    taken: dict[str, Any] = {}

    def change(case: Case) -> None:
        snapshots = [(snap.fetched_at, i, j) for i, s in enumerate(case.shipments) for j, snap in enumerate(s.snapshots)]
        if not snapshots:
            raise ShopperError("undo.tracking_nothing")
        _, i, j = max(snapshots)
        shipment = case.shipments[i]
        snapshot = shipment.snapshots[j]
        entry = next((e for e in reversed(entries) if e.get("fetched_at") == snapshot.fetched_at.isoformat()), None)
        if entry is not None:
            added = {tuple(k) for k in entry.get("added", [])}
        else:  # imported before the journal: what no other snapshot holds
            others = {tuple(_event_key(e)) for k, snap in enumerate(shipment.snapshots) if k != j for e in snap.events}
            added = {tuple(_event_key(e)) for e in snapshot.events} - others
        removed = [e for e in shipment.events if tuple(_event_key(e)) in added]
        shipment.events = [e for e in shipment.events if tuple(_event_key(e)) not in added]
        shipment.snapshots = [snap for k, snap in enumerate(shipment.snapshots) if k != j]
        taken.update(snapshot=snapshot, events=removed, entry=entry)

    book.update(case_id, change)
    snapshot = taken["snapshot"]
    target = _trash_dir(book, case_id, "tracking")
    record = {"case_id": case_id, "snapshot": snapshot.model_dump(mode="json"),
              "removed_events": [e.model_dump(mode="json") for e in taken["events"]]}
    atomic_write_bytes(target / "tracking-import.json", json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
    if taken["entry"] is not None:
        entries.remove(taken["entry"])
        atomic_write_bytes(journal, json.dumps(entries, ensure_ascii=False, indent=1).encode("utf-8"))
    settings = book.settings
    when = snapshot.fetched_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
    return Undone(case_id, "tracking", target, count=len(taken["events"]), when=when, lang=settings.language)


def remove_evidence(book: Casebook, case_id: str, evidence_id: str) -> Undone:
    """Take one evidence item out of the case; its file and record are moved to ``.trash/`` (never deleted)."""
    import json
    import shutil

    taken: dict[str, Any] = {}

    def change(case: Case) -> None:
        record = next((e for e in case.evidence if e.id == evidence_id), None)
        if record is None:
            known = ", ".join(e.id for e in case.evidence) or "-"
            raise ShopperError("undo.no_evidence", case_id=case_id, evidence_id=evidence_id, known=known)
        case.evidence = [e for e in case.evidence if e.id != evidence_id]
        taken["record"] = record

    book.update(case_id, change)
    record = taken["record"]
    target = _trash_dir(book, case_id, f"evidence-{record.id}")
    atomic_write_bytes(target / "evidence.json", json.dumps(record.model_dump(mode="json"), ensure_ascii=False,
                                                            indent=2).encode("utf-8"))
    source = book.evidence_dir(case_id) / record.file
    if source.exists():
        shutil.move(str(source), str(target / record.file))
    return Undone(case_id, "evidence", target, item=record.id, file=record.original_name or record.file,
                  lang=book.settings.language)


# -- the case the shopper is on ---------------------------------------------------------------------------

CURRENT = ".current-case"


def remember_case(book: Casebook, case_id: str) -> None:
    """Remember the case the shopper opened or saved last, so the next step opens it too."""
    book.get(case_id)  # refuses an id that is not a case
    atomic_write_bytes(book.path / CURRENT, case_id.encode("utf-8"))


def current_case(book: Casebook) -> str | None:
    """The case opened or saved last, if it still exists."""
    try:
        case_id = (book.path / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return case_id if case_id in book else None


def pick_case(book: Casebook, case_id: str | None = None) -> str | None:
    """The case a step opens with: the one asked for, else the one opened last, else the last one changed."""
    if case_id:
        return case_id
    remembered = current_case(book)
    if remembered is not None:
        return remembered
    frame = book.to_frame()
    frame = frame[frame["error"].isna()] if not frame.empty else frame
    if frame.empty:
        return None
    return str(frame.sort_values("updated", kind="stable").iloc[-1]["id"])


def track_numbers(settings: Settings, numbers: list[str], *, provider: str = "offline", paste: str | None = None,
                  today: str | date | None = None, progress: bool = False) -> list[TrackReport]:
    """Track numbers that belong to no case (nothing is saved)."""
    from .tracking.numbers import normalise
    from .tracking.service import get_provider, track_many

    numbers = [normalise(n) for n in numbers]
    if paste is not None and len(numbers) != 1:
        raise CasebookError(f"a pasted page is the page of one parcel; it would apply to {len(numbers)} numbers: "
                            "give exactly one number")
    chosen = get_provider(provider, settings, pastes={numbers[0]: paste} if paste is not None else None)
    reports = []
    for result in track_many(numbers, chosen, progress=progress):
        timeline = _analyse(settings, list(result.events), None, today, result)
        unread = list(getattr(chosen, "problems", {}).get(result.number, []))
        reports.append(TrackReport(result.number, result, timeline, unread=unread, lang=settings.language,
                                   timezone=settings.timezone))
    return reports


def track_all(book: Casebook, *, provider: str = "offline", today: str | date | None = None,
              progress: bool = False) -> list[TrackReport]:
    """Every case's tracking number: fetched and saved (API providers) or read from the saved history (offline)."""
    from .tracking.service import get_provider, track_many

    settings = book.settings
    cases: dict[str, Case] = {}
    for case in book:
        for shipment in case.shipments:
            number = shipment.tracking_number or shipment.domestic_number
            if number:
                cases.setdefault(number, case)
    if provider == "offline":
        results = [_saved_or_nothing(case, number) for number, case in cases.items()]
    else:
        results = track_many(list(cases), get_provider(provider, settings), progress=progress)
    reports = []
    for result in results:
        case = cases[result.number]
        saved = False
        if provider != "offline" and result.ok:
            case = _save_tracked(book, case.id, result)
            saved = True
        events = [e for s in case.shipments for e in s.events]
        fresh = result if provider != "offline" else None
        reports.append(TrackReport(result.number, result, _analyse(settings, events, case, today, fresh),
                                   case_id=case.id, saved=saved, lang=settings.language, timezone=settings.timezone))
    return reports


# something that looks like a date or a time: such a line was meant as an event
_DATEISH = re.compile(r"\d{1,4}\s*[./년-]\s*\d{1,2}|\d{1,2}:\d{2}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                                   r"[a-z]*\.?\s+\d", re.IGNORECASE)


def _saved_or_nothing(case: Case, number: str | None) -> "TrackingResult":
    """What the case already saved for ``number``; else a result saying there is nothing yet and how to add it."""
    from .tracking.providers import OfflineProvider, TrackingResult
    from .tracking.service import saved_result

    if not number:
        return TrackingResult(number="", source="saved")
    return saved_result(case, number) or OfflineProvider().track([number])[0]


def read_text_file(path: str | os.PathLike[str], field_name: str, *, what: str = "paste") -> str:
    """A text file the shopper gives (a pasted tracking page, a saved e-mail), or an error saying how to make one.

    ``what`` chooses the words: ``paste`` (a tracking page) or ``extract`` (any page or e-mail). A photo, a PDF
    or any other binary file is refused as "not a text file", never as a decoding error.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ShopperError("field_error.file_missing", field=field_name, path=str(path)) from None
    except OSError as error:
        raise ShopperError(f"field_error.{what}_unreadable", field=field_name, path=str(path),
                           reason=error.strerror or type(error).__name__) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise ShopperError(f"field_error.{what}_not_text", field=field_name, path=str(path))
    return text


# -- evidence ----------------------------------------------------------------------------------------------

def add_evidence(book: Casebook, case_id: str, source: str | os.PathLike[str] | bytes, kind: str, caption: str = "",
                 *, original_name: str | None = None) -> "EvidenceAdded":
    """Copy one file (or uploaded bytes) into the case as evidence; the same content twice is kept once."""
    case = book.get(case_id)
    limits = book.settings.limits
    return _evidence.add_evidence(book, case, source, kind, caption, original_name=original_name,
                                  max_bytes=limits.max_evidence_bytes)


def collect_evidence(book: Casebook, case_id: str, entries: Iterable[Mapping[str, Any]] = (), *,
                     base: str | os.PathLike[str] | None = None) -> EvidenceReport:
    """Add several files (``{"file"|"data", "kind", "caption", "name"}``); one bad file never stops the others.

    Paths are taken relative to ``base`` when given.
    """
    added: list[EvidenceAdded] = []
    refused: list[str] = []
    failures: list[tuple[str, CasebookError]] = []
    for entry in entries:
        source: Any = entry.get("data")
        name = entry.get("name")
        if source is None:
            path = Path(str(entry["file"]))
            if base is not None and not path.is_absolute():
                path = Path(base) / path
            source, name = path, name
        try:
            added.append(add_evidence(book, case_id, source, str(entry.get("kind") or "other"),
                                      str(entry.get("caption") or ""), original_name=name))
        except CasebookError as error:
            refused.append(f"{name or entry.get('file')}: {error}")
            failures.append((str(name or entry.get("file")), error))
    case = book.get(case_id)
    return EvidenceReport(case_id, added, refused, _playbook.checklist(case, book.settings.rules),
                          _evidence.verify(book, case), len(case.evidence), lang=book.settings.language,
                          failures=failures)


def checklist(book: Casebook, case_id: str) -> list["ChecklistItem"]:
    return _playbook.checklist(book.get(case_id), book.settings.rules)


def verify(book: Casebook, case_id: str | None = None) -> list[VerifyReport]:
    """Integrity of one case's evidence, or of every case (a broken case is a report, never a crash)."""
    from .errors import CorruptCaseError

    lang = book.settings.language
    reports = []
    for cid in [case_id] if case_id else book.ids():
        try:
            case = book.get(cid)
        except CorruptCaseError as error:
            if case_id:
                raise
            reports.append(VerifyReport(cid, [], 0, error=error.text(lang), lang=lang))
            continue
        reports.append(VerifyReport(cid, _evidence.verify(book, case), len(case.evidence), lang=lang,
                                    repaired=list(case.load_problems)))
    return reports


# -- advice ------------------------------------------------------------------------------------------------

def advise(book: Casebook, case_id: str, *, today: str | date | None = None) -> "Advice":
    """Readiness, next steps, what to ask for, deadlines and the escalation ladder, as of ``today``."""
    settings = book.settings
    return _playbook.advise(book.get(case_id), now=settings.now(today), tz=settings.timezone, rules=settings.rules,
                            lang=settings.language)


def deadlines(book: Casebook, case_id: str, *, today: str | date | None = None) -> list["Deadline"]:
    settings = book.settings
    return _playbook.deadlines(book.get(case_id), now=settings.now(today), tz=settings.timezone, rules=settings.rules)


def summarise(book: Casebook, case_id: str, *, today: str | date | None = None, show_private: bool = False,
              max_chars: int | None = None) -> "DisputeSummary":
    """Both messages (en, ko), readiness, and the first seller message when the seller was skipped."""
    settings = book.settings
    limit = max_chars if max_chars is not None else (settings.limits.message_max_chars or None)
    return _summary.summarise(book.get(case_id), now=settings.now(today), settings=settings,
                              show_private=show_private, max_chars=limit)


def report(book: Casebook, case_id: str, fmt: str = "html", *, today: str | date | None = None,
           show_private: bool = False) -> str:
    """The report as HTML (with pictures of the evidence) or Markdown."""
    settings = book.settings
    case = book.get(case_id)
    if fmt == "html":
        return _summary.report_html(case, book=book, now=settings.now(today), settings=settings, show_private=show_private)
    if fmt == "md":
        return _summary.report_markdown(case, now=settings.now(today), settings=settings, show_private=show_private)
    raise CaseInputError([("format", f"{fmt!r} is not a report format; accepted: html, md")])


def export(book: Casebook, case_id: str, output_dir: str | os.PathLike[str], *,
           formats: Iterable[str] = EXPORT_FORMATS, today: str | date | None = None, show_private: bool = False,
           max_pixels: int | None = None) -> Exported:
    """Write the chosen exports into ``output_dir`` under the one naming scheme; the work is done once."""
    formats = list(dict.fromkeys(formats))
    bad = [f for f in formats if f not in _FORMAT_FILES]
    if bad:
        raise CaseInputError([("formats", f"{bad[0]!r} is not an export; accepted: {', '.join(_FORMAT_FILES)}")])
    settings = book.settings
    case = book.get(case_id)
    now = settings.now(today)
    target = _output_dir(output_dir)
    files: dict[str, Path] = {}
    summary = _summary.summarise(case, now=now, settings=settings, show_private=show_private,
                                 max_chars=settings.limits.message_max_chars or None)
    copies = _evidence.pack_copies(book, case, max_pixels=max_pixels) if {"zip", "html"} & set(formats) else None
    html = _summary.report_html(case, book=book, now=now, settings=settings, show_private=show_private,
                                copies=copies) if {"zip", "html"} & set(formats) else None
    if copies is None and "md" in formats:
        copies = _evidence.pack_copies(book, case, max_pixels=max_pixels)
    markdown = _summary.report_markdown(case, now=now, settings=settings, show_private=show_private, copies=copies) \
        if {"zip", "md"} & set(formats) else None

    def write(what: str, data: bytes) -> None:
        path = target / export_name(case.id, what)
        atomic_write_bytes(path, data)  # a refusal is a StorageError naming the path once
        files[what] = path

    if "txt" in formats:
        write("message_en", summary.text("en").encode("utf-8"))
        write("message_ko", summary.text("ko").encode("utf-8"))
        if summary.seller_message:
            write("seller_message", summary.seller_message.encode("utf-8"))
        if summary.seller_message_zh:
            write("seller_message_zh", summary.seller_message_zh.encode("utf-8"))
    if "md" in formats:
        write("report_md", markdown.encode("utf-8"))  # type: ignore[union-attr]
    if "html" in formats:
        write("report_html", html.encode("utf-8"))  # type: ignore[union-attr]
    if "zip" in formats:
        path = target / export_name(case.id, "pack")
        _summary.build_pack(book, case, path, now=now, settings=settings, show_private=show_private, summary=summary,
                            html=html, markdown=markdown, copies=copies)
        files["pack"] = path
    if "ics" in formats:
        items = _playbook.deadlines(case, now=now, tz=settings.timezone, rules=settings.rules)
        write("ics", _playbook.deadlines_ics(case, items, lang=settings.language))
    return Exported(case.id, files, summary.ready, lang=settings.language)


def export_pack(book: Casebook, case_id: str, dest: str | os.PathLike[str] | None = None, *,
                today: str | date | None = None, show_private: bool = False, max_pixels: int | None = None) -> Path:
    """The dispute pack (zip); ``dest`` is a file or a folder (default: the current folder)."""
    target = Path(dest) if dest is not None else Path(".")
    if target.is_dir() or dest is None:
        return export(book, case_id, target, formats=["zip"], today=today, show_private=show_private,
                      max_pixels=max_pixels).files["pack"]
    settings = book.settings
    case = book.get(case_id)
    _output_dir(target.parent if str(target.parent) else ".")
    _summary.build_pack(book, case, target, now=settings.now(today), settings=settings, show_private=show_private,
                        max_pixels=max_pixels)
    return target


def _output_dir(path: str | os.PathLike[str]) -> Path:
    from .errors import StorageError

    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ShopperError("cli.is_a_file", path=str(target))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(target, error, action="create") from None
    return target


# -- the overview -------------------------------------------------------------------------------------------

def overview(book: Casebook, *, today: str | date | None = None) -> "pd.DataFrame":
    """One row per case with the playbook's verdict (next deadline, days left, readiness); broken cases are rows."""
    import pandas as pd

    settings = book.settings
    now = settings.now(today)
    frame = book.to_frame(today=now.astimezone(settings.zone).date())
    extra: dict[str, list[Any]] = {"next_deadline": [], "due": [], "days_left": [], "readiness": [], "ready": []}
    from .errors import CorruptCaseError

    errors = list(frame["error"])
    for row, (case_id, error) in enumerate(zip(frame["id"], frame["error"])):
        advice = None
        if not isinstance(error, str):
            try:
                advice = _playbook.advise(book.get(case_id), now=now, tz=settings.timezone, rules=settings.rules)
            except CorruptCaseError as broken:  # one bad file is a row with its reason, never a dead overview
                errors[row] = str(broken)
        upcoming = advice.next_deadline if advice else None
        extra["next_deadline"].append(upcoming.label(settings.language) if upcoming else None)
        extra["due"].append(upcoming.when if upcoming else None)
        extra["days_left"].append(upcoming.days_left if upcoming else None)
        extra["readiness"].append(advice.score if advice else None)
        extra["ready"].append(advice.ready if advice else None)
    for column, values in extra.items():
        frame[column] = pd.Series(values, index=frame.index, dtype="object")
    frame["error"] = pd.Series(errors, index=frame.index, dtype="object")
    frame["days_left"] = frame["days_left"].astype("Int64")
    frame["readiness"] = frame["readiness"].astype("Int64")
    return frame


def overview_csv(book: Casebook, output_dir: str | os.PathLike[str], *, today: str | date | None = None) -> Path:
    """The overview as ``overview.csv`` in ``output_dir``."""
    from .csvsafe import to_safe_csv

    frame = overview(book, today=today)
    path = _output_dir(output_dir) / EXPORT_NAMES["overview"]
    to_safe_csv(frame, path)
    return path

