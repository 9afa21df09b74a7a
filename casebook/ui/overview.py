"""The casebook at a glance: stage, next deadline, days left, readiness; pick a case to open."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w
import pandas as pd

from .. import services
from ..i18n import label, money, t
from ..models import DisputeStage, ProblemKind
from ..store import Casebook
from ..views import LAYOUT_STYLE, STYLE, advice_html, case_banner_html, notice_html
from .base import Panel

SORTS = ("days_left", "readiness", "id", "stage", "problem")


class OverviewPanel(Panel):
    """A sortable table of every case (it scrolls inside its box) and a case picker.

    "Open" hands the case to the app (``on_open``); in the overview notebook
    it shows the case and remembers it, so steps 2-4 open it next.
    """

    COLUMNS = ["id", "item", "problem", "stage", "amount", "next_deadline", "due", "days_left", "readiness", "error"]
    HEADERS = {"id": "ui.id", "item": "ui.item", "problem": "ui.problem", "stage": "ui.stage", "amount": "ui.amount",
               "next_deadline": "ui.next_deadline", "due": "ui.due", "days_left": "ui.days_left",
               "readiness": "ui.readiness", "error": "ui.error_column"}

    def __init__(self, book: Casebook, *, lang: str | None = None, today: str | date | None = None,
                 on_open: Callable[[str], None] | None = None) -> None:
        super().__init__(book, lang)
        self.today = today
        self.on_open = on_open
        self.opened: str | None = None
        self.frame = pd.DataFrame()
        self.sort = w.Dropdown(options=self._sort_options(), value="days_left", layout=w.Layout(width="auto", max_width="100%"))
        self.labelled(self.sort, "description", "ui.sort")
        self.sort.add_class("casebook-sort")
        self.sort.observe(self.safely(lambda change: self.refresh()), names="value")
        self.picker = w.Dropdown(layout=w.Layout(width="auto", max_width="100%"))
        self.labelled(self.picker, "description", "ui.case")
        self.picker.add_class("casebook-picker")
        self.open_button = self.button("ui.open", self.open, css="casebook-open", icon="folder-open",
                                       enabled=lambda: bool(self.picker.value))
        self.picker.observe(lambda change: setattr(self.open_button, "disabled", not change["new"]), names="value")
        self.table = w.HTML(layout=w.Layout(max_width="100%"))
        self.table.add_class("casebook-overview-table")
        self.detail = w.HTML()
        self.detail.add_class("casebook-opened")
        self.widget = w.VBox([w.HTML(LAYOUT_STYLE),
                              w.HBox([self.sort, self.picker, self.open_button], layout=w.Layout(flex_flow="row wrap")),
                              self.table, self.status, self.error, self.detail])
        self.widget.add_class("casebook-overview")
        self.widget.add_class("casebook-panel")
        self.refresh()

    def _sort_options(self) -> list[tuple[str, str]]:
        return [(self.t(self.HEADERS[key] if key in self.HEADERS else f"ui.{key}"), key) for key in SORTS]

    def relabel(self) -> None:
        chosen = self.sort.value
        self.sort.options = self._sort_options()
        self.sort.value = chosen
        self.refresh()
        if self.opened and self.on_open is None:
            self._show_opened(self.opened)

    def refresh(self) -> pd.DataFrame:
        frame = services.overview(self.book, today=self.today)
        if not frame.empty:
            frame = frame.sort_values(self.sort.value, na_position="last", kind="stable")
        self.frame = frame
        chosen = self.picker.value
        good = frame[frame["error"].isna()] if not frame.empty else frame
        choices = [(f"{row.id} · {row.item or ''}", row.id) for row in good.itertuples()]
        self.picker.options = choices
        ids = [value for _, value in choices]
        # the picker never starts empty: the case chosen before, else the first row (the most urgent by default)
        self.picker.value = chosen if chosen in ids else (ids[0] if ids else None)
        self.open_button.disabled = not self.picker.value
        if frame.empty:
            self.table.value = notice_html(self.t("picker.none"))
        else:
            self.table.value = STYLE + "<div class='casebook-view casebook-overview-scroll'>" + self._table(frame) + "</div>"
        return frame

    def _table(self, frame: pd.DataFrame) -> str:
        shown = pd.DataFrame({
            "id": frame["id"], "item": frame["item"],
            "problem": [self._enum(ProblemKind, v) for v in frame["problem"]],
            "stage": [self._enum(DisputeStage, v) for v in frame["stage"]],
            "amount": [self._money(a, c) for a, c in zip(frame["amount"], frame["currency"])],
            "next_deadline": frame["next_deadline"], "due": frame["due"], "days_left": frame["days_left"],
            "readiness": frame["readiness"], "error": frame["error"],
        })
        shown = shown.rename(columns={k: self.t(v) for k, v in self.HEADERS.items()})
        styled = shown.style.hide(axis="index").format(na_rep="–", escape="html")
        days = self.t(self.HEADERS["days_left"])
        styled = styled.map(lambda v: "color:#cf222e;font-weight:bold" if isinstance(v, int) and v <= 2 else "", subset=[days])
        return styled.to_html()

    def _enum(self, enum: Any, value: Any) -> str:
        try:
            return label(enum(value), self.lang)
        except ValueError:
            return "" if value is None else str(value)

    def _money(self, amount: Any, currency: Any) -> str:
        from decimal import Decimal

        try:
            return money(Decimal(str(amount)), str(currency), self.lang)
        except ArithmeticError:
            return ""

    def open(self) -> str | None:
        """Open the picked case: in the app, its steps; here, the case itself (and steps 2-4 open it next)."""
        case_id = self.picker.value
        if not case_id:
            self.show_notice("ui.pick_case")
            return None
        services.remember_case(self.book, case_id)
        self.opened = case_id
        if self.on_open is not None:
            self.on_open(case_id)
        else:
            self._show_opened(case_id)
        return case_id

    def _show_opened(self, case_id: str) -> None:
        advice = services.advise(self.book, case_id, today=self.today)
        self.say(lambda lang: f"<b>{html.escape(t('picker.opened', lang, case_id=case_id))}</b>")
        self.detail.value = case_banner_html(self.book.get(case_id), advice, self.lang) + advice_html(advice, self.lang)

