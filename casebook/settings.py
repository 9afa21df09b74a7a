"""Settings, resolved once: defaults → ``casebook.toml`` → environment → explicit arguments.

Every face (the CLI's flags, a notebook's parameters, a panel's choices)
resolves one ``Settings`` when it opens a casebook and hands it down; no
other module reads the environment, the config file or hard-codes a time
zone. Like httpx merging a client's defaults with per-request options, the
later source wins key by key.

``casebook.toml``::

    [casebook]
    timezone = "Asia/Seoul"   # the shopper's clock (deadlines are shown in it)
    language = "ko"           # "ko" or "en"
    [limits]
    max_evidence_mb = 500
    [rules.deadlines.latest_open]
    days = 15
    [secrets]                 # better: the environment variables below
    seventeentrack_token = "..."

Environment: ``CASEBOOK_TIMEZONE``, ``CASEBOOK_LANGUAGE``,
``SEVENTEENTRACK_TOKEN``, ``UNIPASS_API_KEY``, ``SEVENTEENTRACK_BASE_URL``,
``UNIPASS_BASE_URL``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .config import SECRET_ENV, Secret, check_base_url, check_token
from .errors import CaseInputError, ConfigError
from .i18n import Lang, check_lang
from .rules import Rules, check_timezone, starter_overrides

__all__ = ["Settings", "Limits", "CONFIG_FILE", "ENV", "read_config", "starter_config"]

CONFIG_FILE = "casebook.toml"
DEFAULT_TIMEZONE = "Asia/Seoul"
DEFAULT_LANGUAGE: Lang = "ko"

ENV = {
    "timezone": "CASEBOOK_TIMEZONE",
    "language": "CASEBOOK_LANGUAGE",
    "seventeentrack_base_url": "SEVENTEENTRACK_BASE_URL",
    "unipass_base_url": "UNIPASS_BASE_URL",
}
_TABLES = {"casebook", "limits", "rules", "secrets"}


@dataclass(frozen=True)
class Limits:
    """Sizes casebook refuses or warns about. The platforms' own limits were not found: editable defaults."""

    max_evidence_mb: int = 500  # refuse larger files
    warn_image_mb: int = 5  # warn: platforms may refuse large photos
    warn_video_mb: int = 50  # warn: compress long videos
    message_max_chars: int = 0  # 0: no limit; else shorten lists (never facts) to fit

    @property
    def max_evidence_bytes(self) -> int:
        return self.max_evidence_mb * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """What every use case needs to know besides the case: clock, language, rules, secrets, limits."""

    timezone: str = DEFAULT_TIMEZONE
    language: Lang = DEFAULT_LANGUAGE
    rules: Rules = field(default_factory=Rules.default)
    limits: Limits = field(default_factory=Limits)
    secrets: Mapping[str, Secret] = field(default_factory=dict, repr=False)
    seventeentrack_base_url: str | None = None
    unipass_base_url: str | None = None
    config_path: Path | None = None  # the casebook.toml these came from, for messages

    # -- resolving -----------------------------------------------------------------------------
    @classmethod
    def resolve(cls, casebook_path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None,
                timezone: str | None = None, language: str | None = None,
                rules: Mapping[str, Any] | None = None) -> "Settings":
        """Defaults, then ``casebook.toml`` in ``casebook_path``, then ``env``, then the explicit arguments.

        ``None`` means "not given" at every level. Every bad value is a
        ``ConfigError`` naming where it came from.
        """
        env = os.environ if env is None else env
        config_path = Path(casebook_path).expanduser() / CONFIG_FILE if casebook_path is not None else None
        config = read_config(config_path) if config_path is not None else {}
        where = str(config_path) if config_path is not None else CONFIG_FILE
        general = config.get("casebook", {})
        if not isinstance(general, dict):
            raise ConfigError(f"{where}: [casebook] must be a table")
        unknown = sorted(set(general) - {"timezone", "language"})
        if unknown:
            raise ConfigError(f"{where}: [casebook] {unknown[0]}: unknown setting; accepted: timezone, language")

        tz_value, tz_where = DEFAULT_TIMEZONE, "default"
        lang_value, lang_where = DEFAULT_LANGUAGE, "default"
        for value, source in ((general.get("timezone"), f"{where}: [casebook] timezone"),
                              (env.get(ENV["timezone"]) or None, ENV["timezone"]),
                              (timezone, "--tz")):
            if value is not None:
                tz_value, tz_where = value, source
        for value, source in ((general.get("language"), f"{where}: [casebook] language"),
                              (env.get(ENV["language"]) or None, ENV["language"]),
                              (language, "--lang")):
            if value is not None:
                lang_value, lang_where = value, source
        check_timezone(tz_value, tz_where)
        try:
            lang = check_lang(lang_value)
        except ConfigError:
            raise ConfigError(f"{lang_where}: {lang_value!r} is not a language casebook speaks; "
                              "use \"ko\" (한국어) or \"en\" (English)") from None

        rule_overrides = _deep_merge(config.get("rules", {}), dict(rules or {}), f"{where}: [rules]")
        try:
            resolved_rules = Rules.load(rule_overrides) if rule_overrides else Rules.default()
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None
        return cls(
            timezone=tz_value,
            language=lang,
            rules=resolved_rules,
            limits=_limits(config.get("limits", {}), where),
            secrets=_secrets(config.get("secrets", {}), env, where),
            seventeentrack_base_url=_url(env.get(ENV["seventeentrack_base_url"]), ENV["seventeentrack_base_url"]),
            unipass_base_url=_url(env.get(ENV["unipass_base_url"]), ENV["unipass_base_url"]),
            config_path=config_path,
        )

    def with_options(self, *, timezone: str | None = None, language: str | None = None) -> "Settings":
        """These settings with explicit choices applied (a panel's language toggle, a flag)."""
        changes: dict[str, Any] = {}
        if timezone is not None:
            changes["timezone"] = check_timezone(timezone, "timezone")
        if language is not None:
            changes["language"] = check_lang(language)
        return replace(self, **changes) if changes else self

    # -- using -----------------------------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def now(self, today: str | date | datetime | None = None) -> datetime:
        """The moment to judge deadlines at: ``today`` at noon in the shopper's zone, or now."""
        from .models import utc_now

        if today is None or today == "":
            return utc_now()
        if isinstance(today, datetime):
            if today.tzinfo is None:
                raise CaseInputError([("today", "must carry a time zone offset")])
            return today
        if isinstance(today, str):
            try:
                today = date.fromisoformat(today)
            except ValueError:
                raise CaseInputError([("today", f"{today!r} is not a date; use YYYY-MM-DD")]) from None
        return datetime.combine(today, time(12), self.zone)

    def secret(self, name: str, *, required: bool = True) -> Secret | None:
        """A secret by name; when missing, an error that says where to put it (never a value)."""
        if name not in SECRET_ENV:
            raise ConfigError(f"unknown secret {name!r}; known: {', '.join(SECRET_ENV)}")
        value = self.secrets.get(name)
        if value is None and required:
            where = f" or [secrets] {name} = \"...\" in {self.config_path}" if self.config_path else ""
            raise ConfigError(f"no {name.replace('_', ' ')}: set the environment variable {SECRET_ENV[name]}{where}")
        return value


