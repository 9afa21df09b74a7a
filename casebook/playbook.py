"""The guide's lessons as checks: what to collect, when to act, what to ask for.

Pure functions over a ``Case``. Rules (checklists, deadlines, the guide's
tables) are data in ``casebook/rules/*.toml``, each row with its source;
a casebook's ``casebook.toml`` can override any of them.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ConfigError
from .i18n import t
from .models import Case, Channel, Direction, DisputeStage, ProblemKind, utc_now

__all__ = [
    "Rules",
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
]

DEFAULT_TZ = "Asia/Seoul"


# -- rules ---------------------------------------------------------------------------

def _read(name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(resources.files("casebook.rules").joinpath(name).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"rule file casebook/rules/{name}: {error}") from None


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, f"{where}.{key}")
        elif key in out and type(out[key]) is not type(value) and not (isinstance(out[key], (int, float)) and isinstance(value, (int, float))):
            raise ConfigError(f"{where}.{key}: expected {type(out[key]).__name__}, got {value!r}")
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Rules:
    """The rule tables in force: bundled defaults plus the user's overrides."""

    checklists: dict[str, Any]
    deadlines: dict[str, Any]
    guide: dict[str, Any]
    timeline: dict[str, int]  # tracking-silence thresholds (casebook/rules/timeline.toml)

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None) -> "Rules":
        """Bundled rules, with ``overrides`` shaped like casebook.toml's ``[rules]`` table."""
        overrides = overrides or {}
        unknown = set(overrides) - {"checklists", "deadlines", "guide", "timeline"}
        if unknown:
            raise ConfigError(f"rules: unknown table(s) {sorted(unknown)}; accepted: checklists, deadlines, guide, timeline")
        defaults = _defaults()
        deadline_rules = defaults["deadlines"]["rules"]
        for key in overrides.get("deadlines", {}):
            if key not in deadline_rules:
                raise ConfigError(f"rules.deadlines.{key}: no such deadline; accepted: {', '.join(deadline_rules)}")
        from .tracking.timeline import thresholds

        return cls(
            checklists=_merge(defaults["checklists"], overrides.get("checklists", {}), "rules.checklists"),
            deadlines=_merge(deadline_rules, overrides.get("deadlines", {}), "rules.deadlines"),
            guide=_merge(defaults["guide"], overrides.get("guide", {}), "rules.guide"),
            timeline=thresholds(overrides.get("timeline")),
        )

    @classmethod
    def for_casebook(cls, book: Any) -> "Rules":
        from .store import load_config

        return cls.load(load_config(book).get("rules", {}))


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return {"checklists": _read("checklists.toml"), "deadlines": _read("deadlines.toml"), "guide": _read("guide.toml")}


@lru_cache(maxsize=1)
def _default_rules() -> Rules:
    return Rules.load()


# -- checklist -------------------------------------------------------------------------

@dataclass(frozen=True)
class ChecklistItem:
    key: str
    en: str
    ko: str
    why_en: str
    why_ko: str
    required: bool
    present: bool
    evidence_ids: tuple[str, ...]
    source: str

    def label(self, lang: str = "ko") -> str:
        return self.ko if lang == "ko" else self.en

    def why(self, lang: str = "ko") -> str:
        return self.why_ko if lang == "ko" else self.why_en


def has_tracking(case: Case) -> bool:
    return any(s.events or s.snapshots for s in case.shipments)


def checklist(case: Case, rules: Rules | None = None) -> list[ChecklistItem]:
    """The evidence this problem kind needs, each present or missing, with why it matters."""
    rules = rules or _default_rules()
    items = rules.checklists["items"]
    out = []
    for key, required in rules.checklists["kinds"][case.problem.kind.value]:
        spec = items[key]
        kinds = set(spec["satisfied_by"])
        ids = tuple(e.id for e in case.evidence if e.kind.value in kinds)
        present = bool(ids) or ("@tracking" in kinds and has_tracking(case))
        out.append(ChecklistItem(key, spec["en"], spec["ko"], spec["why_en"], spec["why_ko"], bool(required),
                                 present, ids, spec.get("source", "")))
    return out


