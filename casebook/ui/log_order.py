"""Step 1: log the order and the problem (form -> validated case)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w

from .. import services
from ..errors import CaseInputError
from ..field_errors import field_error
from ..models import Platform, ProblemKind
from ..store import Casebook
from ..tracking.numbers import parse
from ..views import LAYOUT_STYLE, case_banner_html
from .base import Panel, options

FIELDS = ["platform", "order_id", "store_name", "item_title", "option", "quantity", "price", "currency", "payment_method",
          "order_date", "ship_date", "promised_date", "received_date", "problem_kind", "description", "description_en",
          "received_quantity", "duty_paid", "tax_included", "tracking_number", "domestic_number"]
CURRENCIES = ["KRW", "USD", "CNY", "EUR", "JPY", "HKD"]
# where a field error is shown: the service names model paths, the form has flat fields
_FIELD_OF = {"order.price.amount": "price", "order.price.currency": "currency", "order.price": "price",
             "problem.kind": "problem_kind", "problem.description": "description"}
RED, GREEN = "#cf222e", "#1a7f37"


class LogOrderPanel(Panel):
    """A form for the order and the problem; the tracking number is checked as it is typed.

    Saving reports every field problem at once, next to its field; a number
    whose check digit fails is not saved before the shopper chooses the
    suggested number or confirms it as typed; an order already logged is
    opened instead of being logged twice.
    """

    def __init__(self, book: Casebook, *, lang: str | None = None, on_saved: Callable[[str], None] | None = None,
                 today: str | date | None = None) -> None:
        super().__init__(book, lang)
        self.on_saved = on_saved
        self.today = today
        self.saved_case_id: str | None = None
        self._saved_values: dict[str, Any] = {}
        self._problems: list[tuple[str, str]] = []  # the last save's field problems, re-shown after a language switch
        wide = w.Layout(width="100%", max_width="32em")
        self.inputs: dict[str, w.Widget] = {
            "platform": w.Dropdown(options=options(Platform, self.lang), value="aliexpress", layout=w.Layout(max_width="100%")),
            "order_id": w.Text(placeholder="8190012345678901", layout=wide),
            "store_name": w.Text(layout=wide),
            "item_title": w.Text(layout=wide),
            "option": w.Text(layout=wide),
            "quantity": w.BoundedIntText(value=1, min=1, max=999, layout=w.Layout(width="8em")),
            "price": w.Text(layout=w.Layout(width="100%", max_width="14em")),
            "currency": w.Dropdown(options=CURRENCIES, value="KRW", layout=w.Layout(width="8em")),
            "payment_method": w.Text(layout=wide),
            "order_date": w.DatePicker(layout=w.Layout(max_width="100%")),
            "ship_date": w.DatePicker(layout=w.Layout(max_width="100%")),
            "promised_date": w.DatePicker(layout=w.Layout(max_width="100%")),
            "received_date": w.DatePicker(layout=w.Layout(max_width="100%")),
            "problem_kind": w.Dropdown(options=options(ProblemKind, self.lang), value="not_received",
                                       layout=w.Layout(max_width="100%")),
            "description": w.Textarea(layout=w.Layout(width="100%", max_width="32em", height="6em")),
            # optional facts some problems need: the English description, items that arrived, duty paid
            "description_en": w.Textarea(layout=w.Layout(width="100%", max_width="32em", height="4em")),
            "received_quantity": w.Text(layout=w.Layout(width="8em")),
            "duty_paid": w.Text(layout=w.Layout(width="100%", max_width="14em")),
            "tax_included": w.Checkbox(value=False, indent=False),
            "tracking_number": w.Text(placeholder="RA123456785CN", layout=wide),
            "domestic_number": w.Text(layout=wide),
        }
        self.labelled(self.inputs["price"], "placeholder", "form.price_example")
        self.feedback: dict[str, w.HTML] = {name: w.HTML(layout=w.Layout(max_width="100%")) for name in FIELDS}
        for name, widget in self.inputs.items():
            widget.add_class(f"casebook-field-{name.replace('_', '-')}")
            self.feedback[name].add_class(f"casebook-feedback-{name.replace('_', '-')}")
        self.inputs["tracking_number"].observe(self.safely(lambda change: self.check_tracking()), names="value")
        self.inputs["domestic_number"].observe(self.safely(lambda change: self.check_tracking("domestic_number")), names="value")
        self.save_button = self.button("ui.save", self.save, css="casebook-save", style="primary", icon="save")
        # asked when the tracking number's check digit fails: take the suggestion, or keep it as typed
        self.use_suggestion = self.button("ui.save", self.save_with_suggestion, css="casebook-use-suggestion", style="warning")
        self.keep_number = self.button("picker.keep_number", lambda: self.save(keep_number=True), css="casebook-keep-number")
        self.suggestion: str | None = None
        self.confirm = w.HBox([self.use_suggestion, self.keep_number], layout=w.Layout(flex_flow="row wrap", display="none"))
        self.confirm.add_class("casebook-confirm-number")
        self.labels: dict[str, w.Label] = {}
        for name in FIELDS:
            label = w.Label(layout=w.Layout(width="9em", max_width="100%"))
            label.add_class("casebook-field-label")
            self.labels[name] = self.labelled(label, "value", f"ui.{name}")
        rows = [w.HBox([self.labels[n], self.inputs[n], self.feedback[n]],
                       layout=w.Layout(flex_flow="row wrap", max_width="100%")) for n in FIELDS]
        self.banner = w.HTML()
        self.banner.add_class("casebook-banner")
        self.widget = w.VBox([w.HTML(LAYOUT_STYLE), *rows, self.save_button, self.confirm, self.status, self.banner,
                              self.error])
        self.widget.add_class("casebook-log-order")
        self.widget.add_class("casebook-panel")

    def relabel(self) -> None:
        for name, enum in (("platform", Platform), ("problem_kind", ProblemKind)):
            chosen = self.inputs[name].value
            self.inputs[name].options = options(enum, self.lang)
            self.inputs[name].value = chosen
        for name in ("tracking_number", "domestic_number"):
            self.check_tracking(name)
        self._mark(self._problems)
        self._suggest_label()
        if self.saved_case_id:
            self._show_case(self.saved_case_id)

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
            message = f"<span style='color:{GREEN}'>✓ {html.escape(name)} {html.escape(check)}</span>"
        else:
            assert parsed.reason is not None
            message = f"<span style='color:{RED}'>✗ {html.escape(parsed.reason.text(self.lang))}</span>"
            if parsed.suggestions:
                message += (f" <b class='casebook-suggestion'>{html.escape(self.t('number.did_you_mean'))}: "
                            f"{html.escape(parsed.suggestions[0])}</b>")
        self.feedback[field].value = message
        return message

    def values(self) -> dict[str, Any]:
        values = {name: widget.value for name, widget in self.inputs.items()}
        values["tax_included"] = True if values["tax_included"] else None  # unticked: the listing did not say
        return values

    def save(self, *, keep_number: bool = False) -> str | None:
        """Validate and save; every field error appears next to its field at once. Returns the case id.

        Pressing Save again on a form unchanged since it was saved (the second
        click of a double click) does nothing more: the case is already saved.
        """
        if self.saved_case_id and self.values() == self._saved_values:
            return self.saved_case_id
        self._mark([])
        self.confirm.layout.display = "none"
        try:
            saved = services.new_case(self.book, self.values(), today=self.today, keep_number=keep_number)
        except services.NumberCheckError as error:
            self._mark(error.problems)
            self.suggestion = error.suggestion
            self._suggest_label()
            self.use_suggestion.layout.display = None if error.suggestion else "none"
            self.confirm.layout.display = None
            self.show_error(error)
            return None
        except CaseInputError as error:
            self._mark(error.problems)
            self.show_error(error, lead="ui.fix_fields")
            return None
        self.saved_case_id = saved.case.id
        self._saved_values = self.values()
        colour = GREEN if saved.created else "#9a6700"
        self.say(lambda lang: f"<b style='color:{colour}'>{html.escape(saved.message(lang))}</b>")
        services.remember_case(self.book, saved.case.id)
        self._show_case(saved.case.id)
        if self.on_saved is not None:
            self.on_saved(saved.case.id)
        return saved.case.id

    def save_with_suggestion(self) -> str | None:
        """Put the suggested number in the field and save."""
        if self.suggestion:
            self.inputs["tracking_number"].value = self.suggestion
        return self.save()

    def _suggest_label(self) -> None:
        if self.suggestion:
            self.use_suggestion.description = self.t("picker.use_suggestion", suggestion=self.suggestion)

    def _show_case(self, case_id: str) -> None:
        case = self.book.get(case_id)
        self.banner.value = case_banner_html(case, services.advise(self.book, case_id, today=self.today), self.lang)

    def _mark(self, problems: list[tuple[str, str]]) -> None:
        self._problems = list(problems)
        for name in FIELDS:
            if name not in ("tracking_number", "domestic_number"):
                self.feedback[name].value = ""
        for field, message in problems:
            target = _FIELD_OF.get(field) or field.split(".")[-1]
            if target in self.feedback:
                text = html.escape(field_error(message, self.lang))
                self.feedback[target].value = f"<span style='color:{RED}'>✗ {text}</span>"