def read_config(path: Path) -> dict[str, Any]:
    """A ``casebook.toml`` as a dict (empty when absent); malformed TOML or unknown tables are errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read ({type(error).__name__}: {error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    unknown = sorted(set(data) - _TABLES)
    if unknown:
        raise ConfigError(f"{path}: [{unknown[0]}] is not a casebook setting; accepted: {', '.join(sorted(_TABLES))}")
    return data


def _deep_merge(base: Any, override: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(base, dict):
        raise ConfigError(f"{where}: must be a table")
    out = dict(base)
    for key, value in override.items():
        out[key] = _deep_merge(out.get(key, {}), value, where) if isinstance(value, dict) else value
    return out


def _limits(table: Any, where: str) -> Limits:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [limits] must be a table")
    defaults = Limits()
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in Limits.__dataclass_fields__:
            raise ConfigError(f"{where}: [limits] {key}: unknown limit; accepted: {', '.join(Limits.__dataclass_fields__)}")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
            raise ConfigError(f"{where}: [limits] {key}: must be a whole number from 0 to 1000000, got {value!r}")
        values[key] = value
    return replace(defaults, **values)


def _secrets(table: Any, env: Mapping[str, str], where: str) -> dict[str, Secret]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [secrets] must be a table")
    out: dict[str, Secret] = {}
    for name, variable in SECRET_ENV.items():
        value = env.get(variable) or table.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{where}: [secrets] {name}: must be text in quotes")
        source = variable if env.get(variable) else f"{where}: [secrets] {name}"
        out[name] = check_token(Secret(value), source)
    unknown = sorted(set(table) - set(SECRET_ENV))
    if unknown:
        raise ConfigError(f"{where}: [secrets] {unknown[0]}: unknown secret; accepted: {', '.join(SECRET_ENV)}")
    return out


def _url(value: str | None, where: str) -> str | None:
    return check_base_url(value, where) if value else None


def starter_config() -> str:
    """The ``casebook.toml`` that ``casebook init`` writes: real keys, commented, with the bundled values."""
    lines = [
        "# casebook settings. Values here override the bundled defaults; environment variables",
        "# (CASEBOOK_TIMEZONE, CASEBOOK_LANGUAGE) and command-line flags override these.",
        "[casebook]",
        f'timezone = "{DEFAULT_TIMEZONE}"   # your clock: deadlines are shown in it',
        f'language = "{DEFAULT_LANGUAGE}"           # "ko" or "en"',
        "",
        "# Rule overrides: uncomment a line to change a rule for this casebook (values shown are the defaults).",
    ]
    table = None
    for section, key, value, meaning in starter_overrides():
        if section != table:
            lines.append(f"# [{section}]")
            table = section
        lines.append(f"# {key} = {value!r}   # {meaning}")
    lines += [
        "",
        "# [limits]",
        f"# max_evidence_mb = {Limits().max_evidence_mb}   # refuse evidence files larger than this",
        "",
        "# Secrets: prefer the environment variables SEVENTEENTRACK_TOKEN and UNIPASS_API_KEY.",
        "# [secrets]",
        '# seventeentrack_token = "YOUR_17TRACK_TOKEN"',
        "",
    ]
    return "\n".join(lines)
