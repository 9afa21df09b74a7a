"""A shipment's journey as a picture: events over time, by stage (PNG for reports, inline in notebooks)."""

from __future__ import annotations

import io
from datetime import date, datetime

from ..models import TrackingEvent, TrackingStatus

__all__ = ["timeline_png", "STAGE_ORDER"]

# Vertical position of each stage, bottom (nothing yet) to top (in the shopper's hands).
STAGE_ORDER: list[TrackingStatus | str] = [
    TrackingStatus.NOT_FOUND,
    TrackingStatus.INFO_RECEIVED,
    TrackingStatus.IN_TRANSIT,
    "Customs",
    TrackingStatus.EXPIRED,
    TrackingStatus.EXCEPTION,
    TrackingStatus.DELIVERY_FAILURE,
    TrackingStatus.AVAILABLE_FOR_PICKUP,
    TrackingStatus.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERED,
]
_CUSTOMS_LEVEL = STAGE_ORDER.index("Customs")


def timeline_png(events: list[TrackingEvent], *, promised: date | None = None, today: date | None = None,
                 title: str = "") -> bytes:
    """Render events (any order) as a step plot; customs steps get their own band. Returns PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    ordered = sorted(events, key=lambda e: e.time)
    figure = Figure(figsize=(7.5, 2.8), dpi=100)
    axes = figure.add_subplot()
    levels = {status: n for n, status in enumerate(STAGE_ORDER)}
    if ordered:
        times = [e.time for e in ordered]
        ys = [_CUSTOMS_LEVEL if e.stage == "customs" else levels[e.status] for e in ordered]
        axes.step(times, ys, where="post", color="#1f6feb", linewidth=1.5)
        colours = ["#d29922" if e.stage == "customs" else "#cf222e" if e.status in (TrackingStatus.EXCEPTION,
                   TrackingStatus.DELIVERY_FAILURE, TrackingStatus.EXPIRED) else "#1f6feb" for e in ordered]
        axes.scatter(times, ys, c=colours, s=18, zorder=3)
    if promised is not None:
        axes.axvline(datetime.combine(promised, datetime.min.time()), color="#cf222e", linestyle="--", linewidth=1)
        axes.annotate("promised", (datetime.combine(promised, datetime.min.time()), len(STAGE_ORDER) - 1.2),
                      color="#cf222e", fontsize=7)
    if today is not None:
        axes.axvline(datetime.combine(today, datetime.min.time()), color="#57606a", linestyle=":", linewidth=1)
    axes.set_yticks(list(range(len(STAGE_ORDER))), [getattr(s, "value", s) for s in STAGE_ORDER], fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(axis="x", alpha=0.3)
    if title:
        axes.set_title(title, fontsize=9)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
