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
from .models import (
    Case,
    CheckKey,
    DeadlineStatus,
    Direction,
    DisputeStage,
    Payer,
    ProblemKind,
    RefundType,
    Remedy,
    utc_now,
)
from .rules import Rules

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


def checklist(case: Case, rules: Rules | None = None) -> list[ChecklistItem]:
    """The evidence this problem kind needs, each present or missing, with why it matters."""
    rules = rules or Rules.default()
    items = rules.checklists["items"]
    out = []
    for key, required in rules.checklists["kinds"][case.problem.kind.value]:
        spec = items[key]
        kinds = set(spec["satisfied_by"])
        ids = tuple(e.id for e in case.evidence if e.kind.value in kinds)
        present = bool(ids) or ("@tracking" in kinds and has_tracking(case))
        out.append(ChecklistItem(key, bool(required), present, ids, spec.get("source", "")))
    return out


# -- deadlines ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    """One dated rule: when it falls in the rule's own calendar and on the shopper's clock."""

    key: str
    status: DeadlineStatus
    day: date | None = None  # the calendar day in the rule's own time zone
    due: datetime | None = None  # the instant (start of day for "opens", end of day otherwise)
    due_local: datetime | None = None  # ``due`` in the shopper's time zone
    days_left: int | None = None
    opens: bool = False  # True: the earliest day something becomes possible
    missing: str | None = None
    rule_timezone: str = ""
    source: str = ""

    def label(self, lang: str = "ko") -> str:
        return t(f"deadline.{self.key}", lang)

    @property
    def when(self) -> str:
        """``2026-04-01 15:59 KST``: the moment on the shopper's clock."""
        return self.due_local.strftime("%Y-%m-%d %H:%M %Z") if self.due_local else ""

    def left(self, lang: str = "ko") -> str:
        """``3 days left`` / ``오늘까지`` / ``2일 지남``."""
        if self.days_left is None:
            return ""
        if self.days_left > 0:
            return t("deadline.left", lang, days=self.days_left)
        if self.days_left == 0 and self.status == DeadlineStatus.UPCOMING:
            return t("deadline.today", lang)
        return t("deadline.ago", lang, days=max(1, -self.days_left))

    def status_text(self, lang: str = "ko") -> str:
        """What the shopper needs to know about it, without the label."""
        if self.status == DeadlineStatus.CANNOT_COMPUTE:
            return t("deadline.cannot_compute", lang, missing=Text(f"field.{self.missing}")(lang))
        if self.status == DeadlineStatus.NOT_APPLICABLE or self.due_local is None:
            return label(self.status, lang)
        return f"{self.when} ({self.left(lang)})"

    def describe(self, lang: str = "ko") -> str:
        return f"{self.label(lang)}: {self.status_text(lang)}"

    @property
    def urgent(self) -> bool:
        """Ends within two days (and is not only an opening date)."""
        return self.status == DeadlineStatus.UPCOMING and not self.opens and self.days_left is not None and self.days_left <= 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "status": self.status.value, "label": {lang: self.label(lang) for lang in LANGS},
            "text": {lang: self.status_text(lang) for lang in LANGS},
            "day": self.day.isoformat() if self.day else None, "due": self.due.isoformat() if self.due else None,
            "due_local": self.due_local.isoformat() if self.due_local else None, "days_left": self.days_left,
            "opens": self.opens, "missing": self.missing, "rule_timezone": self.rule_timezone, "source": self.source,
        }


def _anchor(case: Case, name: str) -> date | None:
    o, d = case.order, case.dispute
    anchors = {
        "ship_date": lambda: o.ship_date,
        "order_date": lambda: o.order_date,
        "promised_by": lambda: o.promised_by,
        "protection_end_or_receipt": lambda: o.received_date or o.promised_by,
        "opened_date": lambda: d.opened_date,
        "return_agreed": lambda: d.return_agreed_date,
    }
    if name not in anchors:
        raise ConfigError(f"rules.deadlines: anchor {name!r} is unknown; accepted: {', '.join(anchors)}")
    return anchors[name]()


_CARD_WORDS = ("card", "visa", "master", "amex", "jcb", "unionpay", "카드", "신용", "체크")


