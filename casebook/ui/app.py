"""The guided flow in one widget: overview -> log -> track -> evidence -> summary, with next/back."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w

from .. import services
from ..store import Casebook
from ..views import LAYOUT_STYLE
from .base import CasePanel, Panel
from .evidence import EvidencePanel
from .log_order import LogOrderPanel
from .overview import OverviewPanel
from .summary import SummaryPanel
from .tracking import TrackingPanel


class _Chooser(CasePanel):
    """The app's one case picker and banner, above every step."""

    def __init__(self, book: Casebook, case_id: str | None, *, lang: str, today: Any,
                 on_change: Callable[[str | None], None]) -> None:
        self.on_change: Callable[[str | None], None] | None = None
        super().__init__(book, case_id, lang=lang, today=today)
        self.on_change = on_change
        self.widget = self.header

    def refresh(self) -> None:
        if self.on_change is not None:
            self.on_change(self.case_id)


class CasebookApp(Panel):
    """Tabs for the five steps; the case chosen at the top (or opened, or just saved) is the one every step shows.

    Only the overview is built at start; a step's panel is built the first
    time it is shown (or asked for, e.g. ``app.tracking``), so the first page
    carries a few dozen widgets instead of several hundred.
    """

    def __init__(self, book: Casebook, *, case_id: str | None = None, output_dir: str | Path | None = None,
                 lang: str | None = None, today: str | date | None = None) -> None:
        super().__init__(book, lang)
        self.today = today
        self.output_dir = output_dir
        self.case_id = services.pick_case(book, case_id)
        self.overview = OverviewPanel(book, lang=self.lang, today=today, on_open=self.select)
        self._built: dict[int, Panel] = {0: self.overview}
        self._slots = [w.VBox([self.overview.widget])] + [w.VBox() for _ in range(4)]
        self.chooser = _Chooser(book, self.case_id, lang=self.lang, today=today, on_change=self._carry)
        self.tabs = w.Tab(children=self._slots, layout=w.Layout(max_width="100%"))
        self.tabs.add_class("casebook-tabs")
        self.tabs.observe(self.safely(lambda change: self._panel(change["new"] or 0)), names="selected_index")
        self.language = w.ToggleButtons(options=[("한국어", "ko"), ("English", "en")], value=self.lang)
        self.language.add_class("casebook-language")
        self.language.observe(self.safely(lambda change: self.set_lang(change["new"])), names="value")
        self.back = self.button("ui.back", lambda: self.go(-1), css="casebook-back")
        self.next = self.button("ui.next", lambda: self.go(+1), css="casebook-next", style="info")
        self.heading = self.chooser.banner  # the current case, with the red alert of a deadline within 48 hours
        self.tabs.titles = tuple(self.t("ui.steps").split("|"))
        self.widget = w.VBox([w.HTML(LAYOUT_STYLE), self.language, self.chooser.widget, self.tabs,
                              w.HBox([self.back, self.next], layout=w.Layout(flex_flow="row wrap")), self.error],
                             layout=w.Layout(max_width="100%"))
        self.widget.add_class("casebook-app")

    def _panel(self, index: int) -> Panel:
        """The step's panel, built (for the current case and language) the first time it is needed."""
        if index not in self._built:
            book, lang, today = self.book, self.lang, self.today
            panel: Panel
            if index == 1:
                panel = LogOrderPanel(book, lang=lang, on_saved=self.select, today=today)
            elif index == 2:
                panel = TrackingPanel(book, self.case_id, lang=lang, today=today, picker=False)
            elif index == 3:
                panel = EvidencePanel(book, self.case_id, lang=lang, today=today, picker=False)
            else:
                panel = SummaryPanel(book, self.case_id, output_dir=self.output_dir, lang=lang, today=today, picker=False)
            self._built[index] = panel
            self._slots[index].children = (panel.widget,)
        return self._built[index]

    @property
    def log(self) -> LogOrderPanel:
        return self._panel(1)  # type: ignore[return-value]

    @property
    def tracking(self) -> TrackingPanel:
        return self._panel(2)  # type: ignore[return-value]

    @property
    def evidence(self) -> EvidencePanel:
        return self._panel(3)  # type: ignore[return-value]

    @property
    def summary(self) -> SummaryPanel:
        return self._panel(4)  # type: ignore[return-value]

    @property
    def steps(self) -> list[Panel]:
        return [self._panel(i) for i in range(5)]

    def relabel(self) -> None:
        for panel in (*self._built.values(), self.chooser):
            panel.set_lang(self.lang)
        self.tabs.titles = tuple(self.t("ui.steps").split("|"))

    def _carry(self, case_id: str | None) -> None:
        """The chooser changed: every step shows that case."""
        self.case_id = case_id
        for index in (2, 3, 4):
            panel = self._built.get(index)
            if panel is not None and panel.case_id != case_id:  # type: ignore[attr-defined]
                panel.set_case(case_id)  # type: ignore[attr-defined]
        self.clear_error()

    def select(self, case_id: str) -> None:
        """Carry a case (opened in the overview, or just saved) through the later steps and move to tracking."""
        self.chooser.refresh_picker()
        self.chooser.set_case(case_id)
        self.overview.refresh()
        self.tabs.selected_index = 2

    def go(self, step: int) -> int:
        index = min(max((self.tabs.selected_index or 0) + step, 0), 4)
        if index >= 2 and not self.case_id:
            self.show_notice("ui.pick_case")
            return self.tabs.selected_index or 0
        self.tabs.selected_index = index
        if index == 4:
            self.summary.refresh()
        self.chooser._banner()
        return index

    def refresh(self) -> None:
        """Read the casebook again (another window may have changed it)."""
        self.overview.refresh()
        self.chooser.refresh_picker()
        for index in (2, 3, 4):
            if index in self._built:
                self._built[index].refresh()  # type: ignore[attr-defined]


def when_visited(app: CasebookApp) -> None:
    """Under Voila with preheated kernels, wait for the visitor, then read the casebook again.

    A preheated kernel runs the notebook before anyone opens the page (that is
    what makes the first paint fast), so the cases shown could be minutes or
    hours old. Anywhere else this does nothing.
    """
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    from voila.utils import wait_for_request

    wait_for_request()
    app.refresh()
