"""The end product: the dispute message, the report behind it, and the pack to attach.

Everything is generated from the case (never typed by hand), through Jinja2
templates in ``casebook/templates/`` and the catalogue's words. Case data is
only ever *data* to the templates: HTML is autoescaped, Markdown is escaped,
and a ``{{ }}`` typed by a seller stays literal text. The shopper's private
details are masked unless ``show_private=True``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from .errors import CasebookError
from .evidence import pack_copies, pack_name, thumbnail
from .i18n import LANGS, Text, aside, label, money, t, without_label
from .models import (Case, Channel, Counterpart, DeadlineStatus, Direction, Money, Payer, PaymentFamily, ProblemKind, Remedy,
                     TrackingEvent, days_between, days_since, utc_now)
from .playbook import Advice, advise
from .situation import Situation, is_english, shorten, tax_included
from .privacy import Masker
from .settings import Settings
from .store import Casebook, atomic_write_bytes

__all__ = ["DisputeSummary", "summarise", "render_message", "seller_first_message", "seller_first_message_zh",
           "report_html", "report_markdown", "build_pack", "FORMATS"]

FORMATS = ("txt", "md", "html", "zip")


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("casebook", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _markdown_escape
    env.filters["lowerfirst"] = _lower_first
    env.globals["t"] = t
    env.globals["label"] = label
    env.globals["aside"] = aside
    env.globals["both"] = lambda key, **values: " · ".join(dict.fromkeys(t(key, lang, **values) for lang in ("en", "ko")))
    env.globals["both_label"] = lambda member: " · ".join(dict.fromkeys(label(member, lang) for lang in ("en", "ko")))
    return env


def _lower_first(value: Any) -> str:
    """``Held at Korean customs`` -> ``held at Korean customs`` (mid-sentence; proper nouns keep their capital)."""
    text = str(value)
    return text[:1].lower() + text[1:]


def _markdown_escape(value: Any) -> str:
    """Escape text for Markdown that may be rendered to HTML: no raw tags, no accidental formatting."""
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


_TEXT = _environment(autoescape=False)
_HTML = _environment(autoescape=True)


# -- the facts, gathered once -------------------------------------------------------------------

@dataclass
class Facts:
    """Everything the templates show, already masked and formatted (strings, lists, dicts)."""

    case: Case
    advice: Advice
    mask: Masker
    now: datetime
    settings: Settings
    evidence: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    events: list[TrackingEvent] = field(default_factory=list)
    advice_situation: Situation = None  # type: ignore[assignment]

    @property
    def order(self) -> Any:
        return self.case.order

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.zone

    @property
    def reply_days(self) -> int:
        return self.settings.rules.days("seller_reply")

    def money(self, value: Money | None, lang: str = "en") -> str:
        return money(value.amount, value.currency, lang) if value else ""

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")


def _gather(case: Case, *, settings: Settings | None, now: datetime | None, show_private: bool) -> Facts:
    settings = settings or Settings()
    now = now or utc_now()
    advice = advise(case, now=now, tz=settings.timezone, rules=settings.rules, lang=settings.language)
    facts = Facts(case=case, advice=advice, mask=Masker(case.shopper, show_private), now=now, settings=settings,
                  advice_situation=advice.context)  # type: ignore[arg-type]
    for number, record in enumerate(case.evidence, start=1):
        facts.evidence.append({
            "n": number, "id": record.id, "file": pack_name(record, number), "kind": record.kind,
            "caption": facts.mask(without_label(record.caption, record.kind)), "sha256": record.sha256, "mime": record.mime,
            "captured": record.captured_at.strftime("%Y-%m-%d %H:%M") if record.captured_at else "",
            "device": facts.mask(record.device or ""),
        })
    for message in sorted(case.messages, key=lambda m: m.at):
        facts.steps.append({
            "date": facts.local(message.at)[:10], "when": facts.local(message.at), "channel": message.channel,
            "sent": message.direction == Direction.SENT, "direction": message.direction,
            "to_seller": message.with_seller, "party": message.party,
            "text": facts.mask(message.text), "translation": facts.mask(message.translation or ""),
        })
    for shipment in case.shipments:
        facts.events.extend(shipment.events)
    facts.events.sort(key=lambda e: e.time, reverse=True)
    return facts


def _english(f: Facts, text: str | None) -> bool:
    return bool(text) and is_english(text or "", f.settings.rules)


def _shown(f: Facts, text: str | None, lang: str, english: str | None = None) -> str:
    """Free text as the message in ``lang`` may show it: the English message never pastes Korean prose."""
    if lang != "en":
        return f.mask(text or "").strip()
    if english:
        return f.mask(english).strip()
    return f.mask(text or "").strip() if _english(f, text) else ""


def _event_shown(f: Facts, event: TrackingEvent, lang: str) -> str:
    """A tracking event in the message: its own words when they fit the language, else its English part,
    else the status it stands for (never a placeholder)."""
    shown = _shown(f, event.description, lang, event.translation)
    if shown:
        return shown
    import re

    from .tracking.timeline import status_text

    latin = re.sub(r"[^\x00-\x7f]+", " ", event.description)
    latin = " ".join(latin.split()).strip(" -:·,;/()[]")
    if len(re.findall(r"[A-Za-z]", latin)) >= 4:
        return f.mask(latin)
    return status_text(event.status, event.sub_status)(lang)


def _problem_paragraph(f: Facts, lang: str) -> str:
    """One paragraph shaped by the situation: the facts a dispute officer checks first."""
    p, o, kind = f.case.problem, f.order, f.advice.kind
    last = f.events[0] if f.events else None
    parts: list[str] = []
    if kind.is_delivery_problem:
        promised = o.promised_by
        late = days_between(promised, f.now, f.tz) if promised is not None else None
        if kind == ProblemKind.DELIVERED_NOT_RECEIVED:
            delivered = f.advice_situation.delivered_on
            parts.append(t("message.delivered_not_received", lang, date=delivered) if delivered else
                         t("message.delivered_not_received_undated", lang))
        elif kind == ProblemKind.CUSTOMS_HOLD:
            parts.append(t("message.customs_hold", lang))
        elif kind == ProblemKind.LATE_DELIVERY and late is not None and late > 0:
            parts.append(t("message.late", lang, promised=promised, days=late))
        elif promised is not None and late is not None and late <= 0:
            parts.append(t("message.not_yet_due", lang, promised=promised))
        else:
            parts.append(t("message.not_received", lang))
        if last is not None and kind != ProblemKind.DELIVERED_NOT_RECEIVED:
            where = f" ({f.mask(last.location or '')})" if last.location else ""
            event = _event_shown(f, last, lang)
            parts.append(t("message.last_event", lang, event=event, where=where,
                           date=f.local(last.time)[:10], days=days_since(last.time, f.now, f.tz)))
        elif last is None and f.case.shipment and f.case.shipment.tracking_number:
            parts.append(t("message.no_events", lang))
    if f.advice_situation.missing and o.quantity > 1:
        parts.append(t("message.missing_items", lang, quantity=o.quantity, received=o.quantity - f.advice_situation.missing))
    if kind == ProblemKind.CHANGE_OF_MIND:
        parts.append(t("message.change_of_mind", lang))
    if p.duty_paid is not None:
        key = "message.duty_paid_included" if tax_included(f.case, f.settings.rules) else "message.duty_paid"
        parts.append(t(key, lang, amount=p.duty_paid))
    differences = [shown for d in p.differences if (shown := _shown(f, d, lang))]
    if kind in (ProblemKind.NOT_AS_DESCRIBED, ProblemKind.WRONG_ITEM, ProblemKind.WRONG_SIZE) and differences:
        parts.append(t("message.differences", lang) + "".join(f"\n  - {d}" for d in differences))
    description = _shown(f, p.description, lang, p.description_en)
    if description:
        parts.append(description)
    elif not parts:  # the description is in Korean and no English one was given: at least name the problem
        parts.append(t("message.problem_only", lang, problem=label(kind, lang)))
    tested = _shown(f, p.tested_how, lang)
    if kind == ProblemKind.DEFECTIVE and tested:
        parts.append(t("message.tested", lang, how=tested))
    asked: dict[Any, list[Text]] = {}  # what the seller asked for, by day
    for warning in f.advice.warnings:
        if warning.key in _CONDUCT_LINES and warning.at is not None:
            asked.setdefault(warning.at.astimezone(f.tz).date(), []).append(Text(_CONDUCT_LINES[warning.key]))
    for day, what in asked.items():
        parts.append(Text("message.seller_conduct", date=day, what=what)(lang))
    return "\n".join(parts)


_CONDUCT_LINES = {"warning.close_dispute": "message.conduct_close", "warning.off_platform_payment": "message.conduct_pay",
                  "warning.off_platform_contact": "message.conduct_contact",
                  "warning.confirm_receipt": "message.conduct_confirm"}


def _request(f: Facts, lang: str) -> str:
    """What is asked for, with its amount, and the platform (or customs) rule it relies on."""
    plan = f.advice.plan
    assert plan is not None
    o = f.order
    total = o.price
    remedy, amount = plan.remedy, plan.amount
    missing = f.advice_situation.missing
    if remedy == Remedy.PARTIAL_REFUND and amount is not None and 0 < missing < o.quantity and not plan.recorded:
        line = t("message.request_missing", lang, amount=amount, missing=missing, total=total)
    elif remedy == Remedy.PARTIAL_REFUND and amount is not None:
        line = t("message.request_partial", lang, amount=amount, total=total)
    elif remedy == Remedy.RETURN_AND_REFUND:
        payer = plan.return_paid_by or Payer.SELLER
        line = t("message.request_return_buyer" if payer == Payer.BUYER else "message.request_return", lang,
                 total=total, payer=payer)
    elif remedy == Remedy.RESEND:
        line = t("message.request_resend", lang)
    elif remedy == Remedy.DUTY_REIMBURSEMENT:
        line = t("message.request_duty", lang, amount=amount or Text("step.duty_amount_unknown"))
    elif remedy == Remedy.CUSTOMS_REFUND:
        line = t("message.request_customs_refund", lang)
    elif remedy == Remedy.EXTENSION:
        line = t("message.request_extension" if f.advice.kind == ProblemKind.CUSTOMS_HOLD else
                 "message.request_extension_transit", lang, date=o.promised_by)
    elif plan.basis.key == "basis.not_yet_due":
        return t("message.request_if_late", lang, total=amount or total, promised=o.promised_by)
    else:
        line = t("message.request_full", lang, total=amount or total)
    return f"{line} {plan.basis(lang)}"


def _reply_by(f: Facts) -> date:
    """The seller's reply window, but never past the day before the shopper's own next deadline."""
    today = f.now.astimezone(f.tz).date()
    reply_by = today + timedelta(days=f.reply_days)
    soon = f.advice.next_deadline
    if soon is not None and soon.due_local is not None:
        reply_by = min(reply_by, max(today, soon.due_local.date() - timedelta(days=1)))
    return reply_by


def _closing(f: Facts, lang: str) -> str:
    """The reply date and the next step if ignored, naming only the channels that apply to this case."""
    if f.advice_situation.settled:
        return ""
    line = t("message.reply_by", lang, date=_reply_by(f))
    plan = f.advice.plan
    if f.advice.remedy in (Remedy.CUSTOMS_REFUND, Remedy.EXTENSION) or f.advice.kind == ProblemKind.CHANGE_OF_MIND or \
            (plan is not None and plan.basis.key == "basis.not_yet_due"):
        return line  # a return, a favour or a parcel not yet due: no talk of agencies and card companies
    dated = {d.key: d for d in f.advice.deadlines}
    open_ = DeadlineStatus.UPCOMING
    payment = f.advice.payment
    if payment == PaymentFamily.CARD and dated.get("card_chargeback_120") and dated["card_chargeback_120"].status == open_:
        key = "message.escalate_card"
    elif payment == PaymentFamily.PAYPAL and dated.get("paypal_180") and dated["paypal_180"].status == open_:
        key = "message.escalate_paypal"
    else:
        key = "message.escalate"
    return line + " " + t(key, lang, platform=f.order.platform)


# -- messages -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisputeSummary:
    """The messages for one case, and whether it is ready to send."""

    case_id: str
    ready: bool
    reasons: dict[str, list[str]]
    subjects: dict[str, str]
    messages: dict[str, str]
    seller_message: str | None  # offered instead when the seller has not been contacted
    evidence_files: list[str]
    fits: bool  # False when even the shortest form exceeds the length limit
    lang: str = "ko"
    seller_message_zh: str | None = None  # the same first message in simplified Chinese
    warnings: dict[str, list[str]] = field(default_factory=dict)  # seller traps, suspicious evidence: shown first
    asking: dict[str, str] = field(default_factory=dict)  # the remedy with its amount
    steps: dict[str, list[str]] = field(default_factory=dict)  # next steps, most urgent first

    @property
    def subject(self) -> str:
        return self.subjects["en"]

    @property
    def message_en(self) -> str:
        return self.messages["en"]

    @property
    def message_ko(self) -> str:
        return self.messages["ko"]

    def message(self, lang: str = "en") -> str:
        return self.messages[lang]

    def text(self, lang: str = "en") -> str:
        """The message as saved to a file: headed by its subject line."""
        return f"{t('report.message', lang)}: {self.subjects[lang]}\n\n{self.messages[lang]}" if lang == "ko" else \
            f"Subject: {self.subjects[lang]}\n\n{self.messages[lang]}"

    def preview(self, lang: str | None = None) -> str:
        """What a shopper reads first: why it is not ready, the seller message to send first, then the message."""
        lang = lang or self.lang
        lines: list[str] = [t("cli.warning", lang, text=w) for w in self.warnings.get(lang, [])]
        if self.asking:
            lines.append(t("message.asking", lang, remedy=self.asking[lang]))
        if self.steps.get(lang):
            lines.append(t("ui.next_steps", lang) + ":")
            lines += [f"  {n}. {step}" for n, step in enumerate(self.steps[lang], start=1)]
        if lines:
            lines.append("")
        if not self.ready:
            lines.append(f"{t('message.not_ready', lang)} " + " ".join(self.reasons[lang]))
            if self.seller_message:
                lines += [t("message.seller_first", lang), "", self.seller_message, "-" * 60, ""]
        lines.append(self.text(lang))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        return f"<pre style='white-space:pre-wrap;max-width:100%'>{html.escape(self.preview())}</pre>"


_DETAIL_LEVELS = [
    # quote length, how many steps, captions shown, how many evidence lines
    {"quote": 240, "steps": None, "captions": True, "evidence": None},
    {"quote": 120, "steps": None, "captions": True, "evidence": None},
    {"quote": 60, "steps": 4, "captions": True, "evidence": None},
    {"quote": 0, "steps": 3, "captions": False, "evidence": None},
    {"quote": 0, "steps": 2, "captions": False, "evidence": 10},
    {"quote": 0, "steps": 1, "captions": False, "evidence": 5},
]


def _subject(f: Facts, lang: str) -> str:
    return t("message.subject", lang, order_id=f.order.order_id, problem=f.advice.kind)


def render_message(case: Case, *, lang: str = "en", max_chars: int | None = None, now: datetime | None = None,
                   settings: Settings | None = None, show_private: bool = False) -> tuple[str, str, bool]:
    """(subject, body, fits): the dispute message, shortened list by list to fit ``max_chars``."""
    facts = _gather(case, settings=settings, now=now, show_private=show_private)
    return _render_message(facts, lang, max_chars)


def _render_message(facts: Facts, lang: str, max_chars: int | None) -> tuple[str, str, bool]:
    template = _TEXT.get_template(f"message_{lang}.txt.j2")
    o = facts.order
    subject = _subject(facts, lang)
    body = ""
    steps = [s for s in facts.steps if s["sent"] or s["to_seller"]]
    for level in _DETAIL_LEVELS:
        shown_steps = steps if level["steps"] is None else steps[-level["steps"]:]
        evidence = facts.evidence if level["evidence"] is None else facts.evidence[: level["evidence"]]
        body = template.render(
            f=facts, o=o, lang=lang, problem_label=label(facts.advice.kind, lang),
            paid=money(o.price.amount, o.price.currency, lang),
            problem=_problem_paragraph(facts, lang), request=_request(facts, lang),
            steps=[dict(s, line=_step_line(s, lang),
                        quote=shorten(_said(facts, s, lang), level["quote"]) if level["quote"] else "")
                   for s in shown_steps],
            steps_left_out=len(steps) - len(shown_steps), evidence=evidence,
            evidence_left_out=len(facts.evidence) - len(evidence), captions=level["captions"],
            closing=_closing(facts, lang), tracking=_tracking_line(facts, lang), shopper_name=facts.case.shopper.name or "",
            payment=_payment_shown(facts, lang),
        )
        if max_chars is None or len(subject) + 2 + len(body) <= max_chars:
            return subject, body, True
    return subject, body, False


def _payment_shown(f: Facts, lang: str) -> str:
    """The payment method as typed, or (in English, when typed in Korean) its route's English name."""
    method = f.order.payment_method or ""
    if lang != "en" or _english(f, method):
        return f.mask(method)
    payment = f.advice.payment
    return label(payment, lang) if payment not in (PaymentFamily.OTHER, PaymentFamily.UNKNOWN) else ""


