"""The guided flow in one widget: overview -> log -> track -> evidence -> summary, with next/back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ipywidgets as w

from .. import services
from ..store import Casebook
from ..views import case_banner_html
from .base import Panel
from .evidence import EvidencePanel
from .log_order import LogOrderPanel
from .overview import OverviewPanel
from .summary import SummaryPanel
from .tracking import TrackingPanel


class CasebookApp(Panel):
    """Tabs for the five steps; opening or saving a case carries it through the later steps."""

    def __init__(self, book: Casebook, *, case_id: str | None = None, output_dir: str | Path = "casebook-output",
                 lang: str | None = None, today: str | date | None = None) -> None:
        super().__init__(book, lang)
        self.case_id = case_id
        self.today = today
        self.overview = OverviewPanel(book, lang=self.lang, today=today, on_open=self.select)
        self.log = LogOrderPanel(book, lang=self.lang, on_saved=self.select)
        self.tracking = TrackingPanel(book, case_id, lang=self.lang, today=today)
        self.evidence = EvidencePanel(book, case_id, lang=self.lang)
        self.summary = SummaryPanel(book, case_id, output_dir=output_dir, lang=self.lang, today=today)
        self.steps: list[Panel] = [self.overview, self.log, self.tracking, self.evidence, self.summary]
        self.tabs = w.Tab(children=[panel.widget for panel in self.steps])
        self.tabs.add_class("casebook-tabs")
        self.language = w.ToggleButtons(options=[("한국어", "ko"), ("English", "en")], value=self.lang)
        self.language.add_class("casebook-language")
        self.language.observe(self.safely(lambda change: self.set_lang(change["new"])), names="value")
        self.back = self.button("ui.back", lambda: self.go(-1), css="casebook-back")
        self.next = self.button("ui.next", lambda: self.go(+1), css="casebook-next", style="info")
        self.heading = w.HTML()
        self.heading.add_class("casebook-heading")
        self.relabel()
        self.widget = w.VBox([self.language, self.heading, self.tabs, w.HBox([self.back, self.next]), self.error])
        self.widget.add_class("casebook-app")

    def relabel(self) -> None:
        for panel in self.steps:
            panel.set_lang(self.lang)
        self.tabs.titles = tuple(self.t("ui.steps").split("|"))
        self.back.description, self.next.description = self.t("ui.back"), self.t("ui.next")
        self._heading()

    def _heading(self) -> None:
        if not self.case_id:
            self.heading.value = ""
            return
        case = self.book.get(self.case_id)
        self.heading.value = case_banner_html(case, services.advise(self.book, self.case_id, today=self.today), self.lang)

    def select(self, case_id: str) -> None:
        """Carry a case through the later steps and move to tracking."""
        self.case_id = case_id
        for panel in (self.tracking, self.evidence, self.summary):
            panel.set_case(case_id)  # type: ignore[attr-defined]
        self.overview.refresh()
        self._heading()
        self.tabs.selected_index = 2

    def go(self, step: int) -> int:
        index = min(max((self.tabs.selected_index or 0) + step, 0), len(self.steps) - 1)
        if index >= 2 and not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return self.tabs.selected_index or 0
        self.tabs.selected_index = index
        if index == 4:
            self.summary.refresh()
        if self.case_id:
            self._heading()
        return index
