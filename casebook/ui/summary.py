"""Step 4: readiness, deadlines, the message preview, and the files to attach (real downloads)."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import ipywidgets as w

from .. import services
from ..i18n import t
from ..models import CHANNEL_COUNTERPART, Channel, Counterpart, Direction
from ..store import Casebook
from ..views import advice_html, download_html
from .base import CasePanel, options

EXPORTS = ("txt", "html", "zip", "ics")


class SummaryPanel(CasePanel):
    """What to do next and by when, the message (en/ko) and export buttons (txt, html, zip, ics).

    Each export is written into ``output_dir`` (default: the casebook's
    ``exports/`` folder) and offered as a download link in the page, so it
    works in Voila, where there is no file browser.
    """

    def __init__(self, book: Casebook, case_id: str | None = None, *, output_dir: str | Path | None = None,
                 lang: str | None = None, today: str | date | None = None, picker: bool = True) -> None:
        super().__init__(book, case_id, lang=lang, today=today, picker=picker)
        self.output_dir = Path(output_dir) if output_dir is not None else book.path / "exports"
        self.written: dict[str, Path] = {}
        self.readiness = w.HTML()
        self.readiness.add_class("casebook-readiness")
        # the seller's first message also comes in Chinese (many AliExpress sellers read it more easily)
        self.message_lang = w.ToggleButtons(options=[("English", "en"), ("한국어", "ko"), ("中文", "zh")], value="en")
        self.message_lang.add_class("casebook-message-lang")
        self.message_lang.observe(self.safely(lambda change: self.refresh()), names="value")
        self.message = w.Textarea(layout=w.Layout(width="100%", max_width="46em", height="18em"))
        self.message.add_class("casebook-message")
        self.buttons = {fmt: self.button(f"ui.export_{fmt}", lambda fmt=fmt: self.export(fmt), css=f"casebook-export-{fmt}",
                                         icon="download", enabled=lambda: bool(self.case_id)) for fmt in EXPORTS}
        self.links = w.HTML()
        self.links.add_class("casebook-links")
        self.log_channel = w.Dropdown(options=options(Channel, self.lang), value="seller_chat",
                                      layout=w.Layout(width="auto", max_width="100%"))
        self.log_channel.add_class("casebook-log-channel")
        # who it was with: follows the channel (a phone call is with the seller) until changed (a call to the carrier)
        self.log_with = w.Dropdown(options=options(Counterpart, self.lang), value="seller",
                                   layout=w.Layout(width="auto", max_width="100%"))
        self.log_with.add_class("casebook-log-with")
        self.log_channel.observe(self._channel_changed, names="value")
        self.log_direction = w.ToggleButtons(options=options(Direction, self.lang), value="sent")
        self.log_text = w.Textarea(layout=w.Layout(width="100%", max_width="46em", height="5em"))
        self.log_text.add_class("casebook-log-text")
        self.log_button = self.button("ui.log", self.log_message, css="casebook-log-message", icon="comment")
        self.log_title = w.HTML()
        log_box = w.VBox([self.log_title, w.HBox([self.log_channel, self.log_with, self.log_direction], layout=w.Layout(flex_flow="row wrap")),
                          self.log_text, self.log_button])
        self.widget = w.VBox([self.header, self.readiness, self.message_lang, self.message,
                              w.HBox(list(self.buttons.values()), layout=w.Layout(flex_flow="row wrap")), self.links,
                              log_box, self.status, self.error])
        self.widget.add_class("casebook-summary")
        self.widget.add_class("casebook-panel")
        self._titles()
        self.refresh()

    def _titles(self) -> None:
        self.log_title.value = f"<b>{html.escape(self.t('ui.log_message'))}</b>"

    def relabel(self) -> None:
        self._titles()
        for widget, enum in ((self.log_channel, Channel), (self.log_with, Counterpart), (self.log_direction, Direction)):
            chosen = widget.value
            widget.options = options(enum, self.lang)
            widget.value = chosen
        super().relabel()
        self._links()

    def set_case(self, case_id: str | None) -> None:
        self.written = {}
        self.links.value = ""
        super().set_case(case_id)

    def refresh(self) -> None:
        for button in self.buttons.values():
            button.disabled = not self.case_id
        if not self.case_id:
            self.readiness.value, self.message.value = "", ""
            return
        advice = services.advise(self.book, self.case_id, today=self.today)
        summary = services.summarise(self.book, self.case_id, today=self.today)
        self.readiness.value = advice_html(advice, self.lang)
        if summary.seller_message and self.message_lang.value in ("en", "zh"):
            chosen = summary.seller_message_zh if self.message_lang.value == "zh" else None
            self.message.value = chosen or summary.seller_message
        elif self.message_lang.value == "zh":
            self.message.value = summary.message("en")  # the dispute message itself is for the platform: English
        else:
            self.message.value = summary.message(self.message_lang.value)

    def _channel_changed(self, change: dict) -> None:
        self.log_with.value = CHANNEL_COUNTERPART.get(change["new"], Counterpart.OTHER).value

    def log_message(self) -> int:
        """Record the message in the case's log and refresh readiness (e.g. after first contacting the seller)."""
        if not self.need_case():
            return 0
        case = services.log_message(self.book, self.case_id, self.log_text.value, channel=self.log_channel.value,
                                    direction=self.log_direction.value, counterpart=self.log_with.value)
        self.log_text.value = ""
        self.refresh()
        self._banner()
        count = len(case.seller_messages())
        self.say(lambda lang: html.escape(t("ui.logged", lang, n=count)))
        return len(case.messages)

    def export(self, fmt: str) -> dict[str, Path] | None:
        """Write one export into ``output_dir`` and offer it as a download."""
        if not self.need_case():
            return None
        exported = services.export(self.book, self.case_id, self.output_dir, formats=[fmt], today=self.today)
        self.written.update(exported.files)
        self._links()
        return exported.files

    def _links(self) -> None:
        self.links.value = download_html(self.written.values(), self.lang, root=self.book.path)