def _said(f: Facts, step: dict[str, Any], lang: str) -> str:
    """What a logged message said, as the message in ``lang`` may quote it (English: the text or its translation)."""
    if lang != "en" or _english(f, step["text"]):
        return step["text"]
    return step["translation"] if _english(f, step["translation"]) else ""


# what a logged message was, by its channel: (sent, received); the chat forms name the channel too
_STEP_KEYS = {Channel.PHONE: ("message.called", "message.called_me"), Channel.EMAIL: ("message.emailed", "message.emailed_me")}


def _step_line(step: dict[str, Any], lang: str) -> str:
    """``I called the carrier`` / ``택배사에 전화했습니다``: by channel and by whom it was with."""
    party, sent = step["party"], step["sent"]
    if party is None or party == Counterpart.OTHER:  # with someone the log does not name
        return t("message.got_in_touch" if sent else "message.was_contacted", lang, channel=step["channel"])
    who = t(f"message.who_{party.value}" if sent else f"message.who_{party.value}_subject", lang)
    keys = _STEP_KEYS.get(step["channel"], ("message.sent_to", "message.replied"))
    return t(keys[0] if sent else keys[1], lang, who=who, channel=step["channel"])


def _tracking_line(f: Facts, lang: str) -> str:
    shipment = f.case.shipment
    if shipment is None or not shipment.tracking_number:
        return ""
    from .tracking.numbers import parse

    parsed = parse(shipment.tracking_number)
    best = parsed.best if parsed.valid else None
    carrier = (best.name_ko if lang == "ko" else best.name) if best is not None else ""
    line = aside(shipment.tracking_number, carrier)
    if shipment.domestic_number:
        line += ", " + t("message.domestic", lang, number=shipment.domestic_number)
    return line


