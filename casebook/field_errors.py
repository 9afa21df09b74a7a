"""Errors in the shopper's language: field errors, upload refusals and tracking-provider failures.

Deeper modules raise errors with English messages (they are also what a log
or a traceback shows). Faces show them through this module instead:

* a field problem of a ``CaseInputError`` whose message is a ``FieldText``
  (a ``str`` that knows its catalogue key) is rendered from the catalogue;
  ``CaseInputError.from_validation`` words every pydantic error that way
  (``worded``), from its error *type* (``missing``, ``enum``,
  ``date_from_datetime_parsing`` …), never from its English wording;
* the few English messages other modules raise on purpose (an empty upload,
  a file too big, a missing token …) are recognised by a small table and
  shown from the catalogue;
* anything else is shown as it is (its English original).

It sits low (it imports only ``errors`` and ``i18n``) so services, panels and
the CLI can all use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import CaseInputError, CaseNotFoundError, CasebookError, ConfigError, EvidenceError
from .i18n import Text, t

__all__ = ["FieldText", "FieldName", "ShopperError", "EvidenceRefused", "ProviderFailure", "problem", "worded", "field_error", "field_label", "localise", "error_text",
           "provider_error", "PYDANTIC_KEYS"]


class FieldText(str):
    """An English message (the ``str`` itself) that can be shown in any language from the catalogue."""

    key: str | None
    values: dict[str, Any]

    def __new__(cls, key: str | None, english: str | None = None, /, **values: Any) -> "FieldText":
        if english is None:
            english = t(key or "", "en", **{k: field_label(v, "en") if isinstance(v, FieldName) else v
                                            for k, v in values.items()})
        made = super().__new__(cls, english)
        made.key = key
        made.values = values
        return made

    def text(self, lang: str = "ko") -> str:
        if lang == "en" or self.key is None:  # the English is the detailed original (and all there is without a key)
            return str(self)
        shown = {k: field_label(v, lang) if isinstance(v, FieldName) else v for k, v in self.values.items()}
        return t(self.key, lang, **shown)


class FieldName(str):
    """A field's name inside a message value: shown as the field's label in each language."""


class ShopperError(CasebookError):
    """An error whose words come from the catalogue (``str()`` is the English; ``text(lang)`` any language).

    Values may be ``Text``, enums (shown as their labels) or lists of them (joined with commas).
    ``text(lang, cli=True)`` uses the key's ``_cli`` variant when the catalogue has one: the command
    line's wording names the flags and the values to type.
    """

    def __init__(self, key: str, /, **values: Any) -> None:
        self.key, self.values = key, values
        super().__init__(Text(key, **values)("en"))

    def text(self, lang: str = "ko", *, cli: bool = False) -> str:
        from .i18n import catalogue

        key = f"{self.key}_cli" if cli and f"{self.key}_cli" in catalogue() else self.key
        return Text(key, **self.values)(lang)


class EvidenceRefused(ShopperError, EvidenceError):
    """An evidence file or kind refused, worded from the catalogue (still an ``EvidenceError`` for code catching those)."""


class ProviderFailure(CasebookError):
    """A tracking provider's failure for one number (its ``ResultError``), shown in any language from its code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)

    def text(self, lang: str = "ko") -> str:
        return provider_error(self.code, str(self), lang)


def problem(field: str, key: str, **values: Any) -> tuple[str, FieldText]:
    """One ``(field, message)`` pair for ``CaseInputError`` whose message is the catalogue's ``key``."""
    return field, FieldText(key, **values)


# pydantic error types -> catalogue keys (https://docs.pydantic.dev/latest/errors/validation_errors/)
PYDANTIC_KEYS = {
    "missing": "field_error.missing",
    "string_too_short": "field_error.empty",
    "extra_forbidden": "field_error.unknown_field",
    "enum": "field_error.choice",
    "literal_error": "field_error.choice",
    "date_from_datetime_parsing": "field_error.date",
    "date_from_datetime_inexact": "field_error.date",
    "date_parsing": "field_error.date",
    "date_type": "field_error.date",
    "datetime_parsing": "field_error.datetime",
    "datetime_from_date_parsing": "field_error.datetime",
    "datetime_type": "field_error.datetime",
    "timezone_aware": "field_error.timezone",
    "decimal_parsing": "field_error.number",
    "decimal_type": "field_error.number",
    "float_parsing": "field_error.number",
    "int_parsing": "field_error.whole_number",
    "int_type": "field_error.whole_number",
    "int_from_float": "field_error.whole_number",
    "greater_than_equal": "field_error.at_least",
    "greater_than": "field_error.above",
    "less_than_equal": "field_error.at_most",
    "string_too_long": "field_error.too_long",
    "string_pattern_mismatch": "field_error.pattern",
    "string_type": "field_error.text",
    "bool_parsing": "field_error.yes_no",
    "bool_type": "field_error.yes_no",
}

