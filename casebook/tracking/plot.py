"""A shipment's journey as a picture: events over time, by stage.

``timeline_png`` draws it with matplotlib (notebooks, PNG files);
``timeline_svg`` draws the same layout as inline SVG for the HTML report: no
matplotlib import (the costliest part of a report), and crisp when printed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime

from ..models import TrackingEvent, TrackingStatus

__all__ = ["timeline_png", "timeline_svg", "STAGE_ORDER"]

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
_PROBLEM = (TrackingStatus.EXCEPTION, TrackingStatus.DELIVERY_FAILURE, TrackingStatus.EXPIRED)


def _stage_label(stage: TrackingStatus | str, lang: str) -> str:
    from ..i18n import label, t

    return t("report.customs", lang) if stage == "Customs" else label(stage, lang)  # type: ignore[arg-type]


def _level(event: TrackingEvent) -> int:
    return _CUSTOMS_LEVEL if event.stage == "customs" else STAGE_ORDER.index(event.status)


def _colour(event: TrackingEvent) -> str:
    return "#d29922" if event.stage == "customs" else "#cf222e" if event.status in _PROBLEM else "#1f6feb"


def timeline_png(events: list[TrackingEvent], *, promised: date | None = None, today: date | None = None,
                 title: str = "", lang: str = "en") -> bytes:
    """Render events (any order) as a step plot; customs steps get their own band. Returns PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    ordered = sorted(events, key=lambda e: e.time)
    figure = Figure(figsize=(7.5, 2.8), dpi=100)
    axes = figure.add_subplot()
    if ordered:
        times = [e.time for e in ordered]
        ys = [_level(e) for e in ordered]
        axes.step(times, ys, where="post", color="#1f6feb", linewidth=1.5)
        axes.scatter(times, ys, c=[_colour(e) for e in ordered], s=18, zorder=3)
    if promised is not None:
        axes.axvline(datetime.combine(promised, datetime.min.time()), color="#cf222e", linestyle="--", linewidth=1)
        from ..i18n import t

        axes.annotate(t("report.promised", lang), (datetime.combine(promised, datetime.min.time()), len(STAGE_ORDER) - 1.2),
                      color="#cf222e", fontsize=7)
    if today is not None:
        axes.axvline(datetime.combine(today, datetime.min.time()), color="#57606a", linestyle=":", linewidth=1)
    # matplotlib's default fonts have no Hangul: the axis speaks English unless a CJK font is configured
    axes.set_yticks(list(range(len(STAGE_ORDER))), [_stage_label(s, "en") for s in STAGE_ORDER], fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(axis="x", alpha=0.3)
    if title:
        axes.set_title(title, fontsize=9)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def timeline_svg(events: list[TrackingEvent], *, promised: date | None = None, today: date | None = None,
                 title: str = "", width: int = 720, height: int = 260, mask: Callable[[str], str] | None = None,
                 lang: str = "en") -> str:
    """The same step plot as ``timeline_png``, as a self-contained SVG string (no script, no external refs).

    Each point's tooltip (``<title>``) shows the event text through ``mask``
    (the report passes its ``Masker``), so it never shows what the table hides.
    """
    from html import escape

    from ..privacy import mask_text

    mask = mask or mask_text

    ordered = sorted(events, key=lambda e: e.time)
    left, right, top, bottom = 130, 20, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    moments = [e.time.timestamp() for e in ordered]
    marks = [datetime.combine(d, datetime.min.time()).astimezone().timestamp() for d in (promised, today) if d]
    start = min(moments + marks) if moments or marks else 0.0
    end = max(moments + marks) if moments or marks else 1.0
    span = max(end - start, 86400.0)

    def x(t: float) -> float:
        return left + (t - start) / span * plot_w

    def y(level: int) -> float:
        return top + plot_h - level / (len(STAGE_ORDER) - 1) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="tracking timeline" font-family="sans-serif" font-size="10">']
    if title:
        parts.append(f'<text x="{left + plot_w / 2:.0f}" y="14" text-anchor="middle" font-size="11">{escape(title)}</text>')
    for level, stage in enumerate(STAGE_ORDER):
        label = _stage_label(stage, lang)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="#eaeef2"/>'
                     f'<text x="{left - 6}" y="{y(level) + 3:.1f}" text-anchor="end" fill="#57606a">{escape(str(label))}</text>')
    ticks = 6
    for n in range(ticks + 1):
        t = start + span * n / ticks
        parts.append(f'<text x="{x(t):.1f}" y="{height - 22}" text-anchor="middle" fill="#57606a">'
                     f'{datetime.fromtimestamp(t).strftime("%m-%d")}</text>')
    from ..i18n import t as text_of

    for day, colour, dash, name in ((promised, "#cf222e", "5,3", text_of("report.promised", lang)),
                                    (today, "#57606a", "2,3", "")):
        if day is not None:
            px = x(datetime.combine(day, datetime.min.time()).astimezone().timestamp())
            parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{colour}" stroke-dasharray="{dash}"/>')
            if name:
                parts.append(f'<text x="{px + 3:.1f}" y="{top + 10}" fill="{colour}">{name}</text>')
    if ordered:
        points = []
        for n, event in enumerate(ordered):
            px, py = x(moments[n]), y(_level(event))
            if points:
                points.append(f"{px:.1f},{points[-1].split(',')[1]}")
            points.append(f"{px:.1f},{py:.1f}")
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>')
        for n, event in enumerate(ordered):
            parts.append(f'<circle cx="{x(moments[n]):.1f}" cy="{y(_level(event)):.1f}" r="3" fill="{_colour(event)}">'
                         f'<title>{escape(event.time.isoformat(timespec="minutes"))} {escape(mask(event.description))}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)