# -- deadlines ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    key: str
    en: str
    ko: str
    status: str  # upcoming | past | cannot_compute | not_applicable
    day: date | None = None  # the calendar day in the rule's own time zone
    due: datetime | None = None  # the instant (start of day for "opens", end of day otherwise)
    due_local: datetime | None = None  # ``due`` in the shopper's time zone
    days_left: int | None = None
    opens: bool = False  # True: the earliest day something becomes possible
    missing: str | None = None
    rule_timezone: str = ""
    source: str = ""

    def label(self, lang: str = "ko") -> str:
        return self.ko if lang == "ko" else self.en

    def describe(self, lang: str = "ko") -> str:
        if self.status == "cannot_compute":
            return f"{self.label(lang)}: {t('deadline.cannot_compute', lang, missing=t(f'field.{self.missing}', lang))}"
        if self.status == "not_applicable" or self.due_local is None:
            return f"{self.label(lang)}: -"
        when = self.due_local.strftime("%Y-%m-%d %H:%M %Z")
        if self.days_left is None:
            return f"{self.label(lang)}: {when}"
        if lang == "ko":
            left = f"{self.days_left}일 남음" if self.days_left >= 0 else f"{-self.days_left}일 지남"
        else:
            left = f"{self.days_left} days left" if self.days_left >= 0 else f"{-self.days_left} days ago"
        return f"{self.label(lang)}: {when} ({left})"


def _anchor(case: Case, name: str) -> date | None:
    o, d = case.order, case.dispute
    if name == "ship_date":
        return o.ship_date
    if name == "order_date":
        return o.order_date
    if name == "promised_by":
        return o.promised_by
    if name == "protection_end_or_receipt":
        return o.received_date or o.promised_by
    if name == "opened_date":
        return d.opened_date
    if name == "return_agreed":
        return d.return_agreed_date
    raise ConfigError(f"deadline anchor {name!r} is unknown")


_CARD_WORDS = ("card", "visa", "master", "amex", "jcb", "unionpay", "카드", "신용", "체크")


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
        return d.return_agreed_date is not None or d.requested is not None and d.requested.value == "return_and_refund"
    if condition == "kr_short_promise_not_received":
        short = o.delivery_guarantee_days in (5, 7) or (
            o.promised_date is not None and o.ship_date is not None and (o.promised_date - o.ship_date).days <= 7
        )
        return o.received_date is None and short and o.platform.value == "aliexpress"
    if condition == "aliexpress":
        return o.platform.value == "aliexpress"
    if condition == "card_payment":
        return not method or any(word in method for word in _CARD_WORDS)
    if condition == "paypal_payment":
        return "paypal" in method or "페이팔" in method
    raise ConfigError(f"deadline condition {condition!r} is unknown")


def deadlines(case: Case, *, now: datetime | None = None, tz: str = DEFAULT_TZ, rules: Rules | None = None) -> list[Deadline]:
    """Every deadline rule for this case, dated in the shopper's time zone, soonest first.

    A platform day ends at midnight US Pacific time (AliExpress shows its
    countdowns in PST); Korean and card rules count Korean days.
    """
    rules = rules or _default_rules()
    now = now or utc_now()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    user_tz = ZoneInfo(tz)
    out = []
    for key, spec in rules.deadlines.items():
        base = dict(key=key, en=spec["en"], ko=spec["ko"], rule_timezone=spec["timezone"], source=spec.get("source", ""),
                    opens=spec.get("kind") == "opens")
        if not _applies(case, spec.get("applies", "always")):
            out.append(Deadline(status="not_applicable", **base))
            continue
        anchor = _anchor(case, spec["anchor"])
        if anchor is None:
            out.append(Deadline(status="cannot_compute", missing=spec["anchor"], **base))
            continue
        day = anchor + timedelta(days=int(spec["days"]))
        rule_tz = ZoneInfo(spec["timezone"])
        if base["opens"]:
            due = datetime.combine(day, time(0, 0), rule_tz)
        else:
            due = datetime.combine(day + timedelta(days=1), time(0, 0), rule_tz) - timedelta(seconds=1)
        due_local = due.astimezone(user_tz)
        days_left = (due_local.date() - now.astimezone(user_tz).date()).days
        status = "upcoming" if due > now else "past"
        out.append(Deadline(status=status, day=day, due=due, due_local=due_local, days_left=days_left, **base))
    order = {"upcoming": 0, "past": 1, "cannot_compute": 2, "not_applicable": 3}
    out.sort(key=lambda d: (order[d.status], d.due or datetime.max.replace(tzinfo=timezone.utc)))
    return out