def seller_first_message(case: Case, *, now: datetime | None = None, settings: Settings | None = None,
                         show_private: bool = False) -> str:
    """A short, polite first message to the seller, for cases where the seller has not been contacted."""
    facts = _gather(case, settings=settings, now=now, show_private=show_private)
    return _seller_first(facts)


def _attached(f: Facts, lang: str) -> str:
    """What is attached, in words that fit the problem (a parcel that never came has no photos of a fault)."""
    if f.advice.kind.is_delivery_problem:
        tracked = bool(f.events) or any(e["kind"].value == "tracking_screenshot" for e in f.evidence)
        return t("message.attached_tracking", lang) if tracked else ""
    return t("message.attached_files", lang, n=len(f.evidence)) if f.evidence else ""


def _seller_first(facts: Facts) -> str:
    return _TEXT.get_template("seller_first.txt.j2").render(
        f=facts, o=facts.order, problem_label=_lower_first(label(facts.advice.kind, "en")),
        request=_request(facts, "en"), problem=_problem_paragraph(facts, "en"), attached=_attached(facts, "en"),
    )


def seller_first_message_zh(case: Case, *, now: datetime | None = None, settings: Settings | None = None,
                            show_private: bool = False) -> str:
    """The first message to the seller in simplified Chinese (reviewed phrases in ``seller_first_zh.txt.j2``)."""
    return _seller_first_zh(_gather(case, settings=settings, now=now, show_private=show_private))


