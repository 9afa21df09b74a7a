"""Step 1: log the order and the problem (form -> validated case)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w

from .. import services
from ..errors import CaseInputError
from ..models import Platform, ProblemKind
from ..store import Casebook
from ..tracking.numbers import parse
from .base import Panel, options

FIELDS = ["platform", "order_id", "store_name", "item_title", "option", "quantity", "price", "currency", "payment_method",
          "order_date", "ship_date", "promised_date", "received_date", "problem_kind", "description", "tracking_number",
          "domestic_number"]
CURRENCIES = ["KRW", "USD", "CNY", "EUR", "JPY", "HKD"]
# where a field error is shown: the service names model paths, the form has flat fields
_FIELD_OF = {"order.price.amount": "price", "order.price.currency": "currency", "order.price": "price",
             "problem.kind": "problem_kind", "problem.description": "description"}


class LogOrderPanel(Panel):
    """A form for the order and the problem; the tracking number is checked as it is typed."""

    def __init__(self, book: Casebook, *, lang: str | None = None, on_saved: Callable[[str], None] | None = None) -> None:
        super().__init__(book, lang)
        self.on_saved = on_saved
        self.saved_case_id: str | None = None
        wide = w.Layout(width="100%", max_width="32em")
        self.inputs: dict[str, w.Widget] = {
            "platform": w.Dropdown(options=options(Platform, self.lang), value="aliexpress"),
            "order_id": w.Text(placeholder="8190012345678901", layout=wide),
            "store_name": w.Text(layout=wide),
            "item_title": w.Text(layout=wide),
            "option": w.Text(layout=wide),
            "quantity": w.BoundedIntText(value=1, min=1, max=999),
            "price": w.Text(placeholder="23,900원"),
            "currency": w.Dropdown(options=CURRENCIES, value="KRW"),
            "payment_method": w.Text(),
            "order_date": w.DatePicker(),
            "ship_date": w.DatePicker(),
            "promised_date": w.DatePicker(),
            "received_date": w.DatePicker(),
            "problem_kind": w.Dropdown(options=options(ProblemKind, self.lang), value="not_received"),
            "description": w.Textarea(layout=w.Layout(width="100%", max_width="32em", height="6em")),
            "tracking_number": w.Text(placeholder="RA123456785CN", layout=wide),
            "domestic_number": w.Text(layout=wide),
        }
        self.feedback: dict[str, w.HTML] = {name: w.HTML() for name in FIELDS}
        for name, widget in self.inputs.items():
            widget.add_class(f"casebook-field-{name.replace('_', '-')}")
            self.feedback[name].add_class(f"casebook-feedback-{name.replace('_', '-')}")
        self.inputs["tracking_number"].observe(self.safely(lambda change: self.check_tracking()), names="value")
        self.inputs["domestic_number"].observe(self.safely(lambda change: self.check_tracking("domestic_number")), names="value")
        self.save_button = self.button("ui.save", self.save, css="casebook-save", style="primary", icon="save")
        self.labels: dict[str, w.Label] = {name: w.Label(self.t(f"ui.{name}"), layout=w.Layout(width="9em")) for name in FIELDS}
        rows = [w.HBox([self.labels[n], self.inputs[n], self.feedback[n]], layout=w.Layout(flex_flow="row wrap"))
                for n in FIELDS]
        self.widget = w.VBox([*rows, self.save_button, self.status, self.error])
        self.widget.add_class("casebook-log-order")

    def relabel(self) -> None:
        for name, label in self.labels.items():
            label.value = self.t(f"ui.{name}")
        self.save_button.description = self.t("ui.save")
        for name, enum in (("platform", Platform), ("problem_kind", ProblemKind)):
            chosen = self.inputs[name].value
            self.inputs[name].options = options(enum, self.lang)
            self.inputs[name].value = chosen
        for name in ("tracking_number", "domestic_number"):
            self.check_tracking(name)

    def fill(self, **values: Any) -> None:
        """Set form fields by name (what a shopper would type)."""
        for name, value in values.items():
            if name not in self.inputs:
                raise KeyError(f"no field {name!r}; fields: {', '.join(FIELDS)}")
            if name.endswith("_date") and isinstance(value, str):
                value = date.fromisoformat(value)
            self.inputs[name].value = value

    def check_tracking(self, field: str = "tracking_number") -> str:
        """Live feedback for a tracking number field: carrier, check digit, suggestion."""
        text = self.inputs[field].value.strip()
        if not text:
            self.feedback[field].value = ""
            return ""
        parsed = parse(text, prefer_korean=field == "domestic_number")
        if parsed.valid and parsed.best is not None:
            check = self.t("number.check_ok") if parsed.best.checksum else ""
            name = parsed.best.name_ko if self.lang == "ko" else parsed.best.name
            message = f"<span style='color:#1a7f37'>✓ {html.escape(name)} {html.escape(check)}</span>"
        else:
            assert parsed.reason is not None
            message = f"<span style='color:#cf222e'>✗ {html.escape(parsed.reason.text(self.lang))}</span>"
            if parsed.suggestions:
                message += (f" <b class='casebook-suggestion'>{html.escape(self.t('number.did_you_mean'))}: "
                            f"{html.escape(parsed.suggestions[0])}</b>")
        self.feedback[field].value = message
        return message

    def values(self) -> dict[str, Any]:
        return {name: widget.value for name, widget in self.inputs.items()}

    def save(self) -> str | None:
        """Validate and save; every field error appears next to its field at once. Returns the case id."""
        for name in FIELDS:
            if name not in ("tracking_number", "domestic_number"):
                self.feedback[name].value = ""
        try:
            saved = services.new_case(self.book, self.values())
        except CaseInputError as error:
            self._mark(error)
            self.show_error(self.t("ui.fix_fields"))
            return None
        self.saved_case_id = saved.case.id
        colour = "#1a7f37" if saved.created else "#9a6700"
        self.status.value = f"<b style='color:{colour}'>{html.escape(saved.message(self.lang))}</b>"
        if self.on_saved is not None:
            self.on_saved(saved.case.id)
        return saved.case.id

    def _mark(self, error: CaseInputError) -> None:
        for field, message in error.problems:
            target = _FIELD_OF.get(field) or field.split(".")[-1]
            if field == "order":  # date coherence names its own fields
                target = next((n for n in ("received_date", "ship_date", "promised_date") if n in message), "order_date")
            if target in self.feedback:
                self.feedback[target].value = f"<span style='color:#cf222e'>✗ {html.escape(message)}</span>"