def next_deadline(items: list[Deadline]) -> Deadline | None:
    """The soonest deadline still ahead (opening days are not deadlines)."""
    upcoming = [d for d in items if d.status == "upcoming" and not d.opens]
    return min(upcoming, key=lambda d: d.due) if upcoming else None  # type: ignore[arg-type,return-value]


def deadlines_ics(case: Case, items: list[Deadline], *, lang: str = "ko") -> bytes:
    """An iCalendar file with one all-day event (and a reminder two days before) per dated deadline."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//casebook//deadlines//KO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"casebook {case.id}")
    for item in items:
        if item.due_local is None or item.status == "not_applicable":
            continue
        event = Event()
        event.add("uid", f"{case.id}-{item.key}@casebook")
        event.add("summary", f"[{case.order.order_id}] {item.label(lang)}")
        event.add("dtstart", item.due_local.date())
        event.add("dtend", item.due_local.date() + timedelta(days=1))
        event.add("dtstamp", utc_now())
        event.add("description", f"{item.en} / {item.ko}\nDue {item.due.isoformat() if item.due else ''}\nSource: {item.source}")
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
    key: str
    ok: bool
    weight: int
    blocking: bool
    en: str
    ko: str

    def text(self, lang: str = "ko") -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class LadderStep:
    key: str
    en: str
    ko: str
    when_en: str
    when_ko: str
    applies: bool
    current: bool


@dataclass(frozen=True)
class Advice:
    case_id: str
    score: int
    ready: bool
    checks: list[Check]
    checklist: list[ChecklistItem]
    steps_en: list[str]
    steps_ko: list[str]
    refund_type: str
    remedy: str
    return_paid_by: str | None
    expected_days: tuple[int, int]
    refund_days: tuple[int, int]
    strategy_en: str
    strategy_ko: str
    ladder: list[LadderStep]
    deadlines: list[Deadline]
    next_deadline: Deadline | None
    as_of: datetime = field(default_factory=utc_now)

    def steps(self, lang: str = "ko") -> list[str]:
        return self.steps_ko if lang == "ko" else self.steps_en

    @property
    def reasons(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for d in data["deadlines"] + ([data["next_deadline"]] if data["next_deadline"] else []):
            for k in ("day", "due", "due_local"):
                if d[k] is not None:
                    d[k] = d[k].isoformat()
        data["as_of"] = self.as_of.isoformat()
        return data


_HARSH = ("scam", "scammer", "fraud", "liar", "stupid", "idiot", "thief", "cheat", "garbage", "trash", "shit", "damn",
          "사기꾼", "사기", "쓰레기", "도둑", "개같", "미친", "거짓말쟁이")


def _tone_problems(text: str) -> list[str]:
    lowered = text.casefold()
    words = [w for w in _HARSH if w in lowered]
    letters = [c for c in text if c.isascii() and c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        words.append("ALL CAPS")
    if "!!" in text:
        words.append("!!")
    return words


def _both(key: str, **values: Any) -> tuple[str, str]:
    return t(key, "en", **values), t(key, "ko", **values)


def _readiness(case: Case, items: list[ChecklistItem], dated: dict[str, Deadline], now: datetime, tz: str) -> list[Check]:
    checks: list[Check] = []
    sent = sorted(m.at for m in case.messages if m.channel in (Channel.SELLER_CHAT, Channel.EMAIL, Channel.PHONE)
                  and m.direction == Direction.SENT)
    opened = case.dispute.opened_date
    user_tz = ZoneInfo(tz)
    if not sent:
        checks.append(Check("seller_contacted", False, 25, True, *_both("check.seller_contacted.fail")))
    elif opened is not None and sent[0].astimezone(user_tz).date() > opened:
        first = sent[0].astimezone(user_tz).date().isoformat()
        checks.append(Check("seller_contacted", False, 25, True, *_both("check.seller_contacted.late", opened=opened, first=first)))
    else:
        checks.append(Check("seller_contacted", True, 25, True, *_both("check.seller_contacted")))

    missing = [i for i in items if i.required and not i.present]
    if missing:
        en = t("check.evidence.fail", "en", kind=case.problem.kind.value, items=", ".join(i.en for i in missing))
        ko = t("check.evidence.fail", "ko", kind=case.problem.kind.value, items=", ".join(i.ko for i in missing))
        checks.append(Check("evidence", False, 30, True, en, ko))
    else:
        checks.append(Check("evidence", True, 30, True, *_both("check.evidence")))

    if case.problem.kind.is_delivery_problem:
        tracked = has_tracking(case) or any(e.kind.value == "tracking_screenshot" for e in case.evidence)
        key = "check.tracking" if tracked else "check.tracking.fail"
        checks.append(Check("tracking", tracked, 15, True, *_both(key)))
    else:
        checks.append(Check("tracking", True, 15, False, *_both("check.tracking")))

    checks.append(_window_check(case, dated, now))

    description = case.problem.description.strip()
    harsh = _tone_problems(" ".join([description] + [m.text for m in case.messages if m.direction == Direction.SENT]))
    if len(description) < 25:
        checks.append(Check("description", False, 15, False, *_both("check.description.short")))
    elif harsh:
        checks.append(Check("description", False, 15, False, *_both("check.description.tone", words=", ".join(harsh))))
    elif case.problem.kind in (ProblemKind.NOT_AS_DESCRIBED, ProblemKind.WRONG_ITEM) and not case.problem.differences:
        checks.append(Check("description", False, 15, False, *_both("check.description.differences")))
    elif case.problem.kind == ProblemKind.DEFECTIVE and not case.problem.tested_how:
        checks.append(Check("description", False, 15, False, *_both("check.description.tested")))
    else:
        checks.append(Check("description", True, 15, False, *_both("check.description")))
    return checks


def _window_check(case: Case, dated: dict[str, Deadline], now: datetime) -> Check:
    earliest, latest = dated.get("earliest_open"), dated.get("latest_open")
    opened = case.dispute.opened_date
    if opened is not None:
        earliest_day = case.order.ship_date + timedelta(days=10) if case.order.ship_date else None
        if earliest_day is not None and opened < earliest_day:
            return Check("window", False, 15, True, *_both("check.window.early", date=earliest_day.isoformat()))
        return Check("window", True, 15, True, *_both("check.window"))
    if earliest is None or latest is None:
        return Check("window", True, 15, True, *_both("check.window"))
    if earliest.status == "cannot_compute":
        missing = earliest.missing or "ship_date"
        return Check("window", False, 15, False,
                     t("check.window.unknown", "en", missing=t(f"field.{missing}", "en")),
                     t("check.window.unknown", "ko", missing=t(f"field.{missing}", "ko")))
    if earliest.status == "upcoming":
        return Check("window", False, 15, True, *_both("check.window.early", date=_local(earliest)))
    if latest.status == "past":
        return Check("window", False, 15, True, *_both("check.window.late", date=_local(latest)))
    return Check("window", True, 15, True, *_both("check.window"))


def _local(item: Deadline) -> str:
    """A deadline as the shopper's clock shows it: '2026-04-01 15:59 KST'."""
    assert item.due_local is not None
    return item.due_local.strftime("%Y-%m-%d %H:%M %Z")


