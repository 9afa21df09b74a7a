"""The casebook at a glance: stage, next deadline, days left, readiness; pick a case to open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import ipywidgets as w
import pandas as pd

from ..playbook import Rules, advise
from ..store import Casebook
from .base import Panel


def overview_frame(book: Casebook, *, now: datetime | None = None) -> pd.DataFrame:
    """``Casebook.to_frame()`` plus the playbook's verdict per case (next deadline, days left, readiness)."""
    frame = book.to_frame()
    rules = Rules.for_casebook(book)
    extra: dict[str, list[Any]] = {"next_deadline": [], "due": [], "days_left": [], "readiness": [], "ready": []}
    for case_id, error in zip(frame["id"], frame["error"]):
        advice = None if isinstance(error, str) else advise(book.get(case_id), now=now, rules=rules)
        upcoming = advice.next_deadline if advice else None
        extra["next_deadline"].append(upcoming.en if upcoming else None)
        extra["due"].append(upcoming.due_local.strftime("%Y-%m-%d %H:%M") if upcoming and upcoming.due_local else None)
        extra["days_left"].append(upcoming.days_left if upcoming else None)
        extra["readiness"].append(advice.score if advice else None)
        extra["ready"].append(advice.ready if advice else None)
    for column, values in extra.items():
        frame[column] = pd.Series(values, index=frame.index, dtype="object")
    frame["days_left"] = frame["days_left"].astype("Int64")
    frame["readiness"] = frame["readiness"].astype("Int64")
    return frame


class OverviewPanel(Panel):
    """A sortable, styled table of every case and a case picker."""

    COLUMNS = ["id", "item", "problem", "stage", "amount", "currency", "next_deadline", "due", "days_left", "readiness", "error"]

    def __init__(self, book: Casebook, *, lang: str = "ko", now: datetime | None = None,
                 on_open: Callable[[str], None] | None = None) -> None:
        super().__init__(lang)
        self.book = book
        self.now = now
        self.on_open = on_open
        self.frame = pd.DataFrame()
        self.sort = w.Dropdown(options=["days_left", "readiness", "id", "stage", "problem"], value="days_left",
                               description=self.t("ui.sort"))
        self.sort.observe(self.safely(lambda change: self.refresh()), names="value")
        self.picker = w.Dropdown(description=self.t("ui.case"))
        self.picker.add_class("casebook-picker")
        self.open_button = w.Button(description=self.t("ui.open"), icon="folder-open")
        self.open_button.add_class("casebook-open")
        self.open_button.on_click(self.safely(lambda _: self.open()))
        self.table = w.HTML()
        self.table.add_class("casebook-overview-table")
        self.widget = w.VBox([w.HBox([self.sort, self.picker, self.open_button]), self.table, self.status, self.error])
        self.widget.add_class("casebook-overview")
        self.refresh()

    def refresh(self) -> pd.DataFrame:
        frame = overview_frame(self.book, now=self.now)
        if not frame.empty:
            frame = frame.sort_values(self.sort.value, na_position="last", kind="stable")
        self.frame = frame
        ids = list(frame["id"]) if not frame.empty else []
        self.picker.options = ids
        shown = frame[[c for c in self.COLUMNS if c in frame.columns]] if not frame.empty else frame
        styled = shown.style.hide(axis="index").format(na_rep="–", escape="html")
        if not shown.empty:
            styled = styled.map(lambda v: "color:#cf222e;font-weight:bold" if isinstance(v, (int,)) and v <= 3 else "",
                                subset=["days_left"])
        self.table.value = styled.to_html()
        return frame

    def open(self) -> str | None:
        case_id = self.picker.value
        if case_id and self.on_open is not None:
            self.on_open(case_id)
        return case_id