def _seller_first_zh(f: Facts) -> str:
    o, plan, sit = f.order, f.advice.plan, f.advice_situation
    assert plan is not None
    promised = o.promised_by
    en = (lambda m: money(m.amount, m.currency, "en") if m is not None else "")
    return _TEXT.get_template("seller_first_zh.txt.j2").render(
        o=o, item=f.mask(o.item_title) + (f", {f.mask(o.option)}" if o.option else ""), kind=f.advice.kind.value,
        promised=promised, late=days_between(promised, f.now, f.tz) if promised else 0, missing=sit.missing,
        received=o.quantity - sit.missing, quantity=o.quantity, duty=en(f.case.problem.duty_paid),
        tax_included=tax_included(f.case, f.settings.rules), remedy=plan.remedy.value, amount=en(plan.amount),
        not_due=plan.basis.key == "basis.not_yet_due",
        total=en(o.price), buyer_pays=plan.return_paid_by == Payer.BUYER, recorded=plan.recorded,
        attached="tracking" if _attached(f, "en") and f.advice.kind.is_delivery_problem else
        ("files" if f.evidence else ""),
    )


def summarise(case: Case, *, max_chars: int | None = None, now: datetime | None = None, settings: Settings | None = None,
              show_private: bool = False) -> DisputeSummary:
    """Both messages, readiness, and the first seller message when the seller was skipped (guide case D)."""
    facts = _gather(case, settings=settings, now=now, show_private=show_private)
    subjects, messages, fits = {}, {}, True
    for lang in LANGS:
        subjects[lang], messages[lang], fits_lang = _render_message(facts, lang, max_chars)
        fits = fits and fits_lang
    seller_skipped = any(c.key.value == "seller_contacted" and not c.ok for c in facts.advice.checks)
    advice = facts.advice
    return DisputeSummary(
        case_id=case.id, ready=advice.ready,
        reasons={lang: [c.text(lang) for c in advice.reasons] for lang in LANGS},
        subjects=subjects, messages=messages, seller_message=_seller_first(facts) if seller_skipped else None,
        evidence_files=[e["file"] for e in facts.evidence], fits=fits, lang=facts.settings.language,
        seller_message_zh=_seller_first_zh(facts) if seller_skipped else None,
        warnings={lang: [w.text(lang) for w in advice.warnings] for lang in LANGS},
        asking={lang: advice.remedy_text(lang) for lang in LANGS},
        steps={lang: advice.steps(lang) for lang in LANGS},
    )


