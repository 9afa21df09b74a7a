"""How results look: HTML for notebooks and panels, plain text for the terminal.

Result objects call these from ``_repr_html_`` (so a notebook cell that ends
with a result shows it), the panels show the same HTML, and the CLI prints
the text forms: one rendering per result, in the shopper's language. Every
word comes from the catalogue; state is shown with words and colour, never
with a glyph alone (emoji fonts are often missing).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .i18n import aside, label, t
from .models import Case, DeadlineStatus, Severity, TrackingEvent

if TYPE_CHECKING:
    from .evidence import VerifyIssue
    from .playbook import Advice, Check, ChecklistItem, Deadline
    from .tracking.timeline import Flag

__all__ = [
    "case_line", "case_html", "case_banner_html", "advice_html", "advice_text", "checklist_html", "deadlines_html",
    "deadlines_text", "flags_html", "events_html", "verify_html", "STYLE", "LAYOUT_STYLE", "notice_html",
    "download_html", "DOWNLOAD_LIMIT", "text_table",
]

GREEN, RED, AMBER, GREY = "#1a7f37", "#cf222e", "#9a6700", "#57606a"
_SEVERITY_COLOUR = {Severity.PROBLEM: RED, Severity.WARNING: AMBER, Severity.INFO: GREY}

# Shared by every panel: tables scroll inside their box, nothing overflows a phone screen.
STYLE = (
    "<style>.casebook-view{max-width:100%;overflow-x:auto;box-sizing:border-box}"
    ".casebook-view table{border-collapse:collapse;max-width:100%}"
    ".casebook-view th,.casebook-view td{text-align:left;vertical-align:top;padding:.2em .6em .2em 0}"
    ".casebook-overview-scroll th,.casebook-overview-scroll td,.casebook-events th,.casebook-events td{white-space:nowrap}"
    ".casebook-state{display:inline-block;min-width:3.5em;padding:0 .4em;border-radius:.8em;font-size:.85em;"
    "font-weight:600;margin-right:.4em;text-align:center}"
    ".casebook-urgent{background:#ffebe9;border:2px solid #cf222e;color:#cf222e;padding:.5em .8em;border-radius:6px;"
    "font-weight:600;margin:.3em 0}</style>"
)


def _e(text: object) -> str:
    return html.escape(str(text))


def _state(word: str, colour: str, background: str) -> str:
    """A word in a coloured pill: readable without emoji fonts, and by screen readers."""
    return f"<span class='casebook-state' style='color:{colour};background:{background}' aria-label='{_e(word)}'>{_e(word)}</span>"


def case_line(case: Case, lang: str = "ko") -> str:
    """One line naming the case: id, platform and order, item, amount, problem, stage."""
    o = case.order
    return (f"{case.id}: {label(o.platform, lang)} {o.order_id} · {o.item_title} · {t('deadline.none', lang) if o.price is None else _money(o, lang)}"
            f" · {label(case.problem.kind, lang)} · {label(case.dispute.stage, lang)}")


def _money(order: object, lang: str) -> str:
    from .i18n import money

    price = order.price  # type: ignore[attr-defined]
    return money(price.amount, price.currency, lang)


def case_html(case: Case, lang: str = "ko") -> str:
    o = case.order
    rows = [
        (t("ui.case", lang), case.id),
        (t("report.order", lang), f"{label(o.platform, lang)} {o.order_id}"),
        (t("report.item", lang), aside(o.item_title, o.option)),
        (t("report.paid", lang), _money(o, lang)),
        (t("report.problem", lang), label(case.problem.kind, lang)),
        (t("report.stage", lang), label(case.dispute.stage, lang)),
        (t("report.evidence", lang), t("report.file_count", lang, n=len(case.evidence))),
        (t("report.log", lang), t("report.message_count", lang, n=len(case.messages))),
    ]
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"{STYLE}<div class='casebook-view casebook-case'><table>{body}</table></div>"


def case_banner_html(case: Case, advice: "Advice | None", lang: str = "ko") -> str:
    """The case the shopper is on (item, order, stage, next deadline), with a red banner when a deadline is close."""
    o = case.order
    parts = [f"<b>{_e(o.item_title)}</b>", _e(f"{label(o.platform, lang)} {o.order_id}"), _e(label(case.dispute.stage, lang))]
    urgent = ""
    if advice is not None and advice.next_deadline is not None:
        d = advice.next_deadline
        parts.append(_e(f"{t('ui.next_deadline', lang)}: {d.describe(lang)}"))
    if advice is not None:
        urgent = "".join(f"<div class='casebook-urgent' role='alert'>{_e(d.describe(lang))}</div>" for d in advice.urgent)
    return (f"{STYLE}{urgent}<div class='casebook-view casebook-current-case' data-case='{_e(case.id)}' "
            f"style='border-left:4px solid #1f6feb;padding:.3em .6em;margin:.3em 0;background:#f6f8fa'>"
            f"<span style='color:{GREY}'>{_e(t('ui.case', lang))} {_e(case.id)}</span> · " + " · ".join(parts)
            + "</div>")


def checklist_html(items: Iterable["ChecklistItem"], lang: str = "ko") -> str:
    """Present / missing / optional in words and colour, with why each item matters."""
    rows = []
    for item in items:
        if item.present:
            state, css = _state(t("ui.present", lang), GREEN, "#dafbe1"), "present"
        elif item.required:
            state, css = _state(t("ui.missing", lang), RED, "#ffebe9"), "missing"
        else:
            state, css = _state(t("ui.optional", lang), GREY, "#eaeef2"), "optional"
        why = "" if item.present else f" <span style='color:{GREY}'>— {_e(item.why(lang))}</span>"
        rows.append(f"<li class='casebook-item casebook-item-{css}' data-item='{_e(item.key)}'>{state}"
                    f"<b>{_e(item.label(lang))}</b>{why}</li>")
    return (f"{STYLE}<div class='casebook-view casebook-checklist-view'><b>{_e(t('ui.checklist', lang))}</b>"
            f"<ul style='list-style:none;padding-left:0'>{''.join(rows)}</ul></div>")


def deadlines_html(items: Iterable["Deadline"], lang: str = "ko") -> str:
    rows = []
    for d in items:
        if d.status == DeadlineStatus.NOT_APPLICABLE:
            continue
        colour = RED if d.status == DeadlineStatus.PAST or d.urgent else GREY if d.status == DeadlineStatus.CANNOT_COMPUTE else "inherit"
        weight = "font-weight:600;" if d.urgent else ""
        rows.append(f"<tr class='casebook-deadline casebook-deadline-{d.status.value}' data-key='{_e(d.key)}'>"
                    f"<th>{_e(d.label(lang))}</th><td style='{weight}color:{colour}'>{_e(d.status_text(lang))}</td></tr>")
    if not rows:  # a settled case: no heading over an empty table
        return ""
    return (f"{STYLE}<div class='casebook-view casebook-deadlines'><b>{_e(t('ui.deadlines', lang))}</b>"
            f"<table>{''.join(rows)}</table></div>")


def deadlines_text(items: Iterable["Deadline"], lang: str = "ko") -> list[str]:
    return [("▶ " if d.status == DeadlineStatus.UPCOMING else "  ") + d.describe(lang)
            for d in items if d.status != DeadlineStatus.NOT_APPLICABLE]


def advice_html(advice: "Advice", lang: str = "ko") -> str:
    """Readiness with each check in words, the next steps, what to ask for, and the deadlines."""
    verdict = t("ui.ready", lang) if advice.ready else t("ui.not_ready", lang)
    colour = GREEN if advice.ready else RED
    checks = "".join(
        f"<li class='casebook-check casebook-check-{_check_state(c)}' data-check='{c.key.value}'>"
        + _check_pill(c, lang) + f"{_e(c.text(lang))}</li>" for c in advice.checks)
    steps = "".join(f"<li data-step='{_e(k)}'>{_e(s)}</li>" for k, s in zip(advice.step_keys, advice.steps(lang)))
    warnings = "".join(f"<div class='casebook-urgent casebook-warning' role='alert' data-warning='{_e(w.name)}'>"
                       f"{_e(label(w.severity, lang))}: {_e(w.text(lang))}</div>" for w in advice.warnings)
    urgent = warnings + "".join(f"<div class='casebook-urgent' role='alert'>{_e(d.describe(lang))}</div>"
                                for d in advice.urgent)
    ask = f"<p class='casebook-ask'>{_e(_ask(advice, lang))}</p>"
    if outcome := advice.outcome_text(lang):
        ask += f"<p class='casebook-outcome'>{_e(outcome)}</p>"
    return (f"{STYLE}<div class='casebook-view casebook-advice'>{urgent}"
            f"<h4 style='color:{colour};margin:.3em 0'>{_e(t('ui.readiness', lang))}: {advice.score}/100 · {_e(verdict)}</h4>"
            f"<ul style='list-style:none;padding-left:0'>{checks}</ul>"
            f"<b>{_e(t('ui.next_steps', lang))}</b><ol>{steps}</ol>{ask}</div>"
            + deadlines_html(advice.deadlines, lang))


def _check_state(check: "Check") -> str:
    return "na" if not check.applies else "ok" if check.ok else "fail"


def _check_pill(check: "Check", lang: str) -> str:
    if not check.applies:
        return _state(t("ui.not_needed", lang), GREY, "#eaeef2")
    return _state(t("ui.ok", lang), GREEN, "#dafbe1") if check.ok else _state(t("ui.not_ok", lang), RED, "#ffebe9")


def _ask(advice: "Advice", lang: str) -> str:
    """What to ask for, with its amount, the refund type, how long it takes and the strategy."""
    return t("cli.ask_for", lang, remedy=advice.remedy_text(lang), refund_type=advice.refund_type,
             low=advice.expected_days[0], high=advice.expected_days[1], strategy=advice.strategy(lang))


def advice_text(advice: "Advice", lang: str = "ko") -> list[str]:
    """The terminal form of ``advice_html``: warnings first, then deadlines within two days."""
    verdict = t("ui.ready", lang) if advice.ready else t("ui.not_ready", lang)
    lines = [t("cli.warning", lang, text=w.text(lang)) for w in advice.warnings]
    lines += [d.describe(lang) for d in advice.urgent]
    lines.append(t("cli.score", lang, score=advice.score, verdict=verdict))
    for check in advice.checks:
        state = t("ui.not_needed", lang) if not check.applies else t("ui.ok", lang) if check.ok else t("ui.not_ok", lang)
        lines.append(f"  [{state}] {check.text(lang)}")
    lines += ["", t("ui.next_steps", lang) + ":"]
    lines += [f"  {n}. {step}" for n, step in enumerate(advice.steps(lang), start=1)]
    lines += ["", _ask(advice, lang)]
    if advice.outcome_text(lang):
        lines.append(advice.outcome_text(lang))
    if advice.next_deadline is not None:
        lines.append(f"{t('deadline.next', lang)}: {advice.next_deadline.describe(lang)}")
    lines += ["", t("cli.escalation", lang) + ":"]
    for rung in advice.ladder:
        if rung.applies:
            lines.append(f"  {'▶' if rung.current else '-'} {rung.label(lang)}: {rung.when(lang)}")
    return lines


def flags_html(flags: Iterable["Flag"], lang: str = "ko") -> str:
    rows = "".join(
        f"<div class='casebook-flag casebook-flag-{_e(f.key)}' style='color:{_SEVERITY_COLOUR[f.severity]}'>"
        f"<b>{_e(label(f.severity, lang))}</b>: {_e(f.text(lang))}</div>" for f in flags)
    return f"<div class='casebook-view casebook-flags-view'>{rows}</div>"


def events_html(events: Iterable[TrackingEvent], lang: str = "ko", tz: str = "Asia/Seoul") -> str:
    from .tracking.timeline import status_text

    zone = ZoneInfo(tz)
    rows = "".join(
        f"<tr><td>{_e(_when(e.time, zone))}</td><td>{_e(status_text(e.status, e.sub_status)(lang))}</td>"
        f"<td>{_e(e.location or '')}</td><td>{_e(e.description)}</td></tr>"
        for e in sorted(events, key=lambda e: e.time, reverse=True))
    if not rows:
        return ""
    head = "".join(f"<th>{_e(t(k, lang))}</th>" for k in ("report.when", "report.status", "report.where", "report.event"))
    return f"{STYLE}<div class='casebook-view'><table class='casebook-events'><tr>{head}</tr>{rows}</table></div>"


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def verify_html(issues: list["VerifyIssue"], count: int, lang: str = "ko") -> str:
    if issues:
        return (f"<b style='color:{RED}'>{_e(t('ui.integrity_bad', lang))}</b><ul>"
                + "".join(f"<li>{_e(i.text(lang))}</li>" for i in issues) + "</ul>")
    return f"<span style='color:{GREEN}'>{_e(t('ui.integrity_ok', lang, n=count))}</span>"


# The panels' layout on any screen: nothing wider than the screen, tabs that wrap, labels above their field on a phone.
LAYOUT_STYLE = (
    "<style>"
    ".casebook-app,.casebook-panel{max-width:100%;box-sizing:border-box;overflow-wrap:anywhere}"
    ".casebook-app .widget-box,.casebook-panel .widget-box{max-width:100%}"
    ".casebook-app .widget-html,.casebook-panel .widget-html{max-width:100%;min-width:0}"
    ".casebook-app .widget-html-content,.casebook-panel .widget-html-content{max-width:100%;min-width:0;flex:1 1 auto}"
    ".casebook-app .lm-TabBar-content,.casebook-tabs .lm-TabBar-content{flex-wrap:wrap}"
    ".casebook-app .lm-TabBar-tab,.casebook-tabs .lm-TabBar-tab{flex:0 1 auto;min-width:0;max-width:100%}"
    ".casebook-app .lm-TabBar,.casebook-tabs .lm-TabBar{min-height:var(--jp-private-horizontal-tab-height,28px);height:auto}"
    ".casebook-app .widget-dropdown,.casebook-panel .widget-dropdown,.casebook-app .widget-text,.casebook-panel .widget-text"
    "{max-width:100%;min-width:0}"
    ".casebook-app .widget-dropdown select,.casebook-panel .widget-dropdown select{min-width:0;max-width:100%}"
    ".casebook-app .widget-toggle-buttons,.casebook-panel .widget-toggle-buttons{flex-wrap:wrap;max-width:100%}"
    ".casebook-app .widget-toggle-buttons .widget-toggle-button,.casebook-panel .widget-toggle-buttons .widget-toggle-button"
    "{width:auto;min-width:6em}"
    ".casebook-app .widget-button,.casebook-panel .widget-button{max-width:100%;white-space:normal;height:auto;"
    "min-height:var(--jp-widgets-inline-height,28px)}"
    "@media (max-width:600px){"
    ".casebook-app .widget-inline-hbox .widget-label,.casebook-panel .widget-inline-hbox .widget-label{max-width:40%}"
    ".casebook-field-label{width:100%!important}"
    ".casebook-app .widget-textarea,.casebook-panel .widget-textarea{width:100%!important}"
    "}"
    "</style>"
)

# Files above this size are not offered as in-page downloads (they would travel inside the widget's state).
DOWNLOAD_LIMIT = 25_000_000

_MIME = {".zip": "application/zip", ".html": "text/html", ".md": "text/markdown", ".txt": "text/plain",
         ".ics": "text/calendar", ".csv": "text/csv"}


def notice_html(text: str) -> str:
    """A grey note: what to do in an empty state."""
    return f"<div class='casebook-notice' style='color:{GREY};padding:.3em 0'>{_e(text)}</div>"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


def download_html(files: Iterable["object"], lang: str = "ko", *, root: object = None) -> str:
    """A real download for each file: a link holding the file (``data:`` URI) with the ``download`` attribute.

    Works in Voila (no file browser) and JupyterLab alike; nothing is served
    from the disk, so no server path is shown. Files above ``DOWNLOAD_LIMIT``
    are named with where they are instead.
    """
    import base64
    from pathlib import Path

    links = []
    for item in files:
        path = Path(str(item))
        size = path.stat().st_size
        if size > DOWNLOAD_LIMIT:
            shown = path.relative_to(Path(str(root))) if root is not None and path.is_relative_to(Path(str(root))) else path
            links.append(f"<div class='casebook-download-too-big'>{_e(t('download.too_big', lang, name=path.name, size=_size(size), path=shown))}</div>")
            continue
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        mime = _MIME.get(path.suffix, "application/octet-stream")
        links.append(f"<a class='casebook-download' download='{_e(path.name)}' href='data:{mime};base64,{data}' "
                     f"style='display:inline-block;margin:.2em .6em .2em 0;padding:.3em .7em;border:1px solid #1f6feb;"
                     f"border-radius:4px;color:#1f6feb;text-decoration:none;overflow-wrap:anywhere'>"
                     f"{_e(t('download.link', lang, name=path.name, size=_size(size)))}</a>")
    if not links:
        return ""
    return (f"<div class='casebook-view casebook-downloads'>{''.join(links)}"
            f"<div style='color:{GREY};font-size:.85em'>{_e(t('download.kept', lang))}</div></div>")


def text_table(rows: list[Sequence[Any]]) -> list[str]:
    """Lines of a plain-text table, columns padded by display width (a Hangul syllable takes two cells)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    cells = [[str(c) for c in row] for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(cells[0]))]
    return ["  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip() for row in cells]