# messages of the models' own validators (value_error): pattern -> catalogue key and the values it names
_VALUE_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^an AliExpress order id is digits only.*got (?P<value>.+)$"), "field_error.order_id_aliexpress"),
    (re.compile(r"^an order id is letters, digits and dashes.*got (?P<value>.+)$"), "field_error.order_id"),
    (re.compile(r"^unknown currency (?P<value>.+?);"), "field_error.currency"),
    (re.compile(r"^(?P<currency>[A-Z]{3}) has no minor units; got (?P<value>.+)$"), "field_error.minor_units"),
    (re.compile(r"^amount: (?P<currency>[A-Z]{3}) has (?P<places>\d+) decimal places; got (?P<value>.+)$"),
     "field_error.decimal_places"),
    (re.compile(r"^(?P<value>.+?) is too large; at most (?P<digits>\d+) digits"), "field_error.amount_too_large"),
    (re.compile(r"^(?P<value>.+?) has too many decimal places"), "field_error.decimals"),
    (re.compile(r"^(?P<value>.+?) is not an amount; NaN and Infinity"), "field_error.amount"),
    (re.compile(r"^(?P<value>.+?) is not an amount; at most (?P<digits>\d+) digits"), "field_error.amount_too_large"),
    (re.compile(r"^(?P<value>.+?) is not an amount"), "field_error.amount"),
    (re.compile(r"^must be an http\(s\) URL; got (?P<value>.+)$"), "field_error.url"),
    (re.compile(r"^(?P<later>\w+) (?P<later_date>[\d-]+) is before (?P<earlier>\w+) (?P<earlier_date>[\d-]+)"),
     "field_error.dates_backwards"),
    (re.compile(r"^a partial refund needs requested_amount"), "field_error.needs_amount"),
    (re.compile(r"^stage '(?P<value>\w+)' needs opened_date"), "field_error.needs_opened_date"),
    (re.compile(r"^a personal customs code is P followed by 12 digits.*got (?P<value>.+)$"), "field_error.customs_code"),
    (re.compile(r"^must be a plain file name"), "field_error.file_name"),
    (re.compile(r"^(?P<value>.+?) is not a case id;"), "field_error.case_id"),
]


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def worded(item: dict[str, Any]) -> FieldText:
    """One pydantic error as a FieldText; its English is what ``errors._explain`` says for it."""
    from .errors import _explain

    english = _explain(item)
    kind = str(item.get("type", ""))
    ctx = item.get("ctx") or {}
    value = item.get("input")
    if kind == "value_error":
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        for pattern, key in _VALUE_ERRORS:
            m = pattern.search(message)
            if m:
                found: dict[str, Any] = {k: v.strip("'\"") for k, v in m.groupdict().items()}
                for name in ("later", "earlier"):
                    if name in found:
                        found[name] = FieldName(found[name])
                return FieldText(key, english, **found)
        return FieldText(None, english)
    if kind in ("model_type", "model_attributes_type", "dict_type"):  # a section given as a single value
        key = "field_error.money_shape" if ctx.get("class_name") == "Money" else "field_error.section"
        return FieldText(key, value=_shown(value))
    key = PYDANTIC_KEYS.get(kind)
    if key is None:
        return FieldText(None, english)
    if kind == "string_type" and isinstance(value, int):
        key = "field_error.text_number"
    values: dict[str, Any] = {"value": _shown(value)} if value is not None and not isinstance(value, (dict, list)) else {"value": ""}
    if key == "field_error.choice":
        values["accepted"] = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
    for name, limit in (("ge", "min"), ("gt", "min"), ("le", "max"), ("min_length", "min"), ("max_length", "max")):
        if name in ctx:
            values[limit] = ctx[name]
    needed = set(_placeholders(key))
    values = {k: v for k, v in values.items() if k in needed}
    for name in needed - set(values):
        values[name] = ""
    return FieldText(key, english, **values)


def _placeholders(key: str) -> list[str]:
    import string

    from .i18n import catalogue

    return [name for _, name, _, _ in string.Formatter().parse(catalogue()[key]["en"]) if name]


def field_error(message: str, lang: str = "ko") -> str:
    """A field problem's message in ``lang`` (a plain English string is shown after the catalogue's lead-in)."""
    if isinstance(message, FieldText):
        return message.text(lang)
    if lang == "en":
        return message
    for pattern, key in _VALUE_ERRORS:  # a plain message from a validator outside pydantic (e.g. a case id)
        m = pattern.search(message)
        if m:
            return FieldText(key, message, **{k: v.strip("'\"") for k, v in m.groupdict().items()}).text(lang)
    return message  # no wording in the catalogue yet: the original, as it is


