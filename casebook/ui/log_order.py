"""Step 1: log the order and the problem (form -> validated case)."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import ipywidgets as w

from ..errors import CaseInputError
from ..models import Order, Platform, Problem, ProblemKind, Shipment, validate
from ..store import Casebook
from ..tracking.numbers import parse
from .base import Panel

FIELDS = ["platform", "order_id", "store_name", "item_title", "option", "quantity", "price", "currency", "payment_method",
          "order_date", "ship_date", "promised_date", "received_date", "problem_kind", "description", "tracking_number",
          "domestic_number"]
CURRENCIES = ["KRW", "USD", "CNY", "EUR", "JPY", "HKD"]


class LogOrderPanel(Panel):
    """A form for the order and the problem; the tracking number is checked as it is typed."""

    def __init__(self, book: Casebook, *, lang: str = "ko", on_saved: Any = None) -> None:
        super().__init__(lang)
        self.book = book
        self.on_saved = on_saved
        self.saved_case_id: str | None = None
        wide = w.Layout(width="32em")
        self.inputs: dict[str, w.Widget] = {
            "platform": w.Dropdown(options=[p.value for p in Platform], value="aliexpress"),
            "order_id": w.Text(placeholder="8190012345678901", layout=wide),
            "store_name": w.Text(layout=wide),
            "item_title": w.Text(layout=wide),
            "option": w.Text(layout=wide),
            "quantity": w.BoundedIntText(value=1, min=1, max=999),
            "price": w.Text(placeholder="23900"),
            "currency": w.Dropdown(options=CURRENCIES, value="KRW"),
            "payment_method": w.Text(),
            "order_date": w.DatePicker(),
            "ship_date": w.DatePicker(),
            "promised_date": w.DatePicker(),
            "received_date": w.DatePicker(),
            "problem_kind": w.Dropdown(options=[k.value for k in ProblemKind], value="not_received"),
            "description": w.Textarea(layout=w.Layout(width="32em", height="6em")),
            "tracking_number": w.Text(placeholder="RA123456785CN", layout=wide),
            "domestic_number": w.Text(layout=wide),
        }
        self.feedback: dict[str, w.HTML] = {name: w.HTML() for name in FIELDS}
        for name, widget in self.inputs.items():
            widget.add_class(f"casebook-field-{name.replace('_', '-')}")
            self.feedback[name].add_class(f"casebook-feedback-{name.replace('_', '-')}")
        self.inputs["tracking_number"].observe(self.safely(lambda change: self.check_tracking()), names="value")
        self.inputs["domestic_number"].observe(self.safely(lambda change: self.check_tracking("domestic_number")), names="value")
        self.save_button = w.Button(description=self.t("ui.save"), button_style="primary", icon="save")
        self.save_button.add_class("casebook-save")
        self.save_button.on_click(self.safely(lambda _: self.save()))
        self.labels: dict[str, w.Label] = {name: w.Label(self.t(f"ui.{name}"), layout=w.Layout(width="9em")) for name in FIELDS}
        rows = [w.HBox([self.labels[n], self.inputs[n], self.feedback[n]]) for n in FIELDS]
        self.widget = w.VBox([*rows, self.save_button, self.status, self.error])
        self.widget.add_class("casebook-log-order")

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        for name, label in self.labels.items():
            label.value = self.t(f"ui.{name}")
        self.save_button.description = self.t("ui.save")

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
            check = {True: "✓ 검증번호" if self.lang == "ko" else "✓ check digit", None: "", False: ""}[parsed.best.checksum]
            name = parsed.best.name_ko if self.lang == "ko" else parsed.best.name
            message = f"<span style='color:#1a7f37'>✓ {html.escape(name)} {check}</span>"
        else:
            assert parsed.reason is not None
            message = f"<span style='color:#cf222e'>✗ {html.escape(parsed.reason.text(self.lang))}</span>"
            if parsed.suggestions:
                label = "혹시" if self.lang == "ko" else "did you mean"
                message += f" <b class='casebook-suggestion'>{label}: {html.escape(parsed.suggestions[0])}</b>"
        self.feedback[field].value = message
        return message

    def values(self) -> dict[str, Any]:
        return {name: widget.value for name, widget in self.inputs.items()}

    def save(self) -> str | None:
        """Validate and save; field errors appear next to their fields. Returns the new case id."""
        for name in FIELDS:
            if name not in ("tracking_number", "domestic_number"):
                self.feedback[name].value = ""
        v = self.values()
        order = {
            "platform": v["platform"], "order_id": v["order_id"].strip(), "store_name": v["store_name"] or None,
            "item_title": v["item_title"], "option": v["option"] or None, "quantity": v["quantity"],
            "price": {"amount": v["price"].replace(",", "").strip() or None, "currency": v["currency"]},
            "payment_method": v["payment_method"] or None, "order_date": v["order_date"], "ship_date": v["ship_date"],
            "promised_date": v["promised_date"], "received_date": v["received_date"],
        }
        problem = {"kind": v["problem_kind"], "description": v["description"]}
        order = {k: v for k, v in order.items() if v != ""}  # an empty box means "not given"
        if order["price"]["amount"] is None:
            order.pop("price")
        try:
            parsed_order = validate(Order, order, "order")
            parsed_problem = validate(Problem, problem, "problem")
        except CaseInputError as error:
            self._mark(error)
            self.show_error(self.t("ui.fix_fields"))
            return None
        shipments = []
        if v["tracking_number"].strip() or v["domestic_number"].strip():
            number = parse(v["tracking_number"]) if v["tracking_number"].strip() else None
            domestic = parse(v["domestic_number"], prefer_korean=True) if v["domestic_number"].strip() else None
            shipments.append(Shipment(
                tracking_number=number.number if number else None, carrier=number.carrier if number else None,
                domestic_number=domestic.number if domestic else None, domestic_carrier=domestic.carrier if domestic else None))
        case = self.book.new_case(parsed_order, parsed_problem, shipments=shipments)
        self.saved_case_id = case.id
        self.status.value = f"<b style='color:#1a7f37'>{html.escape(self.t('ui.saved', case_id=case.id))}</b>"
        if self.on_saved is not None:
            self.on_saved(case.id)
        return case.id

    def _mark(self, error: CaseInputError) -> None:
        names = {"problem.kind": "problem_kind", "problem.description": "description", "order.price.amount": "price",
                 "order.price.currency": "currency", "order.price": "price"}
        for field, message in error.problems:
            target = names.get(field) or field.split(".")[-1]
            if field == "order":  # date coherence names its own fields
                target = next((n for n in ("received_date", "ship_date", "promised_date") if n in message), "order_date")
            if target in self.feedback:
                self.feedback[target].value = f"<span style='color:#cf222e'>✗ {html.escape(message)}</span>"
