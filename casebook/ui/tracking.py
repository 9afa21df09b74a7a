"""Step 2: check tracking (pasted page or an API), see the timeline and what it means."""

from __future__ import annotations

import html
from datetime import date

import ipywidgets as w

from .. import services
from ..store import Casebook
from ..tracking.plot import timeline_png
from ..views import events_html, flags_html
from .base import Panel


class TrackingPanel(Panel):
    """Provider choice, fetch, the trouble flags, a plot and a table of the events."""

    def __init__(self, book: Casebook, case_id: str | None = None, *, lang: str | None = None,
                 today: str | date | None = None) -> None:
        super().__init__(book, lang)
        self.case_id = case_id
        self.today = today
        self.report: services.TrackReport | None = None
        self.provider = w.ToggleButtons(options=self._provider_options(), value="offline")
        self.provider.add_class("casebook-provider")
        self.paste = w.Textarea(placeholder=self.t("ui.paste"), layout=w.Layout(width="100%", max_width="40em", height="8em"))
        self.paste.add_class("casebook-paste")
        self.fetch_button = self.button("ui.fetch", self.fetch, css="casebook-fetch", style="primary", icon="search")
        self.flags = w.HTML()
        self.flags.add_class("casebook-flags")
        self.plot = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.table = w.HTML()
        self.note = w.HTML()
        self.provider.observe(self.safely(lambda change: self._explain_provider()), names="value")
        self.widget = w.VBox([w.HBox([self.provider, self.fetch_button], layout=w.Layout(flex_flow="row wrap")), self.note,
                              self.paste, self.status, self.error, self.flags, self.plot, self.table])
        self.widget.add_class("casebook-tracking")
        if case_id:
            self.show_saved()

    def _provider_options(self) -> list[tuple[str, str]]:
        return [(self.t("ui.provider_offline"), "offline"), ("17TRACK", "17track")]

    def relabel(self) -> None:
        chosen = self.provider.value
        self.provider.options = self._provider_options()
        self.provider.value = chosen
        self.paste.placeholder = self.t("ui.paste")
        self.fetch_button.description = self.t("ui.fetch")
        self._explain_provider()
        if self.case_id:
            self.show_saved()

    def _explain_provider(self) -> None:
        missing = self.provider.value == "17track" and self.book.settings.secret("seventeentrack_token", required=False) is None
        self.note.value = f"<i>{html.escape(self.t('ui.no_token'))}</i>" if missing else ""
        self.paste.layout.display = "none" if self.provider.value != "offline" else None

    def set_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.show_saved()

    def fetch(self) -> services.TrackReport | None:
        """Track the case's number with the chosen provider, save the snapshot, show the result."""
        if not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return None
        report = services.track(self.book, self.case_id, provider=self.provider.value, paste=self.paste.value or None,
                                today=self.today)
        if report.error is not None and (self.paste.value.strip() or self.provider.value != "offline"):
            self.show_error(report.error)
            return None
        self.status.value = "<br>".join(html.escape(self.t("ui.line_not_read", n=n, why=why, text=text))
                                        for n, text, why in report.unread[:5])
        self._show(report)
        return report

    def show_saved(self) -> services.TrackReport | None:
        if not self.case_id:
            return None
        case = self.book.get(self.case_id)
        if case.shipment is None or not (case.shipment.tracking_number or case.shipment.domestic_number):
            self.flags.value = f"<i>{html.escape(self.t('ui.no_number'))}</i>"
            self.table.value, self.plot.value, self.plot.layout.display = "", b"", "none"
            return None
        report = services.track(self.book, self.case_id, today=self.today)  # offline, no paste: the saved history
        self._show(report)
        return report

    def _show(self, report: services.TrackReport) -> None:
        self.report = report
        case = self.book.get(self.case_id) if self.case_id else None
        events = [e for s in case.shipments for e in s.events] if case else list(report.result.events)
        settings = self.book.settings
        self.flags.value = flags_html(report.timeline.flags, self.lang)
        self.table.value = events_html(events, self.lang, settings.timezone)
        self.plot.value = timeline_png(events, promised=case.order.promised_by if case else None) if events else b""
        self.plot.layout.display = None if events else "none"
