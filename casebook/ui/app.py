"""The guided flow in one widget: overview -> log -> track -> evidence -> summary, with next/back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ipywidgets as w

from ..store import Casebook
from .base import Panel
from .evidence import EvidencePanel
from .log_order import LogOrderPanel
from .overview import OverviewPanel
from .summary import SummaryPanel
from .tracking import TrackingPanel


class CasebookApp(Panel):
    """Tabs for the five steps; opening or saving a case carries it through the later steps."""

    def __init__(self, book: Casebook, *, case_id: str | None = None, output_dir: str | Path = "casebook-output",
                 lang: str = "ko", now: datetime | None = None) -> None:
        super().__init__(lang)
        self.book = book
        self.case_id = case_id
        self.overview = OverviewPanel(book, lang=lang, now=now, on_open=self.select)
        self.log = LogOrderPanel(book, lang=lang, on_saved=self.select)
        self.tracking = TrackingPanel(book, case_id, lang=lang, now=now)
        self.evidence = EvidencePanel(book, case_id, lang=lang)
        self.summary = SummaryPanel(book, case_id, output_dir=output_dir, lang=lang, now=now)
        self.steps = [self.overview, self.log, self.tracking, self.evidence, self.summary]
        self.tabs = w.Tab(children=[panel.widget for panel in self.steps])
        self.tabs.add_class("casebook-tabs")
        self.language = w.ToggleButtons(options=[("한국어", "ko"), ("English", "en")], value=lang)
        self.language.add_class("casebook-language")
        self.language.observe(self.safely(lambda change: self.set_lang(change["new"])), names="value")
        self.back = w.Button(description=self.t("ui.back"))
        self.back.add_class("casebook-back")
        self.next = w.Button(description=self.t("ui.next"), button_style="info")
        self.next.add_class("casebook-next")
        self.back.on_click(self.safely(lambda _: self.go(-1)))
        self.next.on_click(self.safely(lambda _: self.go(+1)))
        self.heading = w.HTML()
        self.set_lang(lang)
        self.widget = w.VBox([w.HBox([self.language, self.heading]), self.tabs, w.HBox([self.back, self.next]), self.error])
        self.widget.add_class("casebook-app")

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        for panel in self.steps:
            panel.lang = lang
        self.log.set_lang(lang)
        self.tabs.titles = tuple(self.t("ui.steps").split("|"))
        self.back.description, self.next.description = self.t("ui.back"), self.t("ui.next")
        self.heading.value = f"<b>{self.case_id or ''}</b>"
        for panel in (self.tracking, self.evidence, self.summary):
            if self.case_id:
                panel.set_case(self.case_id)

    def select(self, case_id: str) -> None:
        """Carry a case through the later steps and move to tracking."""
        self.case_id = case_id
        for panel in (self.tracking, self.evidence, self.summary):
            panel.set_case(case_id)
        self.overview.refresh()
        self.heading.value = f"<b>{case_id}</b>"
        self.tabs.selected_index = 2

    def go(self, step: int) -> int:
        index = min(max((self.tabs.selected_index or 0) + step, 0), len(self.steps) - 1)
        if index >= 2 and not self.case_id:
            self.show_error(self.t("ui.pick_case"))
            return self.tabs.selected_index or 0
        self.tabs.selected_index = index
        if index == 4:
            self.summary.refresh()
        return index
