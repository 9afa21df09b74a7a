"""The guide's lessons as checks: what to collect, when to act, what to ask for.

Pure functions over a ``Case`` and the ``Rules`` in force. Every number they
use (windows, reply days, weights, the pass mark, harsh words) comes from
``casebook/rules/*.toml``; every sentence they produce is a ``Text`` (a
catalogue key with values), shown in Korean or English by the face.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ConfigError
from .i18n import LANGS, Text, label, t
from . import situation as _situation
from .models import (
    Case,
    CheckKey,
    DeadlineStatus,
    Direction,
    DisputeStage,
    Money,
    Payer,
    PaymentFamily,
    ProblemKind,
    RefundType,
    Remedy,
    days_between,
    utc_now,
)
from .remedy import RemedyPlan, decide
from .rules import Rules
from .situation import Alert, Situation

__all__ = [
    "ChecklistItem",
    "Deadline",
    "Check",
    "LadderStep",
    "Advice",
    "checklist",
    "deadlines",
    "next_deadline",
    "deadlines_ics",
    "advise",
    "has_tracking",
    "card_payment",
    "Alert",
    "RemedyPlan",
]

DEFAULT_TZ = "Asia/Seoul"


# -- checklist -------------------------------------------------------------------------

@dataclass(frozen=True)
class ChecklistItem:
    """One piece of evidence this problem needs, and whether the case has it."""

    key: str
    required: bool
    present: bool
    evidence_ids: tuple[str, ...]
    source: str

    def label(self, lang: str = "ko") -> str:
        return t(f"checklist.{self.key}", lang)

    def why(self, lang: str = "ko") -> str:
        return t(f"checklist.{self.key}.why", lang)

    @property
    def text(self) -> Text:
        return Text(f"checklist.{self.key}")

    @property
    def reason(self) -> Text:
        return Text(f"checklist.{self.key}.why")


def has_tracking(case: Case) -> bool:
    return any(s.events or s.snapshots for s in case.shipments)


def _item_applies(case: Case, condition: str, rules: Rules) -> bool:
    if condition == "always":
        return True
    if condition == "tax_included":
        return _situation.tax_included(case, rules)
    raise ConfigError(f"rules.checklists: condition {condition!r} is unknown; accepted: always, tax_included")


def checklist(case: Case, rules: Rules | None = None, *, kind: ProblemKind | None = None) -> list[ChecklistItem]:
    """The evidence this problem kind (or the situation ``kind`` the advice read) needs, each present or missing."""
    rules = rules or Rules.default()
    items = rules.checklists["items"]
    out = []
    for key, required in rules.checklists["kinds"][(kind or case.problem.kind).value]:
        spec = items[key]
        if not _item_applies(case, spec.get("applies", "always"), rules):
            continue
        kinds = set(spec["satisfied_by"])
        ids = tuple(e.id for e in case.evidence if e.kind.value in kinds)
        present = bool(ids) or ("@tracking" in kinds and has_tracking(case))
        out.append(ChecklistItem(key, bool(required), present, ids, spec.get("source", "")))
    return out


# -- deadlines ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    """One dated rule: when it falls in the rule's own calendar and on the shopper's clock.

    ``kind`` (``rules/deadlines.toml``): ``deadline`` (act by the end of the
    day), ``opens`` (possible from the start of the day), ``entitlement`` (a
    right that starts on the day: *available from*), ``window`` (a right that
    lasts until the end of the day: *available until*).
    """

    key: str
    status: DeadlineStatus
    day: date | None = None  # the calendar day in the rule's own time zone
    due: datetime | None = None  # the instant (start of day for "opens"/"entitlement", end of day otherwise)
    due_local: datetime | None = None  # ``due`` in the shopper's time zone
    days_left: int | None = None
    opens: bool = False  # True: the day something becomes possible (kind "opens" or "entitlement")
    missing: str | None = None
    rule_timezone: str = ""
    source: str = ""
    kind: str = "deadline"

    def label(self, lang: str = "ko") -> str:
        return t(f"deadline.{self.key}", lang)

    @property
    def when(self) -> str:
        """``2026-04-01 15:59 KST``: the moment on the shopper's clock."""
        return self.due_local.strftime("%Y-%m-%d %H:%M %Z") if self.due_local else ""

    def left(self, lang: str = "ko") -> str:
        """``3 days left`` / ``오늘까지`` / ``2일 지남`` (never a negative count)."""
        if self.days_left is None:
            return ""
        if self.days_left > 0:
            return t("deadline.left", lang, days=self.days_left)
        if self.days_left == 0 and self.status in (DeadlineStatus.UPCOMING, DeadlineStatus.AVAILABLE):
            return t("deadline.today", lang)
        return t("deadline.ago", lang, days=max(1, -self.days_left))

    def status_text(self, lang: str = "ko") -> str:
        """What the shopper needs to know about it, without the label."""
        if self.status == DeadlineStatus.CANNOT_COMPUTE:
            return t("deadline.cannot_compute", lang, missing=Text(f"field.{self.missing}")(lang))
        if self.status == DeadlineStatus.NOT_APPLICABLE or self.due_local is None:
            return label(self.status, lang)
        if self.opens:
            if self.status == DeadlineStatus.AVAILABLE:
                return t("deadline.available_since", lang, when=self.when)
            days = max(0, self.days_left or 0)
            return t("deadline.from_in", lang, when=self.when, days=days) if days else \
                t("deadline.from_today", lang, when=self.when)
        if self.kind == "window":
            if self.status == DeadlineStatus.AVAILABLE:
                return t("deadline.until", lang, when=self.when, left=self.left(lang))
            return t("deadline.ended", lang, when=self.when, left=self.left(lang))
        return f"{self.when} ({self.left(lang)})"

    def describe(self, lang: str = "ko") -> str:
        return f"{self.label(lang)}: {self.status_text(lang)}"

    @property
    def urgent(self) -> bool:
        """Ends within two days (and is not only an opening date)."""
        return self.status == DeadlineStatus.UPCOMING and self.kind == "deadline" and self.days_left is not None \
            and self.days_left <= 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "status": self.status.value, "kind": self.kind,
            "label": {lang: self.label(lang) for lang in LANGS},
            "text": {lang: self.status_text(lang) for lang in LANGS},
            "day": self.day.isoformat() if self.day else None, "due": self.due.isoformat() if self.due else None,
            "due_local": self.due_local.isoformat() if self.due_local else None, "days_left": self.days_left,
            "opens": self.opens, "missing": self.missing, "rule_timezone": self.rule_timezone, "source": self.source,
        }


