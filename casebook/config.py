"""Secrets (API tokens): wrapped so they never show, and scrubbed from every text and log.

``casebook.settings`` finds them (environment, then ``casebook.toml``) and
wraps each in ``Secret`` so that printing, logging or formatting one shows
``***``. Every value handed to a provider is also registered for redaction:
``redact()`` scrubs it from any text, and a logging filter scrubs it from
httpx's own request logs (UNI-PASS puts its key in the URL).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from .errors import ConfigError

__all__ = ["Secret", "redact", "redact_data", "check_token", "check_base_url", "SECRET_ENV", "install_log_file"]

ENV_17TRACK = "SEVENTEENTRACK_TOKEN"
ENV_UNIPASS = "UNIPASS_API_KEY"
SECRET_ENV = {"seventeentrack_token": ENV_17TRACK, "unipass_key": ENV_UNIPASS}

_KNOWN: set[str] = set()
_LOCK = threading.Lock()


class Secret:
    """A string that never shows itself: ``str()``/``repr()``/f-strings give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError("a secret must be a non-empty string")
        self._value = value.strip()
        with _LOCK:
            _KNOWN.add(self._value)
        _install_log_filter()

    def reveal(self) -> str:
        """The real value: only for the one place that sends it (an HTTP header or parameter)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __format__ = lambda self, *_: "***"  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:
        raise TypeError("secrets are not pickled")


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    with _LOCK:
        known = sorted(_KNOWN, key=len, reverse=True)
    for value in known:
        if value and value in text:
            text = text.replace(value, "***")
    return text


def redact_data(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, text) with every registered secret scrubbed from its text and keys."""
    with _LOCK:
        if not _KNOWN:
            return value

    def scrub(item: Any, depth: int = 0) -> Any:
        if isinstance(item, str):
            return redact(item)
        if depth > 100:
            return None
        if isinstance(item, dict):
            return {redact(k) if isinstance(k, str) else k: scrub(v, depth + 1) for k, v in item.items()}
        if isinstance(item, list):
            return [scrub(v, depth + 1) for v in item]
        return item

    return scrub(value)


def check_token(secret: "Secret", env: str) -> "Secret":
    """``secret`` if it can travel in an HTTP header: printable ASCII without spaces (else ``ConfigError``, value not shown)."""
    value = secret.reveal()
    if not value.isascii() or not value.isprintable() or any(ch.isspace() for ch in value) or len(value) > 512:
        raise ConfigError(f"{env}: the token must be printable ASCII without spaces (at most 512 characters); "
                          "copy it again from the provider's dashboard, without quotes or line breaks")
    return secret


def check_base_url(value: str, env: str) -> str:
    """``value`` without a trailing slash if it is an http(s) URL with a host; else ``ConfigError`` naming ``env``."""
    import httpx

    shown = repr(redact(str(value))[:100])
    if not isinstance(value, str) or len(value) > 2000 or not value.isprintable() or any(ch.isspace() for ch in value):
        raise ConfigError(f"{env}: {shown} is not a URL; expected e.g. https://api.17track.net/track/v2.2")
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ConfigError(f"{env}: {shown} is not a URL; expected e.g. https://api.17track.net/track/v2.2") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"{env}: {shown} is not an http(s) URL with a host; expected e.g. https://api.17track.net/track/v2.2")
    return value.rstrip("/")


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = _RedactingFilter()


def _install_log_filter() -> None:
    for name in ("httpx", "httpcore", "casebook"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def install_log_file(target: str) -> None:
    """Write a debug log to ``target`` (``CASEBOOK_LOG``); every line passes the redacting filter."""
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.addFilter(_FILTER)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