def card_payment(case: Case) -> bool:
    """Paid by card (or not recorded: most overseas orders are)."""
    method = (case.order.payment_method or "").casefold()
    return not method or any(word in method for word in _CARD_WORDS)


def _applies(case: Case, condition: str) -> bool:
    o, d = case.order, case.dispute
    method = (o.payment_method or "").casefold()
    if condition == "always":
        return True
    if condition == "dispute_not_opened":
        return d.stage == DisputeStage.NOT_OPENED
    if condition == "dispute_open":
        return d.stage in (DisputeStage.OPENED, DisputeStage.NEGOTIATING, DisputeStage.MEDIATION)
    if condition == "not_received_yet":
        return o.received_date is None
    if condition == "return_agreed":
        return d.return_agreed_date is not None or d.requested == Remedy.RETURN_AND_REFUND
    if condition == "kr_short_promise_not_received":
        short = o.delivery_guarantee_days in (5, 7) or (
            o.promised_date is not None and o.ship_date is not None and (o.promised_date - o.ship_date).days <= 7
        )
        return o.received_date is None and short and o.platform.value == "aliexpress"
    if condition == "aliexpress":
        return o.platform.value == "aliexpress"
    if condition == "card_payment":
        return card_payment(case)
    if condition == "paypal_payment":
        return "paypal" in method or "페이팔" in method
    raise ConfigError(f"rules.deadlines: condition {condition!r} is unknown")


def deadlines(case: Case, *, now: datetime | None = None, tz: str = DEFAULT_TZ, rules: Rules | None = None) -> list[Deadline]:
    """Every deadline rule for this case, dated in the shopper's time zone, soonest first.

    A platform day ends at midnight US Pacific time (AliExpress shows its
    countdowns in PST); Korean and card rules count Korean days.
    """
    rules = rules or Rules.default()
    now = now or utc_now()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    user_tz = ZoneInfo(tz)
    out = []
    for key, spec in rules.deadlines.items():
        base: dict[str, Any] = dict(key=key, rule_timezone=spec["timezone"], source=spec.get("source", ""),
                                    opens=spec.get("kind") == "opens")
        if not _applies(case, spec.get("applies", "always")):
            out.append(Deadline(status=DeadlineStatus.NOT_APPLICABLE, **base))
            continue
        anchor = _anchor(case, spec["anchor"])
        if anchor is None:
            out.append(Deadline(status=DeadlineStatus.CANNOT_COMPUTE, missing=spec["anchor"], **base))
            continue
        day = anchor + timedelta(days=int(spec["days"]))
        rule_tz = ZoneInfo(spec["timezone"])
        if base["opens"]:
            due = datetime.combine(day, time(0, 0), rule_tz)
        else:
            due = datetime.combine(day + timedelta(days=1), time(0, 0), rule_tz) - timedelta(seconds=1)
        due_local = due.astimezone(user_tz)
        days_left = (due_local.date() - now.astimezone(user_tz).date()).days
        status = DeadlineStatus.UPCOMING if due > now else DeadlineStatus.PAST
        out.append(Deadline(status=status, day=day, due=due, due_local=due_local, days_left=days_left, **base))
    order = list(DeadlineStatus)
    out.sort(key=lambda d: (order.index(d.status), d.due or datetime.max.replace(tzinfo=timezone.utc)))
    return out


def next_deadline(items: list[Deadline]) -> Deadline | None:
    """The soonest deadline still ahead (opening days are not deadlines)."""
    upcoming = [d for d in items if d.status == DeadlineStatus.UPCOMING and not d.opens and d.due is not None]
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
    """One of the guide's lessons applied to this case: passed or not, and why."""

    key: CheckKey
    ok: bool
    weight: int
    blocking: bool
    message: Text

    @property
    def title(self) -> Text:
        return Text(f"enum.check_key.{self.key.value}")

    def text(self, lang: str = "ko") -> str:
        return self.message(lang)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key.value, "ok": self.ok, "weight": self.weight, "blocking": self.blocking,
                "text": self.message.both()}


