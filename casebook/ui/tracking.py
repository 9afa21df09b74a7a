"""Step 2: check tracking (pasted page or 17TRACK), see the timeline and what it means."""

from __future__ import annotations

import html
import os
from datetime import datetime
from typing import Any

import ipywidgets as w

from ..playbook import Rules
from ..store import Casebook
from ..tracking.plot import timeline_png
from ..tracking.providers import OfflineProvider
from ..tracking.service import get_provider, save_result
from ..tracking.timeline import Timeline, analyse
from .base import Panel


class TrackingPanel(Panel):
    """Provider choice, fetch, a table and a plot of the events, and the trouble flags."""

    def __init__(self, book: Casebook, case_id: str | None = None, *, lang: str = "ko", now: datetime | None = None) -> None:
        super().__init__(lang)
        self.book = book
        self.case_id = case_id
        self.now = now
        self.timeline: Timeline | None = None
        self.provider = w.ToggleButtons(options=[("offline", "offline"), ("17TRACK", "17track")], value="offline")
        self.provider.add_class("casebook-provider")
        self.paste = w.Textarea(placeholder=self.t("ui.paste"), layout=w.Layout(width="40em", height="8em"))
        self.paste.add_class("casebook-paste")
        self.fetch_button = w.Button(description=self.t("ui.fetch"), button_style="primary", icon="search")
        self.fetch_button.add_class("casebook-fetch")
        self.fetch_button.on_click(self.safely(lambda _: self.fetch()))
        self.table = w.HTML()
        self.flags = w.HTML()
        self.flags.add_class("casebook-flags")
        self.plot = w.Image(format="png", layout=w.Layout(max_width="46em"))
        self.note = w.HTML()
        self.provider.observe(self.safely(lambda change: self._explain_provider()), names="value")
        self.widget = w.VBox([w.HBox([self.provider, self.fetch_button]), self.note, self.paste, self.status, self.error,
                              self.flags, self.plot, self.table])
        self.widget.add_class("casebook-tracking")
        if case_id:
            self.show_saved()

    def _explain_provider(self) -> None:
        missing = self.provider.value == "17track" and not os.environ.get("SEVENTEENTRACK_TOKEN")
        self.note.value = f"<i>{html.escape(self.t('ui.no_token'))}</i>" if missing else ""
        self.paste.layout.display = "none" if self.provider.value != "offline" else None

    def set_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.show_saved()

    def fetch(self) -> Timeline | None:
        """Track the case's number with the chosen provider, save the snapshot, show the result."""
        if not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return None
        case = self.book.get(self.case_id)
        number = case.shipment.tracking_number if case.shipment else None
        if not number:
            self.show_error("this case has no tracking number yet" if self.lang == "en" else "이 사례에는 운송장 번호가 없습니다")
            return None
        if self.provider.value == "offline":
            provider: Any = OfflineProvider({number: self.paste.value}) if self.paste.value.strip() else None
            if provider is None:
                return self.show_saved()
        else:
            provider = get_provider("17track", book=self.book)
        (result,) = provider.track([number])
        if result.error is not None:
            self.show_error(result.error.message)
            return None
        save_result(self.book, self.case_id, result)
        problems = getattr(provider, "problems", {}).get(number, [])
        if problems:
            self.status.value = "<br>".join(f"line {n} not read ({html.escape(why)}): {html.escape(text)}" for n, text, why in problems[:5])
        return self.show_saved(status=result.status, sub_status=result.sub_status)

    def show_saved(self, **verdict: Any) -> Timeline | None:
        if not self.case_id:
            return None
        case = self.book.get(self.case_id)
        events = [e for s in case.shipments for e in s.events]
        limits = Rules.for_casebook(self.book).timeline
        self.timeline = analyse(events, order=case.order, problem=case.problem.kind, now=self.now, limits=limits, **verdict)
        self.flags.value = "".join(
            f"<div class='casebook-flag casebook-flag-{f.key}' style='color:{ {'problem': '#cf222e', 'warning': '#9a6700'}.get(f.severity, '#1f2328')}'>"
            f"● {html.escape(f.text(self.lang))}</div>" for f in self.timeline.flags)
        rows = "".join(f"<tr><td>{html.escape(e.time.isoformat(timespec='minutes'))}</td><td>{html.escape(e.status.value)}</td>"
                       f"<td>{html.escape(e.location or '')}</td><td>{html.escape(e.description)}</td></tr>"
                       for e in sorted(events, key=lambda e: e.time, reverse=True))
        self.table.value = f"<table class='casebook-events'>{rows}</table>" if rows else ""
        self.plot.value = timeline_png(events, promised=case.order.promised_by) if events else b""
        self.plot.layout.display = None if events else "none"
        return self.timeline
