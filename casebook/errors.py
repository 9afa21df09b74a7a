"""One error hierarchy for the whole package.

Every message names the field or file, the bad value (redacted when secret)
and what would be accepted, so a shopper can fix the input without reading a
traceback. The CLI prints ``str(error)`` on one line and exits non-zero.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CasebookError",
    "CaseInputError",
    "CaseNotFoundError",
    "ConflictError",
    "CaseBusyError",
    "StorageError",
    "CorruptCaseError",
    "SchemaVersionError",
    "EvidenceError",
    "TrackingError",
    "TrackingNumberError",
    "ProviderError",
    "ConfigError",
]


MAX_SHOWN = 10  # problems spelled out in one message; ``problems`` keeps them all


class CasebookError(Exception):
    """Base of every error casebook raises on purpose."""


class CaseInputError(CasebookError, ValueError):
    """Input that does not fit the case vocabulary.

    ``problems`` holds ``(field_path, message)`` pairs, one per bad field.
    """

    def __init__(self, problems: list[tuple[str, str]], *, source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        lines = [f"{field}: {message}" if field else message for field, message in problems[:MAX_SHOWN]]
        if len(problems) > MAX_SHOWN:
            lines.append(f"and {len(problems) - MAX_SHOWN:,} more problem(s)")
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + " ".join(("; ".join(lines)).split()))  # one line, whatever the input held

    @property
    def fields(self) -> list[str]:
        return [field for field, _ in self.problems]

    @classmethod
    def from_validation(cls, error: Any, *, source: str | None = None, prefix: str = "") -> "CaseInputError":
        """Turn a pydantic ``ValidationError`` into field-named messages."""
        problems: list[tuple[str, str]] = []
        for item in error.errors(include_url=False):
            loc = ".".join(str(part) for part in item.get("loc", ()))
            if prefix:
                loc = f"{prefix}.{loc}" if loc else prefix
            problems.append((loc, _worded(item)))
        return cls(problems, source=source)


def _worded(item: dict[str, Any]) -> str:
    """``_explain``'s English, as a ``str`` that faces can also show in Korean (``casebook.field_errors``)."""
    from .field_errors import worded

    return worded(item)


def _explain(item: dict[str, Any]) -> str:
    kind = item.get("type", "")
    message = str(item.get("msg", ""))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if message.startswith("Assertion failed, "):
        message = message[len("Assertion failed, ") :]
    value = item.get("input")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see the case JSON schema for accepted fields)"
    if kind == "missing":
        return "required field is missing"
    if kind in {"string_type"} and isinstance(value, int):
        return f"must be text, got the number {value!r}; write it in quotes so leading zeros are kept"
    if kind == "enum":
        expected = item.get("ctx", {}).get("expected", "")
        return f"{value!r} is not one of the accepted values: {expected}"
    shown = _short(value)
    return f"{message} (got {shown})" if shown is not None and kind != "value_error" else message


def _short(value: Any) -> str | None:
    if isinstance(value, (dict, list)):
        return None
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class CaseNotFoundError(CasebookError, KeyError):
    """No case with that id in the casebook."""

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0]) if self.args else "case not found"


class ConflictError(CasebookError):
    """Saving a stale copy: someone else saved the case since it was loaded."""


class CaseBusyError(ConflictError):
    """The case's lock could not be had in time: another command or notebook is saving it."""


class StorageError(CasebookError, OSError):
    """The disk refused a read or write (read-only casebook, no permission, disk full).

    Also an ``OSError`` so code that already catches ``OSError`` keeps working;
    ``str()`` is one line naming the path and what to check.
    """

    _HINTS = {30: "read_only", 13: "no_permission", 28: "disk_full", 2: "no_folder", 17: "not_a_folder",
              20: "not_a_folder"}  # errno -> storage.hint.*

    def __init__(self, path: object, error: OSError, *, action: str = "write") -> None:
        reason = error.strerror or type(error).__name__
        self.hint = self._HINTS.get(error.errno or 0, "check")
        self.action, self.reason = action, reason
        from .i18n import t

        super().__init__(error.errno, f"cannot {action} {path}: {reason} ({t(f'storage.hint.{self.hint}', 'en')})")
        self.path = str(path)

    def __str__(self) -> str:
        return str(self.args[1]) if len(self.args) > 1 else super().__str__()

    def text(self, lang: str = "ko") -> str:
        """The same in the shopper's language (the system's own reason stays as it said it)."""
        from .i18n import catalogue, t

        key = f"storage.{self.action.replace(' ', '_')}"
        if key not in catalogue():
            return str(self)
        return t(key, lang, path=self.path, reason=self.reason, hint=t(f"storage.hint.{self.hint}", lang))


class CorruptCaseError(CasebookError):
    """A ``case.json`` that cannot be read or does not fit the schema.

    ``text(lang)`` names the file and says what is wrong in the shopper's language: the fields of
    ``problems`` (a ``CaseInputError``) or the catalogue's ``key``; else the English ``detail``.
    """

    def __init__(self, path: str, detail: str, *, problems: "CaseInputError | None" = None, key: str | None = None,
                 **values: Any) -> None:
        self.path = path
        self.detail = detail
        self.problems = problems
        self.key, self.values = key, values
        super().__init__(f"{path}: {detail}")

    def text(self, lang: str = "ko") -> str:
        from .i18n import t

        if self.problems is not None:
            from .field_errors import error_text

            what = error_text(self.problems, lang, paths=True)
        elif self.key is not None:
            what = t(self.key, lang, **self.values)
        else:
            what = self.detail
        return t("corrupt.case", lang, path=self.path, what=what)


class SchemaVersionError(CorruptCaseError):
    """A case written by a schema this version cannot read or migrate."""


class EvidenceError(CasebookError, ValueError):
    """A file refused as evidence, or an evidence operation that failed."""


class TrackingError(CasebookError):
    """Base for tracking problems."""


class TrackingNumberError(TrackingError, ValueError):
    """Input that cannot be handled as a tracking number at all."""


class ProviderError(TrackingError):
    """A tracking provider failed as a whole (auth, network, malformed answer)."""


class ConfigError(CasebookError):
    """A configuration value or rule file that is missing or malformed."""