def advise(case: Case, *, now: datetime | None = None, tz: str = DEFAULT_TZ, rules: Rules | None = None) -> Advice:
    """Readiness with its reasons, next steps (ko/en), what to ask for, how long, and where to escalate."""
    rules = rules or _default_rules()
    now = now or utc_now()
    items = checklist(case, rules)
    dated_list = deadlines(case, now=now, tz=tz, rules=rules)
    dated = {d.key: d for d in dated_list}
    checks = _readiness(case, items, dated, now, tz)
    score = sum(c.weight for c in checks if c.ok)
    ready = score >= 70 and not any(c.blocking and not c.ok for c in checks)
    situation = rules.guide["situations"][case.problem.kind.value]
    refund_type = situation["refund_type"]
    refund = rules.guide["refund_types"][refund_type]
    steps = _next_steps(case, items, checks, dated, situation)
    ladder = _ladder(case, rules)
    return Advice(
        case_id=case.id,
        score=score,
        ready=ready,
        checks=checks,
        checklist=items,
        steps_en=[en for en, _ in steps],
        steps_ko=[ko for _, ko in steps],
        refund_type=refund_type,
        remedy=situation["remedy"],
        return_paid_by=situation.get("return_paid_by"),
        expected_days=tuple(situation["days"]),  # type: ignore[arg-type]
        refund_days=tuple(refund["days"]),  # type: ignore[arg-type]
        strategy_en=situation["strategy_en"],
        strategy_ko=situation["strategy_ko"],
        ladder=ladder,
        deadlines=dated_list,
        next_deadline=next_deadline(dated_list),
        as_of=now,
    )


