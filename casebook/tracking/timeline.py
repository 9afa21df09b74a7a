"""What the tracking history means for the shopper: durations and trouble flags.

Thresholds are data (``casebook/rules/timeline.toml``, with sources) and
overridable per casebook under ``[rules.timeline]``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import ConfigError
from ..models import Order, ProblemKind, TrackingEvent, TrackingStatus, utc_now

__all__ = ["Flag", "Timeline", "analyse", "thresholds"]


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return tomllib.loads(resources.files("casebook.rules").joinpath("timeline.toml").read_text("utf-8"))


def thresholds(overrides: dict[str, Any] | None = None) -> dict[str, int]:
    """The thresholds in force: bundled defaults plus ``overrides`` (whole days)."""
    values = {k: v for k, v in _defaults().items() if k != "version"}
    for key, value in (overrides or {}).items():
        if key not in values:
            raise ConfigError(f"rules.timeline.{key}: unknown threshold; accepted: {', '.join(values)}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"rules.timeline.{key}: must be a whole number of days >= 1, got {value!r}")
        values[key] = value
    return values


FLAG_TEXT = {
    "no_tracking": ("No tracking events yet", "아직 배송 조회 기록이 없습니다"),
    "not_found": ("The carrier does not know this number (yet)", "택배사가 이 번호를 (아직) 모릅니다"),
    "not_found_long": ("Still unknown to the carrier after {days} days: ask the seller for the right number",
                       "{days}일이 지나도 조회되지 않습니다: 판매자에게 올바른 번호를 요청하세요"),
    "stalled": ("No update for {days} days: message the seller", "{days}일째 업데이트가 없습니다: 판매자에게 문의하세요"),
    "likely_lost": ("No update for {days} days: likely lost; collect evidence and open a dispute",
                    "{days}일째 업데이트가 없습니다: 분실 가능성이 높습니다. 증거를 모아 분쟁을 여세요"),
    "kr_auto_refund": ("{days} days since shipping without delivery: Korea's 30-day automatic refund applies",
                       "발송 후 {days}일이 지나도록 배송되지 않았습니다: 30일 자동 환불 대상입니다"),
    "at_customs": ("At Korean customs (통관 중)", "통관 중입니다"),
    "held_at_customs": ("Held at customs for {days} days (usually 1-3): ask the carrier or check UNI-PASS",
                        "통관이 {days}일째 진행 중입니다 (보통 1~3일): 택배사 문의 또는 유니패스 확인"),
    "customs_needs_information": ("Customs needs information from you", "세관이 추가 정보를 요구합니다"),
    "delivered": ("Delivered", "배송 완료"),
    "delivered_late": ("Delivered {days} days after the promised date", "약속일보다 {days}일 늦게 배송되었습니다"),
    "past_promised": ("The promised date {promised} has passed ({days} days ago)", "약속한 배송일({promised})이 {days}일 지났습니다"),
    "delivered_not_received": ("Tracking says delivered but you did not receive it: photo the mailbox/door, ask the carrier "
                               "and the seller at once", "배송 완료로 나오지만 받지 못했습니다: 택배사와 판매자에게 즉시 문의하세요"),
    "returning": ("Being returned to the sender", "발송인에게 반송 중입니다"),
    "returned": ("Returned to the sender", "발송인에게 반송되었습니다"),
    "lost": ("The carrier reports the parcel lost", "택배사가 분실을 확인했습니다"),
    "exception": ("The carrier reports a problem: {detail}", "택배사가 문제를 알렸습니다: {detail}"),
    "delivery_failed": ("A delivery attempt failed", "배달에 실패했습니다"),
}


@dataclass(frozen=True)
class Flag:
    key: str
    severity: str  # info | warning | problem
    en: str
    ko: str

    def text(self, lang: str = "ko") -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class Timeline:
    status: TrackingStatus
    days_in_transit: int | None
    days_since_last_event: int | None
    last_event: TrackingEvent | None
    delivered_at: datetime | None
    flags: list[Flag] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.flags]


def _flag(key: str, severity: str, **values: Any) -> Flag:
    en, ko = FLAG_TEXT[key]
    return Flag(key, severity, en.format(**values), ko.format(**values))


def analyse(events: list[TrackingEvent], *, order: Order | None = None, problem: ProblemKind | None = None,
            now: datetime | None = None, tz: str = "Asia/Seoul", status: TrackingStatus | None = None,
            sub_status: str | None = None, limits: dict[str, int] | None = None) -> Timeline:
    """Durations and flags for a parcel, as the guide would read them to the shopper.

    ``status``/``sub_status`` are the provider's overall verdict when it has
    one (17TRACK's ``latest_status``); otherwise they come from the events.
    """
    limits = limits or thresholds()
    now = now or utc_now()
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    ordered = sorted(events, key=lambda e: e.time)
    last = ordered[-1] if ordered else None
    delivered = next((e for e in reversed(ordered) if e.status == TrackingStatus.DELIVERED), None)
    if status is None:
        from .providers import overall_status

        status, sub_status = overall_status(ordered)
    flags: list[Flag] = []
    start: date | None = order.ship_date if order and order.ship_date else (ordered[0].time.astimezone(zone).date() if ordered else None)
    end = delivered.time.astimezone(zone).date() if delivered else today
    days_in_transit = (end - start).days if start else None
    since_last = (today - last.time.astimezone(zone).date()).days if last else None
    finished = status == TrackingStatus.DELIVERED or (sub_status or "").startswith("Exception_Return")

    if not ordered:
        flags.append(_flag("no_tracking", "warning"))
    if status == TrackingStatus.NOT_FOUND:
        shipped_days = (today - order.ship_date).days if order and order.ship_date else None
        if shipped_days is not None and shipped_days > limits["new_number_grace_days"]:
            flags.append(_flag("not_found_long", "problem", days=shipped_days))
        else:
            flags.append(_flag("not_found", "info"))
    if since_last is not None and not finished:
        if since_last >= limits["lost_days"]:
            flags.append(_flag("likely_lost", "problem", days=since_last))
        elif since_last >= limits["stalled_days"]:
            flags.append(_flag("stalled", "warning", days=since_last))
    if not delivered and days_in_transit is not None and start is not None and days_in_transit >= limits["kr_auto_refund_days"]:
        flags.append(_flag("kr_auto_refund", "problem", days=days_in_transit))
    if last is not None and last.stage == "customs" and not delivered:
        if last.sub_status == "InTransit_CustomsRequiringInformation":
            flags.append(_flag("customs_needs_information", "problem"))
        elif last.sub_status != "InTransit_CustomsReleased":
            first_customs = next(e for e in ordered if e.stage == "customs")
            held = (today - first_customs.time.astimezone(zone).date()).days
            if held >= limits["customs_days"]:
                flags.append(_flag("held_at_customs", "warning", days=held))
            else:
                flags.append(_flag("at_customs", "info"))
    promised = order.promised_by if order else None
    if delivered:
        flags.append(_flag("delivered", "info"))
        if promised and end > promised:
            flags.append(_flag("delivered_late", "warning", days=(end - promised).days))
        if problem == ProblemKind.NOT_RECEIVED:
            flags.append(_flag("delivered_not_received", "problem"))
    elif promised and today > promised:
        flags.append(_flag("past_promised", "problem", promised=promised.isoformat(), days=(today - promised).days))
    sub = sub_status or ""
    if sub == "Exception_Returning":
        flags.append(_flag("returning", "problem"))
    elif sub == "Exception_Returned":
        flags.append(_flag("returned", "problem"))
    elif sub == "Exception_Lost":
        flags.append(_flag("lost", "problem"))
    elif status == TrackingStatus.EXCEPTION or status == TrackingStatus.EXPIRED:
        flags.append(_flag("exception", "problem", detail=sub or status.value))
    elif status == TrackingStatus.DELIVERY_FAILURE:
        flags.append(_flag("delivery_failed", "warning"))
    return Timeline(status=status, days_in_transit=days_in_transit, days_since_last_event=since_last, last_event=last,
                    delivered_at=delivered.time if delivered else None, flags=flags)