def _anchor(case: Case, name: str, situation: Situation, tz: str) -> date | None:
    o, d = case.order, case.dispute

    def first_of(*days: date | None) -> date | None:
        known = [day for day in days if day is not None]
        return min(known) if known else None

    anchors = {
        "ship_date": lambda: o.ship_date,
        "order_date": lambda: o.order_date,
        "promised_by": lambda: o.promised_by,
        # "the 15th day after the delivery time is over or you confirmed receipt": whichever comes first
        "protection_end_or_receipt": lambda: first_of(o.received_date, o.promised_by),
        "opened_date": lambda: d.opened_date,
        "return_agreed": lambda: d.return_agreed_date,
        "delivered_scan": lambda: situation.delivered_on,
        "customs_cleared": lambda: _situation.customs_cleared(case, tz),
    }
    if name not in anchors:
        raise ConfigError(f"rules.deadlines: anchor {name!r} is unknown; accepted: {', '.join(anchors)}")
    return anchors[name]()


def card_payment(case: Case, rules: Rules | None = None) -> bool:
    """Paid by card (or not recorded: most overseas orders are)."""
    return _situation.payment_family(case, rules) in (PaymentFamily.CARD, PaymentFamily.UNKNOWN)


# Kinds whose item never reached the shopper: there is nothing to send back.
_NEVER_ARRIVED = (ProblemKind.NOT_RECEIVED, ProblemKind.DELIVERED_NOT_RECEIVED, ProblemKind.CUSTOMS_HOLD)
# Stages where the platform has said no (and nothing was refunded in full: that is ``settled``).
_REFUSED = (DisputeStage.DECIDED, DisputeStage.APPEALED, DisputeStage.CLOSED)
# Conditions that read another rule's date: worked out after every other rule.
_READS_DATES = {"return_route": ("latest_open",)}


def _in_hand(case: Case, situation: Situation) -> bool:
    """The shopper has the item: recorded as received (all or some of it), or scanned as delivered to them."""
    o, p = case.order, case.problem
    return o.received_date is not None or bool(p.received_quantity) or (
        situation.timeline.delivered_at is not None and situation.kind != ProblemKind.DELIVERED_NOT_RECEIVED)


def _return_route(case: Case, situation: Situation, rules: Rules, dated: dict[str, Deadline]) -> bool:
    """The 90-day any-reason return concerns this case: it is the route (a change of mind), or the way left
    with the item in hand once the dispute cannot help (refused, its window passed, or duty on an ordinary
    listing, which comes back only for an item returned unchanged). Never for an item that did not arrive,
    nor once the money is back."""
    if case.order.platform.value != "aliexpress" or situation.settled:
        return False
    if situation.kind == ProblemKind.CHANGE_OF_MIND:
        return True
    if situation.kind in _NEVER_ARRIVED or not _in_hand(case, situation):
        return False
    stage = case.dispute.stage
    if stage in _REFUSED or _no_dispute(case, situation, rules):
        return True
    latest = dated.get("latest_open")
    return stage == DisputeStage.NOT_OPENED and latest is not None and latest.status == DeadlineStatus.PAST


def _applies(case: Case, condition: str, situation: Situation, rules: Rules,
             dated: dict[str, Deadline] | None = None) -> bool:
    """Whether a deadline rule's ``applies`` condition holds. ``dated``: the rules already worked out (for the
    conditions in ``_READS_DATES``)."""
    o, d = case.order, case.dispute
    dispute_route = not _no_dispute(case, situation, rules)
    # the day the parcel arrived: as the shopper recorded it, else as tracking says (a delivered scan counts for
    # the platform even when nothing reached the shopper)
    scanned = situation.timeline.delivered_at
    arrived = o.received_date or (scanned.astimezone(ZoneInfo(DEFAULT_TZ)).date() if scanned else None)
    if condition == "always":
        return True
    if condition == "dispute_not_opened":
        return d.stage == DisputeStage.NOT_OPENED
    if condition == "dispute_not_opened_not_received":
        return d.stage == DisputeStage.NOT_OPENED and o.received_date is None
    # the same, for a case that goes through a dispute (not a change of mind, not duty on an ordinary listing)
    if condition == "dispute_to_open":
        return d.stage == DisputeStage.NOT_OPENED and dispute_route
    if condition == "dispute_to_open_not_received":
        return d.stage == DisputeStage.NOT_OPENED and o.received_date is None and dispute_route
    if condition == "not_received_dispute_route":
        return o.received_date is None and dispute_route
    if condition == "dispute_open":
        return d.stage in (DisputeStage.OPENED, DisputeStage.NEGOTIATING, DisputeStage.MEDIATION)
    if condition == "not_received_yet":
        return o.received_date is None
    if condition == "not_delivered_yet":  # no receipt and no delivered scan (the platform's automatic refund)
        return arrived is None
    if condition == "return_agreed":
        return d.return_agreed_date is not None or d.requested == Remedy.RETURN_AND_REFUND
    if condition == "kr_short_promise_not_received":
        short = o.delivery_guarantee_days in (5, 7) or (
            o.promised_date is not None and o.ship_date is not None and (o.promised_date - o.ship_date).days <= 7
        )
        return arrived is None and short and o.platform.value == "aliexpress"
    if condition == "aliexpress":
        return o.platform.value == "aliexpress"
    if condition == "return_route":
        return _return_route(case, situation, rules, dated or {})
    # a payment's own dispute is no route for a return or a customs refund
    # (nor once the money is back: nothing is left to charge back)
    if condition == "card_payment":
        return situation.payment in (PaymentFamily.CARD, PaymentFamily.UNKNOWN) and dispute_route and \
            not situation.settled
    if condition == "paypal_payment":
        return situation.payment == PaymentFamily.PAYPAL and dispute_route and not situation.settled
    if condition == "in_transit_normal":
        return o.received_date is None and d.stage == DisputeStage.NOT_OPENED and situation.tracking_normal and \
            situation.kind in (ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY)
    if condition == "promise_missed":
        promised = o.promised_by
        return o.platform.value == "aliexpress" and promised is not None and (arrived is None or arrived > promised)
    if condition == "delivered_not_received":
        return situation.kind == ProblemKind.DELIVERED_NOT_RECEIVED
    if condition == "duty_paid":
        return case.problem.duty_paid is not None
    raise ConfigError(f"rules.deadlines: condition {condition!r} is unknown")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_START_OF_DAY = ("opens", "entitlement")