# -- report ---------------------------------------------------------------------------------------

def _report_context(book: Casebook | None, case: Case, facts: Facts, *, images: bool, plot: bool = True,
                    copies: list[tuple[Any, bytes]] | None = None) -> dict[str, Any]:
    from markupsafe import Markup

    from .tracking.plot import timeline_svg
    from .tracking.timeline import status_text

    picture = None
    if plot and facts.events:
        # built from dates, statuses and escaped descriptions only: safe to embed as markup
        picture = Markup(timeline_svg(facts.events, promised=case.order.promised_by,
                                      today=facts.now.astimezone(facts.tz).date(),
                                      title=case.shipment.tracking_number or "" if case.shipment else "",
                                      mask=facts.mask))  # tooltips masked like the table
    thumbs: dict[str, str] = {}
    if images and book is not None:
        if copies is None:
            copies = pack_copies(book, case)
        thumbs = _thumbnails(book, case, copies)
    # a copy whose location could not be removed is said so beside it, never shipped as clean
    location_kept = {item.file for item, _ in copies or [] if not getattr(item, "location_removed", True)}
    zone = facts.now.astimezone(facts.tz).strftime("%Z")
    return {
        "f": facts, "o": case.order, "case": case, "zone": zone,
        "paid": " · ".join(dict.fromkeys(money(case.order.price.amount, case.order.price.currency, lang) for lang in ("en", "ko"))),
        "problem": _problem_paragraph(facts, "en"), "problem_ko_text": _problem_paragraph(facts, "ko"),
        "events": [{"when": facts.local(e.time), "status": " · ".join(dict.fromkeys(status_text(e.status, e.sub_status)(lang) for lang in ("en", "ko"))),
                    "customs": e.stage == "customs",
                    "location": facts.mask(e.location or ""), "description": facts.mask(e.description),
                    "translation": facts.mask(e.translation or "")} for e in facts.events],
        "plot": picture, "thumbs": thumbs, "advice": facts.advice, "location_kept": location_kept,
        "deadlines": [d for d in facts.advice.deadlines if d.status.value != "not_applicable"],
        "shopper": {"name": facts.mask(case.shopper.name or ""), "phone": facts.mask.phone(),
                    "address": facts.mask.address(), "customs_code": facts.mask.customs_code()},
        "notes": facts.mask(case.notes), "generated": facts.local(facts.now),
        "outcome": case.dispute.outcome, "money": facts.money,
    }


