"""The rules in force: the bundled rule files plus a casebook's overrides.

Every number the advice uses lives in the TOML files beside this module
(checklists, deadlines, the guide's tables, readiness weights, tracking-silence
thresholds), each with its source. A casebook overrides any of them under
``[rules.<file>]`` in its ``casebook.toml``; an unknown key, a wrong type or a
value out of range is a one-line ``ConfigError`` naming the key.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import ConfigError

__all__ = ["Rules", "TABLES", "MAX_DAYS", "DEADLINE_KINDS", "check_timezone", "starter_overrides"]

TABLES = ("checklists", "deadlines", "guide", "timeline", "readiness", "advice")
MAX_DAYS = 3650  # ten years: any rule window beyond it is a typo
# deadline: must act by the day; opens: possible from the day; entitlement: a right that starts on the day;
# window: a right that lasts until the day
DEADLINE_KINDS = ("deadline", "opens", "entitlement", "window")
_META = {"version", "source"}


def _read(name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(resources.files("casebook.rules").joinpath(f"{name}.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"rule file casebook/rules/{name}.toml: {error}") from None


@lru_cache(maxsize=1)
def _bundled() -> dict[str, dict[str, Any]]:
    return {name: _read(name) for name in TABLES}


def check_timezone(value: object, where: str) -> str:
    """``value`` if it names an IANA time zone; a one-line error naming ``where`` otherwise."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {value!r} is not a time zone name; use an IANA name such as \"Asia/Seoul\"")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a known time zone; use an IANA name such as \"Asia/Seoul\" "
                          "or \"America/Los_Angeles\"") from None
    return value


def _check_value(where: str, key: str, value: Any) -> None:
    """Range checks that a type check cannot express."""
    if key in ("days", "duration") or key.endswith("_days"):
        low = 1 if where.startswith("rules.timeline") else 0
        values = value if isinstance(value, list) else [value]
        if not values or any(not isinstance(v, int) or isinstance(v, bool) or not low <= v <= MAX_DAYS for v in values):
            raise ConfigError(f"{where}: must be a whole number of days from {low} to {MAX_DAYS}, got {value!r}")
    elif key == "months" or key.endswith("_months"):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 120:
            raise ConfigError(f"{where}: must be a whole number of months from 0 to 120, got {value!r}")
    elif key.endswith("_hours"):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 24 * 365:
            raise ConfigError(f"{where}: must be a whole number of hours from 0 to {24 * 365}, got {value!r}")
    elif key.endswith("_chars"):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 200:
            raise ConfigError(f"{where}: must be a whole number of characters from 0 to 200, got {value!r}")
    elif key.endswith("_share"):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            raise ConfigError(f"{where}: must be a share from 0 to 1, got {value!r}")
    elif key == "amount":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: must be a whole, non-negative amount, got {value!r}")
    elif key == "kind" and where.startswith("rules.deadlines"):
        if value not in DEADLINE_KINDS:
            raise ConfigError(f"{where}: must be one of {', '.join(DEADLINE_KINDS)}, got {value!r}")
    elif key == "timezone":
        check_timezone(value, where)
    elif key in ("weight", "pass_mark") or where.startswith("rules.readiness.weights"):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise ConfigError(f"{where}: must be a whole number from 0 to 100, got {value!r}")


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    """``base`` with ``override`` applied; unknown keys and wrong types are refused, naming the key."""
    if not isinstance(override, dict):
        raise ConfigError(f"{where}: expected a table of settings, got {override!r}")
    out = copy.deepcopy(base)
    for key, value in override.items():
        here = f"{where}.{key}"
        if key in _META:
            continue
        if key not in out:
            accepted = ", ".join(k for k in out if k not in _META)
            raise ConfigError(f"{here}: unknown key; accepted: {accepted}")
        current = out[key]
        if isinstance(current, dict):
            out[key] = _merge(current, value, here)
            continue
        numbers = (int, float)
        same = type(current) is type(value) or (
            isinstance(current, numbers) and isinstance(value, numbers) and not isinstance(value, bool))
        if not same:
            raise ConfigError(f"{here}: expected {type(current).__name__} like {current!r}, got {value!r}")
        if isinstance(current, list) and current and any(type(v) is not type(current[0]) for v in value):
            raise ConfigError(f"{here}: expected a list of {type(current[0]).__name__}, got {value!r}")
        _check_value(here, key, value)
        out[key] = value
    return out


@dataclass(frozen=True)
class Rules:
    """The rule tables in force (bundled defaults with a casebook's overrides applied)."""

    checklists: dict[str, Any]
    deadlines: dict[str, dict[str, Any]]
    guide: dict[str, Any]
    timeline: dict[str, int]
    readiness: dict[str, Any]
    advice: dict[str, Any]

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None) -> "Rules":
        """Bundled rules with ``overrides`` shaped like casebook.toml's ``[rules]`` table."""
        overrides = overrides or {}
        if not isinstance(overrides, dict):
            raise ConfigError(f"rules: expected a table, got {overrides!r}")
        unknown = sorted(set(overrides) - set(TABLES))
        if unknown:
            raise ConfigError(f"rules.{unknown[0]}: unknown rule table; accepted: {', '.join(TABLES)}")
        bundled = _bundled()
        merged = {name: _merge(bundled[name], overrides.get(name, {}), f"rules.{name}") for name in TABLES}
        payment = merged["advice"]["payment"]
        unknown_family = [name for name in payment["order"] if name not in payment["words"]]
        if unknown_family:
            raise ConfigError(f"rules.advice.payment.order: {unknown_family[0]!r} has no word list; "
                              f"accepted: {', '.join(payment['words'])}")
        return cls(
            checklists=merged["checklists"],
            deadlines={k: v for k, v in merged["deadlines"].items() if k not in _META},
            guide=merged["guide"],
            timeline={k: v for k, v in merged["timeline"].items() if k not in _META},
            readiness={k: v for k, v in merged["readiness"].items() if k not in _META},
            advice={k: v for k, v in merged["advice"].items() if k not in _META},
        )

    @classmethod
    def default(cls) -> "Rules":
        """The bundled rules, loaded once."""
        return _default()

    def days(self, deadline: str) -> int:
        """The ``days`` of a deadline rule (e.g. ``seller_reply``)."""
        return int(self.deadlines[deadline]["days"])

    def source(self, deadline: str) -> str:
        return str(self.deadlines[deadline].get("source", ""))


@lru_cache(maxsize=1)
def _default() -> Rules:
    return Rules.load()


def starter_overrides() -> list[tuple[str, str, Any, str]]:
    """(table, key, default value, what it means) for the starter ``casebook.toml``: real keys, bundled values."""
    rules = Rules.default()
    out: list[tuple[str, str, Any, str]] = []
    for key in ("latest_open", "seller_reply", "auto_escalation", "kr_auto_refund_30", "card_chargeback_120"):
        out.append((f"rules.deadlines.{key}", "days", rules.days(key), f"deadline '{key}': days after its anchor"))
    for key, value in rules.timeline.items():
        out.append(("rules.timeline", key, value, "tracking silence threshold, days"))
    out.append(("rules.readiness", "pass_mark", rules.readiness["pass_mark"], "readiness score needed to be ready"))
    return out
