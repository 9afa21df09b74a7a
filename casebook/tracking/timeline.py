"""What the tracking history means for the shopper: durations and trouble flags.

Thresholds are data (``casebook/rules/timeline.toml``, with sources),
overridable per casebook under ``[rules.timeline]``; they arrive as ``limits``
from the ``Rules`` in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..i18n import Text, catalogue
from ..models import Order, ProblemKind, Severity, TrackingEvent, TrackingStatus, days_since, utc_now
from ..rules import Rules

__all__ = ["Flag", "Timeline", "analyse", "status_text"]


def status_text(status: TrackingStatus, sub_status: str | None = None) -> Text:
    """The shopper's words for a tracking status, as precise as the sub-status allows."""
    if sub_status and f"sub_status.{sub_status}" in catalogue():
        return Text(f"sub_status.{sub_status}")
    return Text(f"enum.tracking_status.{status.value}")


@dataclass(frozen=True)
class Flag:
    """A sign of trouble (or progress) read from the tracking history."""

    key: str
    severity: Severity
    message: Text

    def text(self, lang: str = "ko") -> str:
        return self.message(lang)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "severity": self.severity.value, "text": self.message.both()}


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
    return Flag(key, Severity(severity), Text(f"flag.{key}", **values))


def analyse(events: list[TrackingEvent], *, order: Order | None = None, problem: ProblemKind | None = None,
            now: datetime | None = None, tz: str = "Asia/Seoul", status: TrackingStatus | None = None,
            sub_status: str | None = None, limits: dict[str, int] | None = None, settled: bool = False) -> Timeline:
    """Durations and flags for a parcel, as the guide would read them to the shopper.

    ``status``/``sub_status`` are the provider's overall verdict when it has
    one (17TRACK's ``latest_status``); otherwise they come from the events.
    ``settled``: the case's money is back, so silence and lateness are reported as plain facts (severity
    info, no call to action) and the automatic-refund flag is not raised.
    """
    limits = limits or Rules.default().timeline
    now = now or utc_now()
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    ordered = sorted(events, key=lambda e: e.time)
    if ordered and ordered[-1].time.astimezone(zone).date() > today:
        # an event dated after today is a typo or another clock: it is kept in the case (and flagged there),
        # but it cannot say where the parcel is, nor can a verdict that counted it
        ordered = [e for e in ordered if e.time.astimezone(zone).date() <= today]
        status = sub_status = None
    last = ordered[-1] if ordered else None
    delivered = next((e for e in reversed(ordered) if e.status == TrackingStatus.DELIVERED), None)
    asked = status is not None  # a provider's fresh verdict; otherwise the saved events decide
    if status is None:
        from .providers import overall_status

        status, sub_status = overall_status(ordered)
    flags: list[Flag] = []
    # every day count is days_since: calendar days in the shopper's zone, as the summary and the deadlines count
    start: date | None = order.ship_date if order and order.ship_date else (ordered[0].time.astimezone(zone).date() if ordered else None)
    end = delivered.time.astimezone(zone).date() if delivered else today
    days_in_transit = days_since(start, end, zone) if start else None
    since_last = days_since(last.time, now, zone) if last else None
    finished = status == TrackingStatus.DELIVERED or (sub_status or "").startswith("Exception_Return")

    if not ordered:
        flags.append(_flag("no_tracking", "warning"))
    if status == TrackingStatus.NOT_FOUND and (asked or ordered):
        shipped_days = days_since(order.ship_date, now, zone) if order and order.ship_date else None
        if shipped_days is not None and shipped_days > limits["new_number_grace_days"]:
            flags.append(_flag("not_found_long", "problem", days=shipped_days))
        else:
            flags.append(_flag("not_found", "info"))
    if since_last is not None and not finished and settled and since_last >= limits["stalled_days"]:
        key = "likely_lost" if since_last >= limits["lost_days"] else "stalled"
        flags.append(Flag(key, Severity.INFO, Text("flag.silent_settled", days=since_last)))
    elif since_last is not None and not finished:
        if since_last >= limits["lost_days"]:
            flags.append(_flag("likely_lost", "problem", days=since_last))
        elif since_last >= limits["stalled_days"]:
            flags.append(_flag("stalled", "warning", days=since_last))
    if not delivered and not settled and days_in_transit is not None and start is not None and \
            days_in_transit >= limits["kr_auto_refund_days"]:
        flags.append(_flag("kr_auto_refund", "problem", days=days_in_transit, limit=limits["kr_auto_refund_days"]))
    if last is not None and last.stage == "customs" and not delivered:
        if last.sub_status == "InTransit_CustomsRequiringInformation":
            flags.append(_flag("customs_needs_information", "problem"))
        elif last.sub_status != "InTransit_CustomsReleased":
            first_customs = next(e for e in ordered if e.stage == "customs")
            held = days_since(first_customs.time, now, zone)
            if held >= limits["customs_days"]:
                flags.append(_flag("held_at_customs", "warning", days=held))
            else:
                flags.append(_flag("at_customs", "info"))
    promised = order.promised_by if order else None
    if delivered:
        flags.append(_flag("delivered", "info"))
        if promised and end > promised:
            flags.append(_flag("delivered_late", "warning", days=days_since(promised, end, zone)))
        if problem in (ProblemKind.NOT_RECEIVED, ProblemKind.DELIVERED_NOT_RECEIVED):
            flags.append(_flag("delivered_not_received", "problem"))
    elif promised and today > promised and settled:
        flags.append(Flag("past_promised", Severity.INFO, Text("flag.past_promised_settled", promised=promised.isoformat(),
                                                                days=days_since(promised, now, zone))))
    elif promised and today > promised:
        flags.append(_flag("past_promised", "problem", promised=promised.isoformat(), days=days_since(promised, now, zone)))
    sub = sub_status or ""
    if sub == "Exception_Returning":
        flags.append(_flag("returning", "problem"))
    elif sub == "Exception_Returned":
        flags.append(_flag("returned", "problem"))
    elif sub == "Exception_Lost":
        flags.append(_flag("lost", "problem"))
    elif status == TrackingStatus.EXCEPTION or status == TrackingStatus.EXPIRED:
        flags.append(_flag("exception", "problem", detail=status_text(status, sub)))
    elif status == TrackingStatus.DELIVERY_FAILURE:
        flags.append(_flag("delivery_failed", "warning"))
    return Timeline(status=status, days_in_transit=days_in_transit, days_since_last_event=since_last, last_event=last,
                    delivered_at=delivered.time if delivered else None, flags=flags)