def _thumbnails(book: Casebook, case: Case, copies: list[tuple[Any, bytes]] | None = None) -> dict[str, str]:
    """Small location-free JPEG previews of image evidence, as data: URIs (no external files, no scripts)."""
    mimes = {e.id: e.mime for e in case.evidence}
    out = {}
    for item, data in copies if copies is not None else pack_copies(book, case):
        preview = thumbnail(data, mimes[item.id])
        if preview is not None:
            out[item.id] = "data:image/jpeg;base64," + base64.b64encode(preview).decode("ascii")
    return out


def report_html(case: Case, *, book: Casebook | None = None, now: datetime | None = None, settings: Settings | None = None,
                show_private: bool = False, images: bool = True, copies: list[tuple[Any, bytes]] | None = None) -> str:
    """A printable HTML report: at a glance, timeline, evidence gallery, messages, deadlines, readiness.

    ``copies`` (from ``evidence.pack_copies``) may be passed to reuse already stripped evidence.
    """
    facts = _gather(case, settings=settings, now=now, show_private=show_private)
    return _HTML.get_template("report.html.j2").render(**_report_context(book, case, facts, images=images, copies=copies))


def report_markdown(case: Case, *, now: datetime | None = None, settings: Settings | None = None,
                    show_private: bool = False, copies: list[tuple[Any, bytes]] | None = None) -> str:
    """The same report as Markdown, with case text escaped so no raw HTML survives rendering."""
    facts = _gather(case, settings=settings, now=now, show_private=show_private)
    return _TEXT.get_template("report.md.j2").render(**_report_context(None, case, facts, images=False, plot=False,
                                                                       copies=copies))