def deadlines(case: Case, *, now: datetime | None = None, tz: str = DEFAULT_TZ, rules: Rules | None = None,
              situation: Situation | None = None) -> list[Deadline]:
    """Every deadline rule for this case, dated in the shopper's time zone, soonest first.

    A platform day ends at midnight US Pacific time (AliExpress shows its
    countdowns in PST); Korean and card rules count Korean days. Rights that
    start on a day (Korea's 14- and 30-day rules) are *available from* it;
    the 90-day return is *available until* its day.
    """
    rules = rules or Rules.default()
    now = now or utc_now()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    situation = situation or _situation.read(case, now=now, tz=tz, rules=rules)
    user_tz = ZoneInfo(tz)
    out: list[Deadline] = []
    dated: dict[str, Deadline] = {}
    # a rule whose condition reads other rules' dates comes after them
    ordered = sorted(rules.deadlines.items(), key=lambda item: item[1].get("applies", "always") in _READS_DATES)
    for key, spec in ordered:
        kind = spec.get("kind", "deadline")
        base: dict[str, Any] = dict(key=key, rule_timezone=spec["timezone"], source=spec.get("source", ""),
                                    opens=kind in _START_OF_DAY, kind=kind)
        if not _applies(case, spec.get("applies", "always"), situation, rules, dated):
            out.append(Deadline(status=DeadlineStatus.NOT_APPLICABLE, **base))
            dated[key] = out[-1]
            continue
        anchor = _anchor(case, spec["anchor"], situation, tz)
        if anchor is None:
            out.append(Deadline(status=DeadlineStatus.CANNOT_COMPUTE, missing=spec["anchor"], **base))
            dated[key] = out[-1]
            continue
        day = _add_months(anchor, int(spec["months"])) if "months" in spec else anchor + timedelta(days=int(spec["days"]))
        rule_tz = ZoneInfo(spec["timezone"])
        if base["opens"]:
            due = datetime.combine(day, time(0, 0), rule_tz)
        else:
            due = datetime.combine(day + timedelta(days=1), time(0, 0), rule_tz) - timedelta(seconds=1)
        due_local = due.astimezone(user_tz)
        days_left = days_between(now, due_local, user_tz)
        ahead = due > now
        if kind == "deadline":
            status = DeadlineStatus.UPCOMING if ahead else DeadlineStatus.PAST
        elif kind == "window":
            status = DeadlineStatus.AVAILABLE if ahead else DeadlineStatus.PAST
        else:
            status = DeadlineStatus.UPCOMING if ahead else DeadlineStatus.AVAILABLE
        out.append(Deadline(status=status, day=day, due=due, due_local=due_local, days_left=days_left, **base))
        dated[key] = out[-1]
    order, position = list(DeadlineStatus), {key: n for n, key in enumerate(rules.deadlines)}
    out.sort(key=lambda d: (order.index(d.status), d.due or datetime.max.replace(tzinfo=timezone.utc), position[d.key]))
    return out


def next_deadline(items: list[Deadline]) -> Deadline | None:
    """The soonest deadline still ahead (opening days and rights are not deadlines)."""
    upcoming = [d for d in items if d.status == DeadlineStatus.UPCOMING and d.kind == "deadline" and d.due is not None]
    return min(upcoming, key=lambda d: d.due) if upcoming else None  # type: ignore[arg-type,return-value]


def deadlines_ics(case: Case, items: list[Deadline], *, lang: str = "ko") -> bytes:
    """An iCalendar file with one all-day event (and a reminder two days before) per dated deadline."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//casebook//deadlines//KO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"casebook {case.id}")
    for item in items:
        if item.due_local is None or item.status == DeadlineStatus.NOT_APPLICABLE:
            continue
        event = Event()
        event.add("uid", f"{case.id}-{item.key}@casebook")
        event.add("summary", f"[{case.order.order_id}] {item.label(lang)}")
        event.add("dtstart", item.due_local.date())
        event.add("dtend", item.due_local.date() + timedelta(days=1))
        event.add("dtstamp", utc_now())
        event.add("description", f"{item.label('en')} / {item.label('ko')}\n{item.when}\n{t('report.source', lang)}: {item.source}")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.label(lang))
        alarm.add("trigger", timedelta(days=-2))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


# -- readiness and advice --------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One of the guide's lessons applied to this case: passed or not, and why.

    ``applies`` is False when the lesson does not concern this problem (tracking
    for a broken cup): it then counts as passed, and is shown as "not needed",
    never as done.
    """

    key: CheckKey
    ok: bool
    weight: int
    blocking: bool
    message: Text
    applies: bool = True

    @property
    def title(self) -> Text:
        return Text(f"enum.check_key.{self.key.value}")

    def text(self, lang: str = "ko") -> str:
        return self.message(lang)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key.value, "ok": self.ok, "applies": self.applies, "weight": self.weight,
                "blocking": self.blocking, "text": self.message.both()}


@dataclass(frozen=True)
class LadderStep:
    """A rung of the escalation ladder: seller, platform, consumer agency, the payment's own dispute."""

    key: str
    applies: bool
    current: bool
    when_text: Text
    label_values: dict[str, Any] = field(default_factory=dict)
    label_key: str = ""  # the catalogue key of its name when it is not ``ladder.<key>`` (a return, not a dispute)

    def label(self, lang: str = "ko") -> str:
        return Text(self.label_key or f"ladder.{self.key}", **self.label_values)(lang)

    def when(self, lang: str = "ko") -> str:
        return self.when_text(lang)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "applies": self.applies, "current": self.current,
                "label": {lang: self.label(lang) for lang in LANGS}, "when": self.when_text.both()}