def _next_steps(case: Case, items: list[ChecklistItem], checks: list[Check], dated: dict[str, Deadline],
                situation: dict[str, Any]) -> list[tuple[str, str]]:
    failed = {c.key for c in checks if not c.ok}
    stage = case.dispute.stage
    steps: list[tuple[str, str]] = []
    if stage == DisputeStage.REFUND_PAID:
        return [_both("step.done")]
    if stage in (DisputeStage.CLOSED, DisputeStage.DECIDED):
        outcome = case.dispute.outcome
        paid = outcome.amount_refunded.amount if outcome and outcome.amount_refunded else 0
        if paid < case.order.price.amount:
            return [_both("step.appeal_or_escalate")]
        return [_both("step.wait_refund")] if stage == DisputeStage.DECIDED else [_both("step.done")]
    if "seller_contacted" in failed and stage == DisputeStage.NOT_OPENED:
        steps.append(_both("step.contact_seller"))
    for item in items:
        if item.required and not item.present:
            steps.append((t("step.add_evidence", "en", item=item.en, why=item.why_en),
                          t("step.add_evidence", "ko", item=item.ko, why=item.why_ko)))
    if "tracking" in failed:
        steps.append(_both("step.save_tracking", case=case.id))
    remedy_key = f"remedy.{situation['remedy']}"
    if stage == DisputeStage.NOT_OPENED:
        earliest, latest, protection = dated.get("earliest_open"), dated.get("latest_open"), dated.get("protection_end")
        kr14 = dated.get("kr_late_delivery_14")
        if kr14 is not None and kr14.status == "past":
            steps.append(_both("step.late_refund_kr"))
        if earliest is not None and earliest.status == "upcoming":
            steps.append(_both("step.wait_until", date=_local(earliest)))
            if protection is not None and protection.status == "upcoming" and protection.days_left is not None and protection.days_left <= 7:
                steps.append(_both("step.request_extension", date=_local(protection)))
        elif latest is not None and latest.status == "upcoming":
            steps.append((t("step.open_dispute", "en", date=_local(latest), days=latest.days_left, remedy=t(remedy_key, "en")),
                          t("step.open_dispute", "ko", date=_local(latest), days=latest.days_left, remedy=t(remedy_key, "ko"))))
        elif latest is not None and latest.status == "past":
            steps.append(_both("step.appeal_or_escalate"))
    elif stage in (DisputeStage.OPENED, DisputeStage.NEGOTIATING):
        reply = dated.get("seller_reply")
        if reply is not None and reply.status == "upcoming":
            steps.append(_both("step.wait_seller", date=_local(reply)))
        else:
            steps.append(_both("step.mediation"))
    elif stage == DisputeStage.MEDIATION:
        steps.append(_both("step.mediation"))
    elif stage == DisputeStage.APPEALED:
        steps.append(_both("step.appeal_or_escalate"))
    return steps


def _ladder(case: Case, rules: Rules) -> list[LadderStep]:
    stage = case.dispute.stage
    current = {
        DisputeStage.NOT_OPENED: "seller", DisputeStage.OPENED: "seller", DisputeStage.NEGOTIATING: "seller",
        DisputeStage.MEDIATION: "platform", DisputeStage.DECIDED: "platform", DisputeStage.APPEALED: "kca",
        DisputeStage.REFUND_PAID: "", DisputeStage.CLOSED: "kca",
    }[stage]
    card = _applies(case, "card_payment")
    return [
        LadderStep(rung["key"], rung["en"], rung["ko"], rung["when_en"], rung["when_ko"],
                   applies=card if rung["key"] == "chargeback" else True, current=rung["key"] == current)
        for rung in rules.guide["ladder"]
    ]
