"""What the whole case says, beyond the problem kind the shopper picked.

The playbook reasons from this: the tracking timeline and its flags (a
"delivered" scan on a parcel that never came, customs asking for
information), how the order was paid (which decides where a dispute can go
after AliExpress), what the seller wrote (a request to close the dispute or
to pay outside the platform is a warning), whether the evidence's capture
times fit the order, and whether the shopper's text is English. Every word
list and number comes from ``casebook/rules/advice.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .i18n import Text
from .models import (
    Case,
    Direction,
    DisputeStage,
    PaymentFamily,
    ProblemKind,
    Severity,
    utc_now,
)
from .rules import Rules
from .tracking.timeline import Timeline, analyse

__all__ = ["Alert", "Situation", "read", "payment_family", "settled", "is_english", "seller_conduct",
           "evidence_timing", "tax_included", "refunded", "shorten", "excerpt", "conduct_spans", "customs_cleared"]

# flags that mean the tracking is not "normal" (severity warning or problem, plus having no events at all)
_QUIET_SEVERITIES = {Severity.INFO}


@dataclass(frozen=True)
class Alert:
    """A warning the shopper must see before anything else (a seller's trap, a suspicious file)."""

    key: str  # the catalogue key, e.g. "warning.close_dispute"
    severity: Severity
    message: Text
    at: datetime | None = None

    @property
    def name(self) -> str:
        return self.key.removeprefix("warning.")

    def text(self, lang: str = "ko") -> str:
        return self.message(lang)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.name, "severity": self.severity.value, "text": self.message.both(),
                "at": self.at.isoformat() if self.at else None}


# -- payment ---------------------------------------------------------------------------------------------

def payment_family(case: Case, rules: Rules | None = None) -> PaymentFamily:
    """Card, PayPal, a Korean wallet, something else, or unknown (nothing recorded)."""
    rules = rules or Rules.default()
    method = (case.order.payment_method or "").casefold()
    if not method.strip():
        return PaymentFamily.UNKNOWN
    payment = rules.advice["payment"]
    for name in payment["order"]:
        if any(word.casefold() in method for word in payment["words"][name]):
            return PaymentFamily(name)
    return PaymentFamily.OTHER


# -- where the dispute stands -----------------------------------------------------------------------------

def refunded(case: Case) -> Decimal:
    """How much has been refunded so far (0 when nothing is recorded)."""
    outcome = case.dispute.outcome
    return outcome.amount_refunded.amount if outcome and outcome.amount_refunded else Decimal(0)


def settled(case: Case) -> bool:
    """The money is back (or the case is closed with a full refund): nothing is left to chase."""
    stage = case.dispute.stage
    if stage == DisputeStage.REFUND_PAID:
        return True
    return stage in (DisputeStage.CLOSED, DisputeStage.DECIDED) and refunded(case) >= case.order.price.amount > 0


# -- language ---------------------------------------------------------------------------------------------

_NON_LATIN = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def is_english(text: str, rules: Rules | None = None) -> bool:
    """Mostly Latin letters (a Korean or Chinese sentence is not; a Korean word in an English one is)."""
    rules = rules or Rules.default()
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    share = sum(1 for c in letters if _NON_LATIN.match(c)) / len(letters)
    return share <= float(rules.advice["max_non_latin_share"])


# -- the seller's conduct ---------------------------------------------------------------------------------

CONDUCT = ("close_dispute", "off_platform_payment", "off_platform_contact", "confirm_receipt")


def shorten(text: str, limit: int | None = 90) -> str:
    """``text`` on one line, cut with an ellipsis to at most ``limit`` characters (no limit: ``None``)."""
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)].rstrip() + "…"
    return text