@dataclass(frozen=True)
class Advice:
    """Everything the playbook concludes about one case as of one moment."""

    case_id: str
    score: int
    ready: bool
    checks: list[Check]
    checklist: list[ChecklistItem]
    next_steps: list[Text]  # in urgency order: act now, do now, evidence, dated (soonest first), later
    refund_type: RefundType
    remedy: Remedy
    return_paid_by: Payer | None
    expected_days: tuple[int, int]
    refund_days: tuple[int, int]
    ladder: list[LadderStep]
    deadlines: list[Deadline]
    next_deadline: Deadline | None
    problem: ProblemKind  # what the shopper picked
    lang: str = "ko"
    as_of: datetime = field(default_factory=utc_now)
    situation: ProblemKind | None = None  # what the advice treats the case as (None: same as ``problem``)
    warnings: list[Alert] = field(default_factory=list)  # seller traps and suspicious evidence: show first
    plan: RemedyPlan | None = None  # the remedy with its amount and the rule it relies on
    payment: PaymentFamily = PaymentFamily.UNKNOWN
    compensation: Money | None = None  # paid on top of the refund (guide case E)
    refunded: Money | None = None
    context: Situation | None = field(default=None, repr=False)  # what was read from the whole case

    @property
    def kind(self) -> ProblemKind:
        return self.situation or self.problem

    @property
    def remedy_amount(self) -> Money | None:
        return self.plan.amount if self.plan else None

    @property
    def step_keys(self) -> list[str]:
        return [step.key for step in self.next_steps]

    def steps(self, lang: str | None = None) -> list[str]:
        return [step(lang or self.lang) for step in self.next_steps]

    def strategy(self, lang: str | None = None) -> str:
        return t(f"strategy.{self.kind.value}", lang or self.lang)

    def remedy_text(self, lang: str | None = None) -> str:
        """``a partial refund, KRW 7,967`` / ``부분 환불 7,967원``."""
        lang = lang or self.lang
        return self.plan.text(lang) if self.plan else label(self.remedy, lang)

    def outcome_text(self, lang: str | None = None) -> str:
        """``Refunded KRW 45,900 plus KRW 3,000 compensation`` (empty when nothing was paid)."""
        lang = lang or self.lang
        if self.refunded is None and self.compensation is None:
            return ""
        if self.compensation is None:
            if self.refunded is not None and not self.refunded.amount:
                return t("outcome.refused", lang)
            return t("outcome.refunded", lang, amount=self.refunded)
        refunded = self.refunded or Money(amount=0, currency=self.compensation.currency)
        return t("outcome.refunded_compensation", lang, amount=refunded, compensation=self.compensation)

    @property
    def reasons(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def urgent(self) -> list[Deadline]:
        """Deadlines that end within two days."""
        return [d for d in self.deadlines if d.urgent]

    def to_dict(self) -> dict[str, Any]:
        money = (lambda m: {"amount": str(m.amount), "currency": m.currency} if m is not None else None)
        return {
            "case_id": self.case_id, "score": self.score, "ready": self.ready,
            "situation": {"key": self.kind.value, "chosen": self.problem.value, "inferred": self.kind != self.problem,
                          **{lang: label(self.kind, lang) for lang in LANGS}},
            "warnings": [w.to_dict() for w in self.warnings],
            "checks": [c.to_dict() for c in self.checks],
            "checklist": [{"key": i.key, "required": i.required, "present": i.present, "evidence_ids": list(i.evidence_ids),
                           "label": {lang: i.label(lang) for lang in LANGS}} for i in self.checklist],
            "next_steps": {lang: self.steps(lang) for lang in LANGS},
            "next_step_keys": self.step_keys,
            "refund_type": {"key": self.refund_type.value, **{lang: label(self.refund_type, lang) for lang in LANGS}},
            "remedy": self.plan.to_dict() if self.plan else {"kind": self.remedy.value, "amount": None,
                                                             **{lang: label(self.remedy, lang) for lang in LANGS}},
            "return_paid_by": self.return_paid_by.value if self.return_paid_by else None,
            "payment": {"key": self.payment.value, **{lang: label(self.payment, lang) for lang in LANGS}},
            "refunded": money(self.refunded), "compensation": money(self.compensation),
            "expected_days": list(self.expected_days), "refund_days": list(self.refund_days),
            "strategy": {lang: self.strategy(lang) for lang in LANGS},
            "ladder": [rung.to_dict() for rung in self.ladder],
            "deadlines": [d.to_dict() for d in self.deadlines],
            "next_deadline": self.next_deadline.to_dict() if self.next_deadline else None,
            "as_of": self.as_of.isoformat(),
        }

    def _repr_html_(self) -> str:
        from .views import advice_html

        return advice_html(self, self.lang)


def _tone_problems(text: str, readiness: dict[str, Any]) -> list[str | Text]:
    lowered = text.casefold()
    words: list[str | Text] = [w for w in readiness["harsh_words"] if w.casefold() in lowered]
    letters = [c for c in text if c.isascii() and c.isalpha()]
    if len(letters) >= readiness["all_caps_min_letters"] and \
            sum(c.isupper() for c in letters) / len(letters) > readiness["all_caps_ratio"]:
        words.append(Text("check.description.all_caps"))
    if "!!" in text:
        words.append("!!")
    return words


# Kinds that need no dispute, so no message to the seller first and no proof (the 90-day return),
# and duty on a listing that did not promise it included (a matter for customs, not the seller).
def _no_dispute(case: Case, sit: Situation, rules: Rules) -> bool:
    return sit.kind == ProblemKind.CHANGE_OF_MIND or (
        sit.kind == ProblemKind.DUTY_CHARGED and not _situation.tax_included(case, rules))


def _readiness(case: Case, sit: Situation, items: list[ChecklistItem], dated: dict[str, Deadline], tz: str,
               rules: Rules) -> list[Check]:
    weights, blocking = rules.readiness["weights"], rules.readiness["blocking"]

    def check(key: CheckKey, ok: bool, message: Text, *, blocks: bool | None = None, applies: bool = True) -> Check:
        return Check(key, ok, int(weights[key.value]), blocking[key.value] if blocks is None else blocks, message, applies)

    checks: list[Check] = []
    no_dispute = _no_dispute(case, sit, rules)
    # messages before the order (a question about the listing) are not about this problem
    sent = sorted(m.at for m in case.messages if m.with_seller and m.direction == Direction.SENT
                  and m.at.astimezone(ZoneInfo(tz)).date() >= case.order.order_date)
    opened = case.dispute.opened_date
    user_tz = ZoneInfo(tz)
    if no_dispute:
        checks.append(check(CheckKey.SELLER_CONTACTED, True, Text("check.seller_contacted.not_needed"), applies=False))
    elif not sent:
        checks.append(check(CheckKey.SELLER_CONTACTED, False, Text("check.seller_contacted.fail")))
    elif opened is not None and sent[0].astimezone(user_tz).date() > opened:
        first = sent[0].astimezone(user_tz).date()
        checks.append(check(CheckKey.SELLER_CONTACTED, False, Text("check.seller_contacted.late", opened=opened, first=first)))
    else:
        checks.append(check(CheckKey.SELLER_CONTACTED, True, Text("enum.check_key.seller_contacted")))

    missing = [i for i in items if i.required and not i.present]
    needs_some = sit.kind.value in rules.checklists["at_least_one"]["kinds"]
    if no_dispute:
        checks.append(check(CheckKey.EVIDENCE, True, Text("check.evidence.not_needed"), applies=False))
    elif missing:
        checks.append(check(CheckKey.EVIDENCE, False,
                            Text("check.evidence.fail", kind=sit.kind, items=[i.text for i in missing])))
    elif needs_some and not case.evidence:
        checks.append(check(CheckKey.EVIDENCE, False, Text("check.evidence.none", kind=sit.kind)))
    elif not any(i.required for i in items) and not needs_some:
        checks.append(check(CheckKey.EVIDENCE, True, Text("check.evidence.not_needed"), applies=False))
    else:
        checks.append(check(CheckKey.EVIDENCE, True, Text("enum.check_key.evidence")))

    if sit.kind.is_delivery_problem:
        tracked = has_tracking(case) or any(e.kind.value == "tracking_screenshot" for e in case.evidence)
        checks.append(check(CheckKey.TRACKING, tracked,
                            Text("enum.check_key.tracking" if tracked else "check.tracking.fail")))
    else:
        checks.append(check(CheckKey.TRACKING, True, Text("check.tracking.not_needed"), blocks=False, applies=False))

    checks.append(_window_check(case, sit, dated, rules, check))
    checks.append(_description_check(case, sit, rules, check))
    return checks


def _description_check(case: Case, sit: Situation, rules: Rules, check: Any) -> Check:
    p = case.problem
    description = p.description.strip()
    readiness = rules.readiness
    harsh = _tone_problems(" ".join([description, p.description_en or ""] +
                                    [m.text for m in case.messages if m.direction == Direction.SENT]), readiness)
    minimum = int(readiness["min_description_chars"])
    english = [text for text in [description, *p.differences, p.tested_how or ""] if text]
    if len(description) < minimum and len((p.description_en or "").strip()) < minimum:
        return check(CheckKey.DESCRIPTION, False, Text("check.description.short", min=minimum))
    if harsh:
        return check(CheckKey.DESCRIPTION, False, Text("check.description.tone", words=harsh))
    if not p.description_en and not all(_situation.is_english(text, rules) for text in english):
        return check(CheckKey.DESCRIPTION, False, Text("check.description.english"))
    if sit.kind in (ProblemKind.NOT_AS_DESCRIBED, ProblemKind.WRONG_ITEM) and not p.differences:
        return check(CheckKey.DESCRIPTION, False, Text("check.description.differences"))
    if sit.kind == ProblemKind.DEFECTIVE and not p.tested_how:
        return check(CheckKey.DESCRIPTION, False, Text("check.description.tested"))
    return check(CheckKey.DESCRIPTION, True, Text("enum.check_key.description"))


def _window_check(case: Case, sit: Situation, dated: dict[str, Deadline], rules: Rules, check: Any) -> Check:
    earliest, latest, transit = dated.get("earliest_open"), dated.get("latest_open"), dated.get("transit_open")
    opened = case.dispute.opened_date
    ok_text = Text("enum.check_key.window")
    opens_after = rules.days("earliest_open")
    if sit.kind == ProblemKind.CHANGE_OF_MIND:
        window = dated.get("kr_return_90")
        if window is not None and window.status == DeadlineStatus.PAST:
            return check(CheckKey.WINDOW, False, Text("check.window.return_closed", date=window.when))
        if window is not None and window.status == DeadlineStatus.AVAILABLE:
            return check(CheckKey.WINDOW, True, Text("check.window.return_open", date=window.when))
        return check(CheckKey.WINDOW, True, ok_text)
    if opened is not None:
        earliest_day = case.order.ship_date + timedelta(days=opens_after) if case.order.ship_date else None
        if earliest_day is not None and opened < earliest_day:
            return check(CheckKey.WINDOW, False, Text("check.window.early", date=earliest_day, day=opens_after + 1))
        return check(CheckKey.WINDOW, True, ok_text)
    if earliest is not None and earliest.status == DeadlineStatus.CANNOT_COMPUTE:
        missing = earliest.missing or "ship_date"
        return check(CheckKey.WINDOW, False, Text("check.window.unknown", missing=Text(f"field.{missing}")), blocks=False)
    if earliest is not None and earliest.status == DeadlineStatus.UPCOMING:
        return check(CheckKey.WINDOW, False, Text("check.window.early", date=earliest.when, day=opens_after + 1))
    if latest is None or latest.status == DeadlineStatus.CANNOT_COMPUTE:
        return check(CheckKey.WINDOW, True, ok_text)  # inside the window as far as anyone can tell; deadlines say what is missing
    if transit is not None and transit.status == DeadlineStatus.UPCOMING:
        return check(CheckKey.WINDOW, False, Text("check.window.in_transit", date=transit.when))
    if latest.status == DeadlineStatus.PAST:
        return check(CheckKey.WINDOW, False, Text("check.window.late", date=latest.when))
    return check(CheckKey.WINDOW, True, ok_text)


def advise(case: Case, *, now: datetime | None = None, tz: str = DEFAULT_TZ, rules: Rules | None = None,
           lang: str = "ko") -> Advice:
    """Readiness with its reasons, warnings, next steps in urgency order, what to ask for (with the amount),
    how long, and where to escalate, reasoned from the whole case."""
    rules = rules or Rules.default()
    now = now or utc_now()
    sit = _situation.read(case, now=now, tz=tz, rules=rules)
    items = checklist(case, rules, kind=sit.kind)
    dated_list = deadlines(case, now=now, tz=tz, rules=rules, situation=sit)
    dated = {d.key: d for d in dated_list}
    checks = _readiness(case, sit, items, dated, tz, rules)
    score = sum(c.weight for c in checks if c.ok)
    ready = score >= int(rules.readiness["pass_mark"]) and not any(c.blocking and not c.ok for c in checks)
    window = dated.get("kr_return_90")
    kr_late = dated.get("kr_late_delivery_14")
    protection, transit = dated.get("protection_end"), dated.get("transit_open")
    extension = transit is not None and transit.status == DeadlineStatus.UPCOMING and protection is not None and \
        protection.status == DeadlineStatus.UPCOMING and protection.days_left is not None and \
        protection.days_left <= int(rules.advice["extension_ask_days"])
    plan = decide(case, sit, rules, window_open=window is None or window.status != DeadlineStatus.PAST,
                  kr_late=kr_late is not None and kr_late.status == DeadlineStatus.AVAILABLE, extension=extension)
    outcome = case.dispute.outcome
    return Advice(
        case_id=case.id,
        score=score,
        ready=ready,
        checks=checks,
        checklist=items,
        next_steps=_Planner(case, sit, items, checks, dated, plan, rules, now).steps(),
        refund_type=plan.refund_type,
        remedy=plan.remedy,
        return_paid_by=plan.return_paid_by,
        expected_days=plan.expected_days,
        refund_days=tuple(rules.guide["refund_types"][plan.refund_type.value]["duration"]),  # type: ignore[arg-type]
        ladder=_ladder(case, sit, rules, dated),
        deadlines=dated_list,
        next_deadline=next_deadline(dated_list),
        problem=case.problem.kind,
        lang=lang,
        as_of=now,
        situation=sit.kind,
        warnings=sit.warnings,
        plan=plan,
        payment=sit.payment,
        compensation=outcome.compensation if outcome else None,
        refunded=outcome.amount_refunded if outcome else None,
        context=sit,
    )


# -- next steps, in urgency order ---------------------------------------------------------------

ACT_NOW, NOW, EVIDENCE, DATED, LATER = range(5)
_FAR = datetime.max.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class _Step:
    text: Text
    tier: int
    due: datetime | None = None


class _Planner:
    """Builds the next steps from the whole case, then orders them by urgency.

    Order: act now (a deadline within ``act_now_hours``), things to do now (answer a
    seller's trap, fix a customs code, message the seller), evidence to add, dated
    actions soonest first, and waiting last. Nothing says "wait" past a deadline.
    """

    def __init__(self, case: Case, sit: Situation, items: list[ChecklistItem], checks: list[Check],
                 dated: dict[str, Deadline], plan: RemedyPlan, rules: Rules, now: datetime) -> None:
        self.case, self.sit, self.items, self.dated, self.plan, self.rules, self.now = \
            case, sit, items, dated, plan, rules, now
        self.failed = {c.key: c for c in checks if not c.ok}
        self.out: list[_Step] = []

    # helpers
    def add(self, key: str, tier: int, due: Deadline | None = None, **values: Any) -> None:
        self.out.append(_Step(Text(key, **values), tier, due.due if due is not None else None))

    def d(self, key: str, *statuses: DeadlineStatus) -> Deadline | None:
        item = self.dated.get(key)
        if item is None or (statuses and item.status not in statuses):
            return None
        return item

    def within(self, item: Deadline | None, hours: float) -> bool:
        return item is not None and item.due is not None and 0 < (item.due - self.now).total_seconds() <= hours * 3600

    @property
    def act_hours(self) -> int:
        return int(self.rules.advice["act_now_hours"])

    def steps(self) -> list[Text]:
        self.plan_steps()
        if any(step.tier == ACT_NOW for step in self.out):  # the act-now step already says to message the seller
            self.out = [step for step in self.out if not step.text.key.startswith("step.contact_seller")]
        # act-now and dated steps by their date; the others keep the order they were planned in
        ordered = sorted(enumerate(self.out), key=lambda pair: (
            pair[1].tier, (pair[1].due or _FAR) if pair[1].tier in (ACT_NOW, DATED) else _FAR, pair[0]))
        seen: set[str] = set()
        steps = []
        for _, step in ordered:
            if step.text.key in seen and not step.text.key.startswith("step.add_evidence"):
                continue
            seen.add(step.text.key)
            steps.append(step.text)
        return steps

    # the plan
    def plan_steps(self) -> None:
        case, stage = self.case, self.case.dispute.stage
        if stage == DisputeStage.REFUND_PAID or self.sit.settled:
            if stage == DisputeStage.DECIDED:
                low, high = self.rules.guide["refund_timing"]["working_days"]
                self.add("step.wait_refund", LATER, low=low, high=high)
            else:
                self.add("step.done", NOW)
            return
        self.conduct()
        if stage in _REFUSED and self.sit.kind == ProblemKind.CHANGE_OF_MIND:
            self.change_of_mind()  # a dispute for a change of mind cannot succeed: the return is the way
        elif stage in _REFUSED:
            self.refused()
        elif stage in (DisputeStage.OPENED, DisputeStage.NEGOTIATING, DisputeStage.MEDIATION):
            self.in_dispute()
        else:
            self.before_dispute()
        if case.problem.duty_paid is not None and self.sit.kind != ProblemKind.DUTY_CHARGED and \
                self.plan.remedy in (Remedy.RETURN_AND_REFUND,):
            self.duty_refund_route()

    def conduct(self) -> None:
        names = {w.name for w in self.sit.conduct}
        if "close_dispute" in names:
            self.add("step.keep_dispute_open", NOW)
        if names & {"off_platform_payment", "off_platform_contact"}:
            self.add("step.stay_on_platform", NOW)
        if "confirm_receipt" in names:
            self.add("step.do_not_confirm", NOW)

    def refused(self) -> None:
        stage = self.case.dispute.stage
        self.add("step.kca" if stage == DisputeStage.APPEALED else "step.appeal_or_escalate", NOW)
        self.contact_seller()
        self.evidence()
        self.any_reason_return()
        self.route()

    def in_dispute(self) -> None:
        self.evidence()
        ship = self.d("return_shipment", DeadlineStatus.UPCOMING)
        if ship is not None:
            self.add("step.act_now_ship_return" if self.within(ship, self.act_hours) else "step.ship_return",
                     ACT_NOW if self.within(ship, self.act_hours) else DATED, ship, date=ship.when, days=ship.days_left)
        reply = self.d("seller_reply", DeadlineStatus.UPCOMING)
        if self.case.dispute.stage != DisputeStage.MEDIATION and reply is not None:
            self.add("step.wait_seller", LATER, reply, date=reply.when)
        else:
            self.add("step.mediation", NOW, open=self.rules.advice["phone"]["open"],
                     close=self.rules.advice["phone"]["close"])

    def before_dispute(self) -> None:
        kind = self.sit.kind
        if kind == ProblemKind.CHANGE_OF_MIND:
            self.change_of_mind()
            return
        if kind == ProblemKind.DUTY_CHARGED and not _situation.tax_included(self.case, self.rules):
            self.duty_refund_route(offer_return=True)
            return
        promised = self.case.order.promised_by
        if kind == ProblemKind.LATE_DELIVERY and self.case.order.received_date is None and promised is not None \
                and self.sit.today is not None and self.sit.today <= promised:
            self.add("step.not_late_yet", LATER, date=promised)  # nothing is late yet: no dispute, no complaint
            return
        self.situation_actions()
        self.contact_seller()
        if 0 < self.sit.missing < self.case.order.quantity and self.plan.remedy == Remedy.PARTIAL_REFUND:
            self.add("step.missing_items", NOW, missing=self.sit.missing, amount=self.plan.amount)
        self.evidence()
        self.window()

    # -- pieces
    def contact_seller(self) -> None:
        if CheckKey.SELLER_CONTACTED not in self.failed:
            return
        reply_days = self.rules.days("seller_reply")
        ends = (self.d("protection_end", DeadlineStatus.UPCOMING), self.d("latest_open", DeadlineStatus.UPCOMING))
        soon = [d for d in ends if d is not None and d.days_left is not None and d.days_left <= reply_days]
        if soon:
            first = min(soon, key=lambda d: d.due)  # type: ignore[arg-type,return-value]
            self.add("step.contact_seller_parallel", NOW, date=first.when)
        else:
            self.add("step.contact_seller", NOW, reply_days=reply_days)

    def evidence(self) -> None:
        for item in self.items:
            if item.required and not item.present:
                self.add("step.add_evidence", EVIDENCE, item=item.text, why=item.reason)
        evidence = self.failed.get(CheckKey.EVIDENCE)
        if evidence is not None and evidence.message.key == "check.evidence.none":
            self.add("step.add_any_evidence", EVIDENCE)
        if self.sit.evidence_issues:
            self.add("step.check_evidence_time", EVIDENCE)
        description = self.failed.get(CheckKey.DESCRIPTION)
        if description is not None and description.message.key == "check.description.english":
            self.add("step.add_description_en", EVIDENCE)
        if CheckKey.TRACKING in self.failed:
            self.add("step.save_tracking", EVIDENCE)

    def situation_actions(self) -> None:
        """What this situation calls for besides the dispute itself."""
        kind, flags, case = self.sit.kind, self.sit.flags, self.case
        if kind == ProblemKind.CUSTOMS_HOLD:
            self.add("step.customs_fix_code", NOW)
            self.add("step.customs_tell_broker", NOW)
        elif kind == ProblemKind.DELIVERED_NOT_RECEIVED:
            self.add("step.dnr_search", NOW)
            claim = self.d("carrier_claim_14", DeadlineStatus.UPCOMING)
            by = Text("step.by_date", date=claim.when) if claim is not None else \
                Text("step.within_days_of_scan", days=self.rules.days("carrier_claim_14"))
            shipment = case.shipment
            number = shipment.domestic_number if shipment and shipment.domestic_number else None
            if number:
                self.add("step.dnr_carrier", NOW, claim, number=number, by=by)
            else:
                self.add("step.dnr_carrier_no_number", NOW, claim, by=by)
        elif kind == ProblemKind.DUTY_CHARGED:
            self.add("step.duty_reimburse", NOW, amount=case.problem.duty_paid or Text("step.duty_amount_unknown"))
        if kind in (ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY):
            if "not_found_long" in flags:
                self.add("step.ask_right_number", NOW)
            if "held_at_customs" in flags:
                self.add("step.customs_check", NOW)
            if flags & {"returning", "returned"}:
                self.add("step.returned_to_sender", NOW)
        kr14 = self.d("kr_late_delivery_14", DeadlineStatus.AVAILABLE)
        if kr14 is not None and kind in (ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY):
            self.add("step.late_refund_kr", NOW, days=self.rules.days("kr_late_delivery_14"))
        auto = self.d("kr_auto_refund_30", DeadlineStatus.AVAILABLE)
        if auto is not None and kind.is_delivery_problem:
            self.add("step.auto_refund_kr", NOW, days=self.rules.days("kr_auto_refund_30"),
                     open=self.rules.advice["phone"]["open"], close=self.rules.advice["phone"]["close"])
        coupon = self.d("kr_delay_coupon", DeadlineStatus.AVAILABLE)
        if coupon is not None:
            spec = self.rules.advice["delay_coupon"]
            self.add("step.delay_coupon", DATED, amount=Money(amount=spec["amount"], currency=spec["currency"]))

    def window(self) -> None:
        kind = self.sit.kind
        earliest = self.d("earliest_open", DeadlineStatus.UPCOMING)
        transit = self.d("transit_open", DeadlineStatus.UPCOMING)
        latest = self.dated.get("latest_open")
        protection = self.d("protection_end", DeadlineStatus.UPCOMING)
        opens = earliest or transit
        # protection (delivery-guarantee) end first when the parcel is not here: a DNR dispute goes in before it ends
        target = protection if kind == ProblemKind.DELIVERED_NOT_RECEIVED and protection is not None else \
            (latest if latest is not None and latest.status == DeadlineStatus.UPCOMING else None)
        pressing = [d for d in (protection, target) if self.within(d, self.act_hours)]
        if pressing:
            first = min(pressing, key=lambda d: d.due)  # type: ignore[arg-type,return-value]
            if opens is not None:
                self.add("step.act_now_extend", ACT_NOW, first, date=first.when, opens=opens.when)
            else:
                what = Text("step.what_protection" if first.key == "protection_end" else "step.what_window")
                self.add("step.act_now_open", ACT_NOW, first, what=what, date=first.when, remedy=self.plan.remedy)
            return
        if kind == ProblemKind.CUSTOMS_HOLD:  # clearing takes days: more protection time, and a dispute if it fails
            if protection is not None:
                self.add("step.request_extension", DATED, protection, date=protection.when)
            if target is not None:
                self.add("step.customs_dispute_fallback", DATED, target, date=target.when, days=target.days_left)
            return
        if opens is not None:
            self.add("step.wait_until" if earliest is not None else "step.wait_transit", LATER, opens, date=opens.when)
            ask = int(self.rules.advice["extension_ask_days"])
            if protection is not None and protection.days_left is not None and protection.days_left <= ask:
                self.add("step.request_extension", DATED, protection, date=protection.when)
            return
        if target is not None:
            self.add("step.open_dispute", DATED, target, date=target.when, days=target.days_left, remedy=self.plan.remedy)
        elif latest is not None and latest.status == DeadlineStatus.PAST:
            self.add("step.window_closed", NOW, date=latest.when)
            self.any_reason_return()
            self.route()

    def change_of_mind(self) -> None:
        window = self.dated.get("kr_return_90")
        if window is not None and window.status == DeadlineStatus.AVAILABLE:
            tier = ACT_NOW if self.within(window, self.act_hours) else DATED
            self.add("step.act_now_return" if tier == ACT_NOW else "step.return_any_reason", tier, window,
                     date=window.when, days=window.days_left)
        elif window is not None and window.status == DeadlineStatus.PAST:
            self.add("step.return_window_closed", NOW, date=window.when)
        else:
            self.add("step.return_ask_seller", NOW)
        if self.case.problem.duty_paid is not None:
            self.duty_refund_route()

    def any_reason_return(self) -> None:
        """The 90-day any-reason return as a way out, when the item is in hand and the window is open (the rule
        applies only then: ``return_route``)."""
        window = self.d("kr_return_90", DeadlineStatus.AVAILABLE)
        if window is None or not _in_hand(self.case, self.sit) or self.sit.kind in _NEVER_ARRIVED:
            return
        self.add("step.return_any_reason_fallback", DATED, window, date=window.when, days=window.days_left)

    def duty_refund_route(self, *, offer_return: bool = False) -> None:
        refund = self.d("duty_refund", DeadlineStatus.UPCOMING)
        months = int(self.rules.advice["duty_refund"]["months"])
        if refund is not None:
            self.add("step.duty_customs_route", DATED, refund, date=refund.when, months=months)
        elif self.dated.get("duty_refund") is not None and self.dated["duty_refund"].status == DeadlineStatus.PAST:
            self.add("step.duty_customs_closed", NOW, date=self.dated["duty_refund"].when, months=months)
        else:
            self.add("step.duty_customs_route_undated", NOW, months=months)
        if offer_return:
            self.any_reason_return()

    def route(self) -> None:
        """The payment's own dispute channel: card chargeback, PayPal, or the wallet's help desk."""
        payment = self.sit.payment
        if payment in (PaymentFamily.CARD, PaymentFamily.UNKNOWN):
            limit = self.d("card_chargeback_120", DeadlineStatus.UPCOMING)
            if limit is not None:
                self.add("step.chargeback", DATED, limit, date=limit.when, days=limit.days_left)
        elif payment == PaymentFamily.PAYPAL:
            limit = self.d("paypal_180", DeadlineStatus.UPCOMING)
            if limit is not None:
                self.add("step.paypal_dispute", DATED, limit, date=limit.when, days=limit.days_left)
        elif payment.is_wallet:
            self.add("step.wallet_help", NOW, wallet=payment)


def _ladder(case: Case, sit: Situation, rules: Rules, dated: dict[str, Deadline]) -> list[LadderStep]:
    """Seller → AliExpress → the Korea Consumer Agency → the payment's own dispute (card, PayPal, wallet)."""
    stage = case.dispute.stage
    current = {
        DisputeStage.NOT_OPENED: "seller", DisputeStage.OPENED: "seller", DisputeStage.NEGOTIATING: "seller",
        DisputeStage.MEDIATION: "platform", DisputeStage.DECIDED: "platform", DisputeStage.APPEALED: "kca",
        DisputeStage.REFUND_PAID: "", DisputeStage.CLOSED: "kca",
    }[stage]
    phone = rules.advice["phone"]
    when = {
        "seller": Text("ladder.seller.when"),
        "platform": Text("ladder.platform.when", reply_days=rules.days("seller_reply"),
                         escalation_days=rules.days("auto_escalation"), open=phone["open"], close=phone["close"]),
        "kca": Text("ladder.kca.when"),
        "chargeback": Text("ladder.chargeback.when", days=rules.days("card_chargeback_120")),
        "paypal": Text("ladder.paypal.when", days=rules.days("paypal_180"),
                       escalate_days=int(rules.advice["paypal_escalate_days"])),
        "wallet": Text("ladder.wallet.when"),
    }
    no_dispute = _no_dispute(case, sit, rules)
    labels: dict[str, str] = {}
    if no_dispute:  # a return (and for duty, customs) instead of a dispute: the seller and AliExpress say so
        when["seller"] = Text("ladder.seller.when_return")
        when["platform"] = Text("ladder.platform_return.when", open=phone["open"], close=phone["close"])
        labels["platform"] = "ladder.platform_return"
    rungs = []
    for key in rules.guide["ladder"]["order"]:
        values: dict[str, Any] = {}
        applies = True
        if key == "chargeback":  # the payment's own rung
            if sit.payment == PaymentFamily.PAYPAL:
                key = "paypal"
                limit = dated.get("paypal_180")
            elif sit.payment.is_wallet:
                key, limit, values = "wallet", None, {"wallet": sit.payment}
            elif sit.payment == PaymentFamily.OTHER:
                continue
            else:
                limit = dated.get("card_chargeback_120")
            applies = not no_dispute and (limit is None and key == "wallet" or
                                          limit is not None and limit.status == DeadlineStatus.UPCOMING)
        elif key == "kca":
            applies = not no_dispute
        rungs.append(LadderStep(key, applies=applies, current=key == current, when_text=when[key], label_values=values,
                                label_key=labels.get(key, "")))
    return rungs