# a field path's last part -> its label in the catalogue (the form's labels)
_LABELS = {"kind": "ui.problem_kind", "amount": "ui.price", "text": "field_error.label.text", "at": "field_error.label.at",
           "channel": "field_error.label.channel", "stage": "report.stage", "file": "field_error.label.file",
           "opened_date": "field.opened_date", "requested_amount": "field_error.label.requested_amount",
           "amount_refunded": "field_error.label.amount_refunded", "compensation": "field_error.label.compensation",
           "promised_date": "ui.promised_date", "tracking_number": "ui.tracking_number", "order": "report.order",
           "problem": "report.problem"}


def field_label(path: str, lang: str = "ko") -> str:
    """``order.price`` -> ``결제 금액`` / ``Amount paid``; a path with no label is shown as it is."""
    from .i18n import catalogue

    parts = [p for p in path.split(".") if p and not p.isdigit()]
    if not parts:
        return ""
    last = parts[-1]
    if last == "amount" and len(parts) > 1 and parts[-2] in _LABELS | {"duty_paid": ""}:
        return field_label(".".join(parts[:-1]), lang)  # dispute.requested_amount.amount: the amount asked for
    if last == "currency":
        return t("ui.currency", lang)
    if parts[:2] == ["order", "price"] or last == "price":
        return t("ui.price", lang)
    key = _LABELS.get(last) or f"ui.{last}"
    return t(key, lang) if key in catalogue() else path


def localise(error: CaseInputError, lang: str = "ko") -> list[tuple[str, str]]:
    """Each ``(field path, message in lang)`` of a ``CaseInputError``."""
    return [(field, field_error(message, lang)) for field, message in error.problems]


def _joined(problems: Iterable[tuple[str, str]], lang: str, *, paths: bool) -> str:
    parts = []
    for field, text in problems:
        if not field:
            parts.append(text)
            continue
        name = field_label(field, lang)
        where = f"{name} ({field})" if paths and name != field else name
        parts.append(f"{where}: {text}")
    return "; ".join(parts)


# English messages other modules raise on purpose -> catalogue keys
_KNOWN: list[tuple[type[Exception], re.Pattern[str], str]] = [
    (EvidenceError, re.compile(r"^file: '?(?P<name>.+?)'? is empty \(0 bytes\)"), "upload_error.empty"),
    (EvidenceError, re.compile(r"^file: '?(?P<name>.+?)'? is (?P<size>[\d,]+) bytes, above the limit of (?P<limit>[\d,]+)"),
     "upload_error.too_big"),
    (EvidenceError, re.compile(r"^file: '?(?P<name>.+?)'? is not an accepted type"), "upload_error.type"),
    (EvidenceError, re.compile(r"^file: (?P<name>.+) is a symbolic link"), "upload_error.symlink"),
    (EvidenceError, re.compile(r"^file: (?P<name>.+) does not exist"), "upload_error.missing"),
    (EvidenceError, re.compile(r"^file: (?P<name>.+) is not a regular file"), "upload_error.not_a_file"),
    (EvidenceError, re.compile(r"^original_name: (?P<name>.+) is not a plain file name"), "upload_error.name"),
    (ConfigError, re.compile(r"SEVENTEENTRACK_TOKEN"), "ui.no_token"),
    (ConfigError, re.compile(r"UNIPASS_API_KEY"), "provider_error.no_unipass_key"),
    (CaseNotFoundError, re.compile(r"^no case '(?P<name>[^']+)'"), "error.no_case"),
]


def error_text(error: BaseException, lang: str = "ko", *, paths: bool = False) -> str:
    """One line saying what went wrong, in ``lang``; ``paths`` keeps field paths (the CLI: what to type)."""
    if isinstance(error, ShopperError):
        return error.text(lang, cli=paths)
    if callable(getattr(error, "text", None)) and isinstance(error, CasebookError):
        return error.text(lang)  # type: ignore[attr-defined]
    if isinstance(error, CaseInputError):
        text = _joined(localise(error, lang), lang, paths=paths)
        return f"{error.source}: {text}" if error.source else text
    message = str(error) if isinstance(error, CasebookError) else f"{type(error).__name__}: {error}"
    if lang == "en":
        return message  # the English messages are the detailed originals
    for kind, pattern, key in _KNOWN:
        if isinstance(error, kind):
            m = pattern.search(message)
            if m:
                return t(key, lang, **{k: v for k, v in m.groupdict().items() if v is not None})
    return message  # no wording in the catalogue yet: the original, as it is


def provider_error(code: str, message: str, lang: str = "ko") -> str:
    """A tracking provider's failure (``ResultError``) in ``lang``, from its code."""
    from .i18n import catalogue

    key = f"provider_error.{code}"
    if lang == "en" or key not in catalogue():
        return message
    return t(key, lang)
