"""The end product: the dispute message, the report behind it, and the pack to attach.

Everything is generated from the case (never typed by hand), through Jinja2
templates in ``casebook/templates/``. Case data is only ever *data* to the
templates: HTML is autoescaped, Markdown is escaped, and a ``{{ }}`` typed by
a seller stays literal text. The shopper's private details are masked unless
``show_private=True``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from .currencies import format_amount
from .errors import CasebookError
from .evidence import pack_copies, pack_name, thumbnail
from .models import Case, Channel, Direction, EvidenceKind, Money, ProblemKind, Remedy, TrackingEvent, utc_now
from .playbook import Advice, Rules, advise
from .privacy import Masker
from .store import Casebook, atomic_write_bytes

__all__ = ["DisputeSummary", "summarise", "render_message", "seller_first_message", "report_html", "report_markdown",
           "build_pack", "FORMATS"]

FORMATS = ("txt", "md", "html", "zip")
DEFAULT_REPLY_DAYS = 5  # the seller's reply window on AliExpress (domain-facts §1.3)

PROBLEM_EN = {
    ProblemKind.NOT_RECEIVED: "item not received",
    ProblemKind.LATE_DELIVERY: "late delivery",
    ProblemKind.DAMAGED: "item arrived damaged",
    ProblemKind.DEFECTIVE: "item does not work",
    ProblemKind.NOT_AS_DESCRIBED: "item not as described",
    ProblemKind.WRONG_ITEM: "wrong item received",
    ProblemKind.WRONG_SIZE: "wrong size received",
    ProblemKind.MISSING_PARTS: "parts missing",
    ProblemKind.COUNTERFEIT: "counterfeit item",
    ProblemKind.EMPTY_PARCEL: "empty parcel",
    ProblemKind.OTHER: "problem with the order",
}
PROBLEM_KO = {
    ProblemKind.NOT_RECEIVED: "상품 미수령",
    ProblemKind.LATE_DELIVERY: "배송 지연",
    ProblemKind.DAMAGED: "파손 상품 도착",
    ProblemKind.DEFECTIVE: "작동 불량",
    ProblemKind.NOT_AS_DESCRIBED: "상품 설명과 다름",
    ProblemKind.WRONG_ITEM: "오배송",
    ProblemKind.WRONG_SIZE: "사이즈 불일치",
    ProblemKind.MISSING_PARTS: "구성품 누락",
    ProblemKind.COUNTERFEIT: "가품 의심",
    ProblemKind.EMPTY_PARCEL: "빈 상자 도착",
    ProblemKind.OTHER: "주문 문제",
}
EVIDENCE_EN = {
    EvidenceKind.DEFECT_PHOTO: "Photo", EvidenceKind.DEFECT_VIDEO: "Video of the fault",
    EvidenceKind.PACKAGING_PHOTO: "Packaging photo", EvidenceKind.UNBOXING_VIDEO: "Unboxing video",
    EvidenceKind.SIZE_PHOTO: "Measurement photo", EvidenceKind.LABEL_PHOTO: "Label photo",
    EvidenceKind.PRODUCT_PAGE_SCREENSHOT: "Product page screenshot", EvidenceKind.ORDER_PAGE_SCREENSHOT: "Order page screenshot",
    EvidenceKind.TRACKING_SCREENSHOT: "Tracking screenshot", EvidenceKind.CHAT_SCREENSHOT: "Chat screenshot",
    EvidenceKind.PAYMENT_RECORD: "Payment record", EvidenceKind.CUSTOMS_DOCUMENT: "Customs document",
    EvidenceKind.OTHER: "Other evidence",
}
EVIDENCE_KO = {
    EvidenceKind.DEFECT_PHOTO: "사진", EvidenceKind.DEFECT_VIDEO: "불량 동영상", EvidenceKind.PACKAGING_PHOTO: "포장 사진",
    EvidenceKind.UNBOXING_VIDEO: "개봉 영상", EvidenceKind.SIZE_PHOTO: "측정 사진", EvidenceKind.LABEL_PHOTO: "라벨 사진",
    EvidenceKind.PRODUCT_PAGE_SCREENSHOT: "상품 페이지 캡처", EvidenceKind.ORDER_PAGE_SCREENSHOT: "주문 화면 캡처",
    EvidenceKind.TRACKING_SCREENSHOT: "배송 조회 캡처", EvidenceKind.CHAT_SCREENSHOT: "대화 캡처",
    EvidenceKind.PAYMENT_RECORD: "결제 내역", EvidenceKind.CUSTOMS_DOCUMENT: "통관 서류", EvidenceKind.OTHER: "기타 증거",
}
REMEDY_EN = {Remedy.FULL_REFUND: "a full refund", Remedy.PARTIAL_REFUND: "a partial refund",
             Remedy.RETURN_AND_REFUND: "a return and full refund", Remedy.RESEND: "a replacement sent at no cost"}
REMEDY_KO = {Remedy.FULL_REFUND: "전액 환불", Remedy.PARTIAL_REFUND: "부분 환불",
             Remedy.RETURN_AND_REFUND: "반품 후 전액 환불", Remedy.RESEND: "무상 재발송"}


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
    return env


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
    tz: ZoneInfo
    reply_days: int
    evidence: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    events: list[TrackingEvent] = field(default_factory=list)

    @property
    def order(self) -> Any:
        return self.case.order

    def money(self, value: Money | None) -> str:
        return format_amount(value.amount, value.currency) if value else ""

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")


def _gather(case: Case, *, now: datetime | None, tz: str, show_private: bool, rules: Rules | None,
            reply_days: int) -> Facts:
    now = now or utc_now()
    facts = Facts(case=case, advice=advise(case, now=now, tz=tz, rules=rules), mask=Masker(case.shopper, show_private),
                  now=now, tz=ZoneInfo(tz), reply_days=reply_days)
    for number, record in enumerate(case.evidence, start=1):
        facts.evidence.append({
            "n": number, "id": record.id, "file": pack_name(record, number), "kind": record.kind,
            "kind_en": EVIDENCE_EN[record.kind], "kind_ko": EVIDENCE_KO[record.kind],
            "caption": facts.mask(record.caption), "sha256": record.sha256, "mime": record.mime,
            "captured": record.captured_at.strftime("%Y-%m-%d %H:%M") if record.captured_at else "",
            "device": facts.mask(record.device or ""),
        })
    for message in sorted(case.messages, key=lambda m: m.at):
        facts.steps.append({
            "date": facts.local(message.at)[:10], "when": facts.local(message.at), "channel": message.channel.value,
            "sent": message.direction == Direction.SENT,
            "to_seller": message.channel in (Channel.SELLER_CHAT, Channel.EMAIL, Channel.PHONE),
            "text": facts.mask(message.text), "translation": facts.mask(message.translation or ""),
        })
    for shipment in case.shipments:
        facts.events.extend(shipment.events)
    facts.events.sort(key=lambda e: e.time, reverse=True)
    return facts


def _quote(text: str, limit: int | None) -> str:
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)].rstrip() + "…"
    return text


def _problem_paragraph(f: Facts, lang: str) -> str:
    """One paragraph shaped by the problem kind: the facts a dispute officer checks first."""
    p, o = f.case.problem, f.order
    ko = lang == "ko"
    description = f.mask(p.description).strip()
    last = f.events[0] if f.events else None
    parts: list[str] = []
    if p.kind in (ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY):
        promised = o.promised_by
        if p.kind == ProblemKind.LATE_DELIVERY and promised is not None:
            late = (f.now.astimezone(f.tz).date() - promised).days
            parts.append(f"약속된 배송일 {promised}이(가) {late}일 지났지만 상품을 받지 못했습니다." if ko else
                         f"The promised delivery date, {promised}, passed {late} days ago and the parcel has not arrived.")
        elif p.kind == ProblemKind.NOT_RECEIVED:
            parts.append("상품을 받지 못했습니다." if ko else "I have not received the parcel.")
        if last is not None:
            days = (f.now - last.time).days
            where = f" ({f.mask(last.location or '')})" if last.location else ""
            parts.append(f"마지막 배송 조회 기록은 {f.local(last.time)[:10]}{where}의 \"{f.mask(last.description)}\"이며, {days}일째 변동이 없습니다." if ko else
                         f"The last tracking event was \"{f.mask(last.description)}\"{where} on {f.local(last.time)[:10]}, {days} days ago, with no update since.")
        elif f.case.shipment and f.case.shipment.tracking_number:
            parts.append("배송 조회에 아무 기록이 없습니다." if ko else "Tracking shows no events at all.")
    if p.kind in (ProblemKind.NOT_AS_DESCRIBED, ProblemKind.WRONG_ITEM, ProblemKind.WRONG_SIZE) and p.differences:
        header = "상품 설명과 받은 상품의 차이:" if ko else "The item received differs from the listing:"
        parts.append(header + "".join(f"\n  - {f.mask(d)}" for d in p.differences))
    if description:
        parts.append(description)
    if p.kind == ProblemKind.DEFECTIVE and p.tested_how:
        parts.append(("테스트 방법: " if ko else "How I tested it: ") + f.mask(p.tested_how))
    return "\n".join(parts)


def _request(f: Facts, lang: str) -> str:
    d, o = f.case.dispute, f.order
    remedy = d.requested or Remedy(f.advice.remedy)
    ko = lang == "ko"
    total = format_amount(o.price.amount, o.price.currency)
    if remedy == Remedy.PARTIAL_REFUND and d.requested_amount is not None:
        amount = f.money(d.requested_amount)
        return f"{amount}의 부분 환불을 요청합니다 (결제 금액 {total})." if ko else f"I request a partial refund of {amount} (of {total} paid)."
    if remedy == Remedy.RETURN_AND_REFUND:
        payer = d.return_shipping_paid_by.value if d.return_shipping_paid_by else (f.advice.return_paid_by or "seller")
        if ko:
            return f"반품 후 {total} 전액 환불을 요청합니다. 상품 하자이므로 반품 배송비는 {'판매자' if payer == 'seller' else '구매자'} 부담입니다."
        return f"I request a return and a full refund of {total}, with return shipping paid by the {payer}."
    if remedy == Remedy.RESEND:
        return "무상 재발송을 요청합니다." if ko else "I request a replacement sent at no cost."
    return f"{total} 전액 환불을 요청합니다." if ko else f"I request a full refund of {total}."


# -- messages -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisputeSummary:
    """The messages for one case, and whether it is ready to send."""

    case_id: str
    ready: bool
    reasons_en: list[str]
    reasons_ko: list[str]
    subject: str
    message_en: str
    message_ko: str
    seller_message: str | None  # offered instead when the seller has not been contacted
    evidence_files: list[str]
    fits: bool  # False when even the shortest form exceeds the length limit

    def message(self, lang: str = "en") -> str:
        return self.message_ko if lang == "ko" else self.message_en

    def text(self, lang: str = "en") -> str:
        """The message as saved to a file: the English one headed by its subject line."""
        return self.message_ko if lang == "ko" else f"Subject: {self.subject}\n\n{self.message_en}"


_DETAIL_LEVELS = [
    # quote length, how many steps, captions shown, how many evidence lines
    {"quote": 240, "steps": None, "captions": True, "evidence": None},
    {"quote": 120, "steps": None, "captions": True, "evidence": None},
    {"quote": 60, "steps": 4, "captions": True, "evidence": None},
    {"quote": 0, "steps": 3, "captions": False, "evidence": None},
    {"quote": 0, "steps": 2, "captions": False, "evidence": 10},
    {"quote": 0, "steps": 1, "captions": False, "evidence": 5},
]


def render_message(case: Case, *, lang: str = "en", max_chars: int | None = None, now: datetime | None = None,
                   tz: str = "Asia/Seoul", show_private: bool = False, rules: Rules | None = None,
                   reply_days: int = DEFAULT_REPLY_DAYS) -> tuple[str, str, bool]:
    """(subject, body, fits): the dispute message, shortened list by list to fit ``max_chars``."""
    facts = _gather(case, now=now, tz=tz, show_private=show_private, rules=rules, reply_days=reply_days)
    return _render_message(facts, lang, max_chars)


def _render_message(facts: Facts, lang: str, max_chars: int | None) -> tuple[str, str, bool]:
    template = _TEXT.get_template(f"message_{lang}.txt.j2")
    o = facts.order
    subject = (f"주문 {o.order_id} – {PROBLEM_KO[facts.case.problem.kind]}" if lang == "ko"
               else f"Order {o.order_id} – {PROBLEM_EN[facts.case.problem.kind]}")
    body = ""
    for level in _DETAIL_LEVELS:
        steps = [s for s in facts.steps if s["sent"] or s["to_seller"]]
        shown_steps = steps if level["steps"] is None else steps[-level["steps"]:]
        evidence = facts.evidence if level["evidence"] is None else facts.evidence[: level["evidence"]]
        body = template.render(
            f=facts, o=o, subject=subject, paid=format_amount(o.price.amount, o.price.currency),
            problem=_problem_paragraph(facts, lang), request=_request(facts, lang),
            steps=[dict(s, quote=_quote(s["text"], level["quote"]) if level["quote"] else "") for s in shown_steps],
            steps_left_out=len(steps) - len(shown_steps), evidence=evidence,
            evidence_left_out=len(facts.evidence) - len(evidence), captions=level["captions"],
            reply_by=(facts.now.astimezone(facts.tz) + timedelta(days=facts.reply_days)).date(),
            tracking=_tracking_line(facts, lang), shopper_name=facts.case.shopper.name or "",
        )
        if max_chars is None or len(subject) + 2 + len(body) <= max_chars:
            return subject, body, True
    return subject, body, False


def _tracking_line(f: Facts, lang: str) -> str:
    shipment = f.case.shipment
    if shipment is None or not shipment.tracking_number:
        return ""
    from .tracking.numbers import parse

    parsed = parse(shipment.tracking_number)
    carrier = parsed.best.name if parsed.valid and parsed.best else (shipment.carrier or "")
    line = f"{shipment.tracking_number}" + (f" ({carrier})" if carrier else "")
    if shipment.domestic_number:
        line += (f", 국내 {shipment.domestic_number}" if lang == "ko" else f", Korean domestic {shipment.domestic_number}")
    return line


def seller_first_message(case: Case, *, now: datetime | None = None, tz: str = "Asia/Seoul",
                         show_private: bool = False) -> str:
    """A short, polite first message to the seller, for cases where the seller has not been contacted."""
    facts = _gather(case, now=now, tz=tz, show_private=show_private, rules=None, reply_days=DEFAULT_REPLY_DAYS)
    return _TEXT.get_template("seller_first.txt.j2").render(
        f=facts, o=facts.order, problem_en=PROBLEM_EN[case.problem.kind], request=_request(facts, "en"),
        problem=_problem_paragraph(facts, "en"), evidence=facts.evidence,
    )


def summarise(case: Case, *, max_chars: int | None = None, now: datetime | None = None, tz: str = "Asia/Seoul",
              show_private: bool = False, rules: Rules | None = None,
              reply_days: int = DEFAULT_REPLY_DAYS) -> DisputeSummary:
    """Both messages, readiness, and the first seller message when the seller was skipped (guide case D)."""
    facts = _gather(case, now=now, tz=tz, show_private=show_private, rules=rules, reply_days=reply_days)
    subject, en, fits_en = _render_message(facts, "en", max_chars)
    _, ko, fits_ko = _render_message(facts, "ko", max_chars)
    seller_skipped = any(c.key == "seller_contacted" and not c.ok for c in facts.advice.checks)
    seller = seller_first_message(case, now=now, tz=tz, show_private=show_private) if seller_skipped else None
    return DisputeSummary(
        case_id=case.id, ready=facts.advice.ready,
        reasons_en=[c.en for c in facts.advice.reasons], reasons_ko=[c.ko for c in facts.advice.reasons],
        subject=subject, message_en=en, message_ko=ko, seller_message=seller,
        evidence_files=[e["file"] for e in facts.evidence], fits=fits_en and fits_ko,
    )


# -- report ---------------------------------------------------------------------------------------

def _report_context(book: Casebook | None, case: Case, facts: Facts, *, images: bool, plot: bool = True,
                    copies: list[tuple[Any, bytes]] | None = None) -> dict[str, Any]:
    from markupsafe import Markup

    from .tracking.plot import timeline_svg

    picture = None
    if plot and facts.events:
        # built from dates, statuses and escaped descriptions only: safe to embed as markup
        picture = Markup(timeline_svg(facts.events, promised=case.order.promised_by,
                                      today=facts.now.astimezone(facts.tz).date(),
                                      title=case.shipment.tracking_number or "" if case.shipment else "",
                                      mask=facts.mask))  # tooltips masked like the table
    thumbs: dict[str, str] = {}
    if images and book is not None:
        thumbs = _thumbnails(book, case, copies)
    return {
        "f": facts, "o": case.order, "case": case, "problem_en": PROBLEM_EN[case.problem.kind],
        "problem_ko": PROBLEM_KO[case.problem.kind], "paid": format_amount(case.order.price.amount, case.order.price.currency),
        "problem": _problem_paragraph(facts, "en"), "problem_ko_text": _problem_paragraph(facts, "ko"),
        "events": [{"when": facts.local(e.time), "status": e.status.value, "stage": e.stage or "",
                    "location": facts.mask(e.location or ""), "description": facts.mask(e.description),
                    "translation": facts.mask(e.translation or "")} for e in facts.events],
        "plot": picture, "thumbs": thumbs, "advice": facts.advice,
        "deadlines": [d for d in facts.advice.deadlines if d.status != "not_applicable"],
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


def report_html(case: Case, *, book: Casebook | None = None, now: datetime | None = None, tz: str = "Asia/Seoul",
                show_private: bool = False, rules: Rules | None = None, images: bool = True,
                copies: list[tuple[Any, bytes]] | None = None) -> str:
    """A printable HTML report: at a glance, timeline, evidence gallery, messages, deadlines, readiness.

    ``copies`` (from ``evidence.pack_copies``) may be passed to reuse already stripped evidence.
    """
    facts = _gather(case, now=now, tz=tz, show_private=show_private, rules=rules, reply_days=DEFAULT_REPLY_DAYS)
    return _HTML.get_template("report.html.j2").render(**_report_context(book, case, facts, images=images, copies=copies))


def report_markdown(case: Case, *, now: datetime | None = None, tz: str = "Asia/Seoul", show_private: bool = False,
                    rules: Rules | None = None) -> str:
    """The same report as Markdown, with case text escaped so no raw HTML survives rendering."""
    facts = _gather(case, now=now, tz=tz, show_private=show_private, rules=rules, reply_days=DEFAULT_REPLY_DAYS)
    return _TEXT.get_template("report.md.j2").render(**_report_context(None, case, facts, images=False, plot=False))


# -- the pack ---------------------------------------------------------------------------------------

def build_pack(book: Casebook, case: Case, dest: Any, *, now: datetime | None = None, tz: str = "Asia/Seoul",
               show_private: bool = False, rules: Rules | None = None, max_pixels: int | None = None,
               summary: DisputeSummary | None = None, html: str | None = None, markdown: str | None = None,
               copies: list[tuple[Any, bytes]] | None = None) -> dict[str, Any]:
    """One zip: the messages (txt), the report (html, md), location-stripped evidence and a hashed manifest.

    ``summary``/``html``/``markdown`` may be passed when already rendered (with
    the same options) to avoid doing the work twice. Written atomically;
    returns the manifest.
    """
    summary = summary or summarise(case, now=now, tz=tz, show_private=show_private, rules=rules)
    if copies is None:
        copies = pack_copies(book, case, max_pixels=max_pixels)
    if html is None:
        html = report_html(case, book=book, now=now, tz=tz, show_private=show_private, rules=rules, copies=copies)
    if markdown is None:
        markdown = report_markdown(case, now=now, tz=tz, show_private=show_private, rules=rules)
    files: dict[str, bytes] = {
        "message-en.txt": summary.text("en").encode("utf-8"),
        "message-ko.txt": summary.text("ko").encode("utf-8"),
        "report.html": html.encode("utf-8"),
        "report.md": markdown.encode("utf-8"),
    }
    if summary.seller_message:
        files["seller-message-en.txt"] = summary.seller_message.encode("utf-8")
    for item, data in copies:
        files[f"evidence/{item.file}"] = data
    manifest = {
        "case": case.id,
        "order_id": case.order.order_id,
        "generated_at": (now or utc_now()).isoformat(),
        "ready": summary.ready,
        "private_details": "shown" if show_private else "masked",
        "files": [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in files.items()],
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