@dataclass(frozen=True)
class LadderStep:
    """A rung of the escalation ladder: seller, platform, consumer agency, chargeback."""

    key: str
    applies: bool
    current: bool
    when_text: Text

    def label(self, lang: str = "ko") -> str:
        return t(f"ladder.{self.key}", lang)

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
    next_steps: list[Text]
    refund_type: RefundType
    remedy: Remedy
    return_paid_by: Payer | None
    expected_days: tuple[int, int]
    refund_days: tuple[int, int]
    ladder: list[LadderStep]
    deadlines: list[Deadline]
    next_deadline: Deadline | None
    problem: ProblemKind
    lang: str = "ko"
    as_of: datetime = field(default_factory=utc_now)

    def steps(self, lang: str | None = None) -> list[str]:
        return [step(lang or self.lang) for step in self.next_steps]

    def strategy(self, lang: str | None = None) -> str:
        return t(f"strategy.{self.problem.value}", lang or self.lang)

    @property
    def reasons(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def urgent(self) -> list[Deadline]:
        """Deadlines that end within two days."""
        return [d for d in self.deadlines if d.urgent]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id, "score": self.score, "ready": self.ready,
            "checks": [c.to_dict() for c in self.checks],
            "checklist": [{"key": i.key, "required": i.required, "present": i.present, "evidence_ids": list(i.evidence_ids),
                           "label": {lang: i.label(lang) for lang in LANGS}} for i in self.checklist],
            "next_steps": {lang: self.steps(lang) for lang in LANGS},
            "refund_type": {"key": self.refund_type.value, **{lang: label(self.refund_type, lang) for lang in LANGS}},
            "remedy": {"kind": self.remedy.value, **{lang: label(self.remedy, lang) for lang in LANGS}},
            "return_paid_by": self.return_paid_by.value if self.return_paid_by else None,
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


def _readiness(case: Case, items: list[ChecklistItem], dated: dict[str, Deadline], now: datetime, tz: str,
               rules: Rules) -> list[Check]:
    weights, blocking = rules.readiness["weights"], rules.readiness["blocking"]

    def check(key: CheckKey, ok: bool, message: Text, *, blocks: bool | None = None) -> Check:
        return Check(key, ok, int(weights[key.value]), blocking[key.value] if blocks is None else blocks, message)

    checks: list[Check] = []
    sent = sorted(m.at for m in case.messages if m.with_seller and m.direction == Direction.SENT)
    opened = case.dispute.opened_date
    user_tz = ZoneInfo(tz)
    if not sent:
        checks.append(check(CheckKey.SELLER_CONTACTED, False, Text("check.seller_contacted.fail")))
    elif opened is not None and sent[0].astimezone(user_tz).date() > opened:
        first = sent[0].astimezone(user_tz).date()
        checks.append(check(CheckKey.SELLER_CONTACTED, False, Text("check.seller_contacted.late", opened=opened, first=first)))
    else:
        checks.append(check(CheckKey.SELLER_CONTACTED, True, Text("enum.check_key.seller_contacted")))

    missing = [i for i in items if i.required and not i.present]
    if missing:
        checks.append(check(CheckKey.EVIDENCE, False,
                            Text("check.evidence.fail", kind=case.problem.kind, items=[i.text for i in missing])))
    else:
        checks.append(check(CheckKey.EVIDENCE, True, Text("enum.check_key.evidence")))

    if case.problem.kind.is_delivery_problem:
        tracked = has_tracking(case) or any(e.kind.value == "tracking_screenshot" for e in case.evidence)
        checks.append(check(CheckKey.TRACKING, tracked,
                            Text("enum.check_key.tracking" if tracked else "check.tracking.fail")))
    else:
        checks.append(check(CheckKey.TRACKING, True, Text("enum.check_key.tracking"), blocks=False))

    checks.append(_window_check(case, dated, rules, check))

    description = case.problem.description.strip()
    readiness = rules.readiness
    harsh = _tone_problems(" ".join([description] + [m.text for m in case.messages if m.direction == Direction.SENT]),
                           readiness)
    minimum = int(readiness["min_description_chars"])
    if len(description) < minimum:
        message, ok = Text("check.description.short", min=minimum), False
    elif harsh:
        message, ok = Text("check.description.tone", words=harsh), False
    elif case.problem.kind in (ProblemKind.NOT_AS_DESCRIBED, ProblemKind.WRONG_ITEM) and not case.problem.differences:
        message, ok = Text("check.description.differences"), False
    elif case.problem.kind == ProblemKind.DEFECTIVE and not case.problem.tested_how:
        message, ok = Text("check.description.tested"), False
    else:
        message, ok = Text("enum.check_key.description"), True
    checks.append(check(CheckKey.DESCRIPTION, ok, message))
    return checks


def _window_check(case: Case, dated: dict[str, Deadline], rules: Rules, check: Any) -> Check:
    earliest, latest = dated.get("earliest_open"), dated.get("latest_open")
    opened = case.dispute.opened_date
    ok_text = Text("enum.check_key.window")
    opens_after = rules.days("earliest_open")
    if opened is not None:
        earliest_day = case.order.ship_date + timedelta(days=opens_after) if case.order.ship_date else None
        if earliest_day is not None and opened < earliest_day:
            return check(CheckKey.WINDOW, False, Text("check.window.early", date=earliest_day, day=opens_after + 1))
        return check(CheckKey.WINDOW, True, ok_text)
    if earliest is None or latest is None:
        return check(CheckKey.WINDOW, True, ok_text)
    if earliest.status == DeadlineStatus.CANNOT_COMPUTE:
        missing = earliest.missing or "ship_date"
        return check(CheckKey.WINDOW, False, Text("check.window.unknown", missing=Text(f"field.{missing}")), blocks=False)
    if earliest.status == DeadlineStatus.UPCOMING:
        return check(CheckKey.WINDOW, False, Text("check.window.early", date=earliest.when, day=opens_after + 1))
    if latest.status == DeadlineStatus.PAST:
        return check(CheckKey.WINDOW, False, Text("check.window.late", date=latest.when))
    return check(CheckKey.WINDOW, True, ok_text)


def advise(case: Case, *, now: datetime | None = None, tz: str = DEFAULT_TZ, rules: Rules | None = None,
           lang: str = "ko") -> Advice:
    """Readiness with its reasons, next steps, what to ask for, how long, and where to escalate."""
    rules = rules or Rules.default()
    now = now or utc_now()
    items = checklist(case, rules)
    dated_list = deadlines(case, now=now, tz=tz, rules=rules)
    dated = {d.key: d for d in dated_list}
    checks = _readiness(case, items, dated, now, tz, rules)
    score = sum(c.weight for c in checks if c.ok)
    ready = score >= int(rules.readiness["pass_mark"]) and not any(c.blocking and not c.ok for c in checks)
    situation = rules.guide["situations"][case.problem.kind.value]
    refund_type = RefundType(situation["refund_type"])
    remedy = Remedy(situation["remedy"])
    payer = Payer(situation["return_paid_by"]) if situation.get("return_paid_by") else None
    return Advice(
        case_id=case.id,
        score=score,
        ready=ready,
        checks=checks,
        checklist=items,
        next_steps=_next_steps(case, items, checks, dated, remedy, rules),
        refund_type=refund_type,
        remedy=remedy,
        return_paid_by=payer,
        expected_days=tuple(situation["duration"]),  # type: ignore[arg-type]
        refund_days=tuple(rules.guide["refund_types"][refund_type.value]["duration"]),  # type: ignore[arg-type]
        ladder=_ladder(case, rules, dated),
        deadlines=dated_list,
        next_deadline=next_deadline(dated_list),
        problem=case.problem.kind,
        lang=lang,
        as_of=now,
    )


def _next_steps(case: Case, items: list[ChecklistItem], checks: list[Check], dated: dict[str, Deadline],
                remedy: Remedy, rules: Rules) -> list[Text]:
    failed = {c.key for c in checks if not c.ok}
    stage = case.dispute.stage
    steps: list[Text] = []
    low, high = rules.guide["refund_timing"]["working_days"]
    if stage == DisputeStage.REFUND_PAID:
        return [Text("step.done")]
    if stage in (DisputeStage.CLOSED, DisputeStage.DECIDED):
        outcome = case.dispute.outcome
        paid = outcome.amount_refunded.amount if outcome and outcome.amount_refunded else 0
        if paid < case.order.price.amount:
            return [Text("step.appeal_or_escalate"), *_chargeback_step(dated)]
        return [Text("step.wait_refund", low=low, high=high)] if stage == DisputeStage.DECIDED else [Text("step.done")]
    if CheckKey.SELLER_CONTACTED in failed and stage == DisputeStage.NOT_OPENED:
        steps.append(Text("step.contact_seller", reply_days=rules.days("seller_reply")))
    for item in items:
        if item.required and not item.present:
            steps.append(Text("step.add_evidence", item=item.text, why=item.reason))
    if CheckKey.TRACKING in failed:
        steps.append(Text("step.save_tracking"))
    if stage == DisputeStage.NOT_OPENED:
        earliest, latest, protection = dated.get("earliest_open"), dated.get("latest_open"), dated.get("protection_end")
        kr14 = dated.get("kr_late_delivery_14")
        if kr14 is not None and kr14.status == DeadlineStatus.PAST:
            steps.append(Text("step.late_refund_kr", days=rules.days("kr_late_delivery_14")))
        if earliest is not None and earliest.status == DeadlineStatus.UPCOMING:
            steps.append(Text("step.wait_until", date=earliest.when))
            if protection is not None and protection.status == DeadlineStatus.UPCOMING and \
                    protection.days_left is not None and protection.days_left <= 7:
                steps.append(Text("step.request_extension", date=protection.when))
        elif latest is not None and latest.status == DeadlineStatus.UPCOMING:
            steps.append(Text("step.open_dispute", date=latest.when, days=latest.days_left, remedy=remedy))
        elif latest is not None and latest.status == DeadlineStatus.PAST:
            steps.append(Text("step.appeal_or_escalate"))
            steps.extend(_chargeback_step(dated))
    elif stage in (DisputeStage.OPENED, DisputeStage.NEGOTIATING):
        reply = dated.get("seller_reply")
        if reply is not None and reply.status == DeadlineStatus.UPCOMING:
            steps.append(Text("step.wait_seller", date=reply.when))
        else:
            steps.append(Text("step.mediation"))
    elif stage == DisputeStage.MEDIATION:
        steps.append(Text("step.mediation"))
    elif stage == DisputeStage.APPEALED:
        steps.append(Text("step.appeal_or_escalate"))
        steps.extend(_chargeback_step(dated))
    return steps


def _chargeback_step(dated: dict[str, Deadline]) -> list[Text]:
    """A chargeback step only when the order was paid by card and its window is still open."""
    limit = dated.get("card_chargeback_120")
    if limit is None or limit.status != DeadlineStatus.UPCOMING:
        return []
    return [Text("step.chargeback", date=limit.when, days=limit.days_left)]


def _ladder(case: Case, rules: Rules, dated: dict[str, Deadline]) -> list[LadderStep]:
    stage = case.dispute.stage
    current = {
        DisputeStage.NOT_OPENED: "seller", DisputeStage.OPENED: "seller", DisputeStage.NEGOTIATING: "seller",
        DisputeStage.MEDIATION: "platform", DisputeStage.DECIDED: "platform", DisputeStage.APPEALED: "kca",
        DisputeStage.REFUND_PAID: "", DisputeStage.CLOSED: "kca",
    }[stage]
    when = {
        "seller": Text("ladder.seller.when"),
        "platform": Text("ladder.platform.when", reply_days=rules.days("seller_reply"),
                         escalation_days=rules.days("auto_escalation")),
        "kca": Text("ladder.kca.when"),
        "chargeback": Text("ladder.chargeback.when", days=rules.days("card_chargeback_120")),
    }
    chargeback = dated.get("card_chargeback_120")
    card_open = card_payment(case) and chargeback is not None and chargeback.status != DeadlineStatus.PAST
    return [LadderStep(key, applies=card_open if key == "chargeback" else True, current=key == current, when_text=when[key])
            for key in rules.guide["ladder"]["order"]]