def excerpt(text: str, start: int, end: int, limit: int = 90) -> str:
    """``text`` on one line, at most ``limit`` characters, around ``text[start:end]`` (the words that matter).

    What is left out before and after is marked with an ellipsis, cut at a space when one is
    near; a text that fits is shown whole.
    """
    from bisect import bisect_left

    chars: list[str] = []
    where: list[int] = []  # where each character of the one-line text is in ``text``
    space = False
    for index, ch in enumerate(text):
        if ch.isspace():
            space = bool(chars)
            continue
        if space:
            chars.append(" ")
            where.append(index)
            space = False
        chars.append(ch)
        where.append(index)
    flat = "".join(chars)
    if len(flat) <= limit:
        return flat
    start, end = bisect_left(where, start), bisect_left(where, end)
    size = len(flat)

    def window(width: int) -> tuple[int, int]:  # a third of the room before the words, the rest after
        left = max(0, start - max(0, width - (end - start)) // 3)
        right = min(size, left + width)
        return max(0, right - width), right

    left, right = window(limit)
    left, right = window(limit - (left > 0) - (right < size))  # room for the ellipses
    if left > 0:  # start at a word when one starts nearby
        cut = flat.find(" ", left, start)
        left = cut + 1 if 0 <= cut and cut - left <= 12 else left
    if right < size:
        cut = flat.rfind(" ", end, right)
        right = cut if cut >= end and right - cut <= 12 else right
    return ("…" if left > 0 else "") + flat[left:right].strip() + ("…" if right < size else "")


def _fold(text: str) -> str:
    """``text`` case-folded character by character, so that indexes still point into ``text``."""
    return "".join(folded if len(folded := ch.casefold()) == 1 else ch.lower()[:1] or ch for ch in text)


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    return sorted((m.start(), m.end()) for word in words if word for m in re.finditer(re.escape(_fold(word)), text))


_CLAUSE_END = re.compile(r"[.!?;,\n。！？；，、]")


def _payment_phrases(text: str, words: dict[str, Any]) -> list[tuple[int, int]]:
    """Where a payment route outside the platform and money are named together (``通过微信退款``)."""
    gap = int(words.get("off_platform_gap_chars", 20))
    routes, money = _spans(text, words.get("off_platform_routes", [])), _spans(text, words.get("off_platform_money", []))
    found = []
    for r_start, r_end in routes:
        for m_start, m_end in money:
            if m_start < r_end and r_start < m_end:
                continue  # the same letters ("pay" in "paypal")
            between = text[r_end:m_start] if m_start >= r_end else text[m_end:r_start]
            if len(between) <= gap and not _CLAUSE_END.search(between):
                found.append((min(r_start, m_start), max(r_end, m_end)))
    return sorted(found)


def conduct_spans(text: str, rules: Rules | None = None) -> dict[str, tuple[int, int]]:
    """The first place in ``text`` where each kind of trap shows (kind -> (start, end)).

    Word lists from ``[conduct]`` in advice.toml, matched in any case; a payment route named
    with money (``refund you via WeChat``) is an off-platform payment, and the route is then
    a request to talk outside only where it also appears on its own.
    """
    rules = rules or Rules.default()
    words = rules.advice["conduct"]
    folded = _fold(text)
    payment = _payment_phrases(folded, words)
    found: dict[str, tuple[int, int]] = {}
    for name in CONDUCT:
        spans = _spans(folded, words[name])
        if name == "off_platform_payment":
            spans = sorted(spans + payment)
        elif name == "off_platform_contact":
            spans = [s for s in spans if not any(p[0] <= s[0] and s[1] <= p[1] for p in payment)]
        if spans:
            found[name] = spans[0]
    return found


def seller_conduct(case: Case, rules: Rules | None = None, tz: str = "Asia/Seoul") -> list[Alert]:
    """A warning for each kind of trap a received message shows (closing the dispute, paying or talking outside).

    The warning quotes the seller around the words that set it off (in the translation when the
    message is not in English and one was logged), not merely the message's first words.
    """
    rules = rules or Rules.default()
    zone = ZoneInfo(tz)
    found: dict[str, Alert] = {}
    for message in sorted(case.messages, key=lambda m: m.at):
        if message.direction != Direction.RECEIVED:
            continue
        shown = message.translation if message.translation and not is_english(message.text, rules) else message.text
        where = conduct_spans(shown, rules)
        hits = {**conduct_spans(f"{message.text} {message.translation or ''}", rules), **where}
        for name in CONDUCT:
            if name in found or name not in hits:
                continue
            quote = excerpt(shown, *where[name]) if name in where else shorten(shown)
            found[name] = Alert(f"warning.{name}", Severity.PROBLEM,
                                Text(f"warning.{name}", date=message.at.astimezone(zone).date(), quote=quote),
                                at=message.at)
    return [found[name] for name in CONDUCT if name in found]


# -- evidence timing --------------------------------------------------------------------------------------

def evidence_timing(case: Case, today: date, rules: Rules | None = None, tz: str = "Asia/Seoul") -> list[Alert]:
    """Files whose capture time is before the order (when that cannot be right) or in the future."""
    rules = rules or Rules.default()
    spec = rules.advice["evidence_time"]
    zone = ZoneInfo(tz)
    before: list[tuple[str, date]] = []
    future: list[tuple[str, date]] = []
    for item in case.evidence:
        if item.captured_at is None:
            continue
        taken = item.captured_at.astimezone(zone).date() if item.captured_at.tzinfo else item.captured_at.date()
        if taken < case.order.order_date and item.kind.value not in spec["before_order_ok"]:
            before.append((item.id, taken))
        elif taken > today + timedelta(days=int(spec["future_grace_days"])):
            future.append((item.id, taken))
    alerts = []
    if before:
        alerts.append(Alert("warning.evidence_before_order", Severity.PROBLEM, Text(
            "warning.evidence_before_order", ids=", ".join(f"{i} ({d})" for i, d in before),
            ordered=case.order.order_date)))
    if future:
        alerts.append(Alert("warning.evidence_future", Severity.PROBLEM, Text(
            "warning.evidence_future", ids=", ".join(f"{i} ({d})" for i, d in future), today=today)))
    return alerts


def tax_included(case: Case, rules: Rules | None = None) -> bool:
    """The listing promised taxes included: the shopper said so, or the description says so."""
    if case.problem.tax_included is not None:
        return case.problem.tax_included
    rules = rules or Rules.default()
    text = f"{case.problem.description} {case.problem.description_en or ''}".casefold()
    return any(word.casefold() in text for word in rules.advice["tax_included"]["words"])


# -- the situation ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Situation:
    """The case as the advice reads it."""

    kind: ProblemKind  # what the advice treats the case as (may be narrower than what was picked)
    chosen: ProblemKind  # what the shopper picked
    timeline: Timeline
    payment: PaymentFamily
    settled: bool
    missing: int  # items ordered but not received (0 when the shopper did not say)
    conduct: list[Alert] = field(default_factory=list)
    evidence_issues: list[Alert] = field(default_factory=list)
    today: date | None = None

    @property
    def flags(self) -> set[str]:
        return set(self.timeline.keys)

    @property
    def inferred(self) -> bool:
        return self.kind != self.chosen

    @property
    def has_events(self) -> bool:
        return self.timeline.last_event is not None

    @property
    def tracking_normal(self) -> bool:
        """Events saved and none of them a sign of trouble: a parcel merely on its way."""
        return self.has_events and all(f.severity in _QUIET_SEVERITIES for f in self.timeline.flags) and \
            self.kind not in (ProblemKind.DELIVERED_NOT_RECEIVED, ProblemKind.CUSTOMS_HOLD)

    @property
    def delivered_on(self) -> date | None:
        return self.timeline.delivered_at.date() if self.timeline.delivered_at else None

    @property
    def warnings(self) -> list[Alert]:
        return [*self.conduct, *self.evidence_issues]


def customs_cleared(case: Case, tz: str = "Asia/Seoul") -> date | None:
    """When customs released the parcel (from tracking), else when it was received."""
    released = sorted(e.time for s in case.shipments for e in s.events if e.sub_status == "InTransit_CustomsReleased")
    return released[0].astimezone(ZoneInfo(tz)).date() if released else case.order.received_date


def read(case: Case, *, now: datetime | None = None, tz: str = "Asia/Seoul", rules: Rules | None = None) -> Situation:
    """The situation of ``case`` as of ``now``."""
    rules = rules or Rules.default()
    now = now or utc_now()
    today = now.astimezone(ZoneInfo(tz)).date()
    is_settled = settled(case)
    events = [e for s in case.shipments for e in s.events]
    snapshots = sorted((snap for s in case.shipments for snap in s.snapshots), key=lambda snap: snap.fetched_at)
    # the last saved check's verdict, when there is one (a number the carrier does not know has no events)
    verdict = {"status": snapshots[-1].status, "sub_status": snapshots[-1].sub_status} if snapshots else {}
    timeline = analyse(events, order=case.order, problem=case.problem.kind, now=now, tz=tz, limits=rules.timeline,
                       settled=is_settled, **verdict)
    chosen = kind = case.problem.kind
    flags = set(timeline.keys)
    if case.order.received_date is None and chosen in (ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY):
        if chosen == ProblemKind.NOT_RECEIVED and "delivered" in flags:
            kind = ProblemKind.DELIVERED_NOT_RECEIVED
        elif "customs_needs_information" in flags:
            kind = ProblemKind.CUSTOMS_HOLD
    received = case.problem.received_quantity
    missing = case.order.quantity - received if received is not None else 0
    return Situation(
        kind=kind, chosen=chosen, timeline=timeline, payment=payment_family(case, rules), settled=is_settled,
        missing=max(0, missing), conduct=seller_conduct(case, rules, tz),
        evidence_issues=evidence_timing(case, today, rules, tz),
        today=today,
    )
