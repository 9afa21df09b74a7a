"""Step 2: check tracking (pasted page or an API), see the timeline and what it means; undo an import."""

from __future__ import annotations

import html
from datetime import date

import ipywidgets as w

from .. import services
from ..field_errors import ProviderFailure
from ..store import Casebook
from ..tracking.plot import timeline_svg
from ..views import events_html, flags_html, notice_html
from .base import CasePanel


class TrackingPanel(CasePanel):
    """Provider choice, fetch, the trouble flags, a plot and a table of the events.

    A pasted page that names another tracking number is refused until the
    shopper ticks the confirmation; the last import can be undone (it goes to
    the casebook's ``.trash/``).
    """

    def __init__(self, book: Casebook, case_id: str | None = None, *, lang: str | None = None,
                 today: str | date | None = None, picker: bool = True) -> None:
        super().__init__(book, case_id, lang=lang, today=today, picker=picker)
        self.report: services.TrackReport | None = None
        self.provider = w.ToggleButtons(options=self._provider_options(), value="offline")
        self.provider.add_class("casebook-provider")
        self.paste = w.Textarea(layout=w.Layout(width="100%", max_width="40em", height="8em"))
        self.labelled(self.paste, "placeholder", "ui.paste")
        self.paste.add_class("casebook-paste")
        self.force = w.Checkbox(value=False, indent=False, layout=w.Layout(display="none", width="auto", max_width="100%"))
        self.labelled(self.force, "description", "wrong_parcel.confirm")
        self.force.add_class("casebook-force")
        self.fetch_button = self.button("ui.fetch", self.fetch, css="casebook-fetch", style="primary", icon="search")
        self.undo_button = self.button("undo.tracking", self.undo, css="casebook-undo-tracking", icon="undo",
                                       enabled=self._has_import)
        self.flags = w.HTML()
        self.flags.add_class("casebook-flags")
        self.plot = w.HTML(layout=w.Layout(max_width="100%"))
        self.plot.add_class("casebook-plot")
        self.table = w.HTML()
        self.table.add_class("casebook-events-table")
        self.note = w.HTML()
        self.provider.observe(self.safely(lambda change: self._explain_provider()), names="value")
        self.widget = w.VBox([self.header, w.HBox([self.provider, self.fetch_button], layout=w.Layout(flex_flow="row wrap")),
                              self.note, self.paste, self.force, self.status, self.error, self.flags, self.plot, self.table,
                              self.undo_button])
        self.widget.add_class("casebook-tracking")
        self.widget.add_class("casebook-panel")
        self.refresh()

    def _provider_options(self) -> list[tuple[str, str]]:
        return [(self.t("ui.provider_offline"), "offline"), ("17TRACK", "17track")]

    def relabel(self) -> None:
        chosen = self.provider.value
        self.provider.options = self._provider_options()
        self.provider.value = chosen
        self._explain_provider()
        super().relabel()

    def _explain_provider(self) -> None:
        missing = self.provider.value == "17track" and self.book.settings.secret("seventeentrack_token", required=False) is None
        self.note.value = f"<i>{html.escape(self.t('ui.no_token'))}</i>" if missing else ""
        self.paste.layout.display = "none" if self.provider.value != "offline" else None

    def _has_import(self) -> bool:
        if not self.case_id:
            return False
        return any(s.snapshots for s in self.book.get(self.case_id).shipments)

    def refresh(self) -> None:
        self.undo_button.disabled = not self._has_import()
        self.show_saved()

    def fetch(self) -> services.TrackReport | None:
        """Track the case's number with the chosen provider, save the snapshot, show the result."""
        if not self.need_case():
            return None
        try:
            report = services.track(self.book, self.case_id, provider=self.provider.value,
                                    paste=self.paste.value or None, today=self.today, force=self.force.value)
        except services.WrongParcelError:
            self.force.layout.display = None  # the shopper may confirm it is the same parcel
            raise
        self.force.value = False
        self.force.layout.display = "none"
        if report.result.error is not None and (self.paste.value.strip() or self.provider.value != "offline"):
            self.show_error(ProviderFailure(report.result.error.code, report.result.error.message))
            return None
        self.say(lambda lang: "<br>".join(html.escape(line) for line in report.unread_lines(lang)))
        self.undo_button.disabled = not self._has_import()
        self._banner()
        self._show(report)
        return report

    def undo(self) -> services.Undone | None:
        """Take the last import out of the case (kept in ``.trash/``)."""
        if not self.need_case():
            return None
        undone = services.undo_tracking(self.book, self.case_id)
        self.show_saved()
        self._banner()
        self.say(lambda lang: html.escape(undone.message(lang)))
        return undone

    def show_saved(self) -> services.TrackReport | None:
        if not self.case_id:
            self.flags.value, self.table.value, self.plot.value = "", "", ""
            return None
        case = self.book.get(self.case_id)
        if case.shipment is None or not (case.shipment.tracking_number or case.shipment.domestic_number):
            self.flags.value = notice_html(self.t("ui.no_number"))
            self.table.value, self.plot.value = "", ""
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
        promised = case.order.promised_by if case else None
        self.plot.value = (f"<div class='casebook-view' style='max-width:40em'>"
                           f"{timeline_svg(events, promised=promised, lang=self.lang)}</div>") if events else ""