# -- the pack ---------------------------------------------------------------------------------------

def build_pack(book: Casebook, case: Case, dest: Any, *, now: datetime | None = None, settings: Settings | None = None,
               show_private: bool = False, max_pixels: int | None = None, summary: DisputeSummary | None = None,
               html: str | None = None, markdown: str | None = None,
               copies: list[tuple[Any, bytes]] | None = None) -> dict[str, Any]:
    """One zip: the messages (txt), the report (html, md), location-stripped evidence and a hashed manifest.

    ``summary``/``html``/``markdown`` may be passed when already rendered (with
    the same options) to avoid doing the work twice. Written atomically;
    returns the manifest.
    """
    summary = summary or summarise(case, now=now, settings=settings, show_private=show_private)
    if copies is None:
        copies = pack_copies(book, case, max_pixels=max_pixels)
    if html is None:
        html = report_html(case, book=book, now=now, settings=settings, show_private=show_private, copies=copies)
    if markdown is None:
        markdown = report_markdown(case, now=now, settings=settings, show_private=show_private, copies=copies)
    files: dict[str, bytes] = {
        "message-en.txt": summary.text("en").encode("utf-8"),
        "message-ko.txt": summary.text("ko").encode("utf-8"),
        "report.html": html.encode("utf-8"),
        "report.md": markdown.encode("utf-8"),
    }
    if summary.seller_message:
        files["seller-message-en.txt"] = summary.seller_message.encode("utf-8")
    if summary.seller_message_zh:
        files["seller-message-zh.txt"] = summary.seller_message_zh.encode("utf-8")
    for item, data in copies:
        files[f"evidence/{item.file}"] = data
    manifest = {
        "case": case.id,
        "order_id": case.order.order_id,
        "generated_at": (now or utc_now()).isoformat(),
        "ready": summary.ready,
        "private_details": "shown" if show_private else "masked",
        "files": [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in files.items()],
        "location_not_removed": [f"evidence/{item.file}" for item, _ in copies if not item.location_removed],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    try:
        atomic_write_bytes(Path(dest), buffer.getvalue())
    except OSError as error:
        raise CasebookError(f"cannot write the pack to {dest}: {error}") from None
    return manifest
