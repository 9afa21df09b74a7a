"""The one catalogue of words a shopper reads, in Korean and English.

Every user-facing string comes from ``casebook/catalogue.toml`` through
``t(key, lang, **values)``. The catalogue is keyed by meaning; enum members
carry their labels there (``enum.problem_kind.not_received``), so an enum
passed as a value is shown as its label, never as its internal key.

Korean particles are chosen from the word they follow: write
``{item:을/를}`` or ``{carrier:이/가}`` in a Korean text and the right one is
picked (``증거를``, ``사진을``, ``DHL이``). Money passed as a value reads
``38,500원`` in Korean and ``KRW 38,500`` in English.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

__all__ = ["Lang", "LANGS", "Text", "t", "label", "money", "particle", "catalogue", "check_lang", "enum_key"]

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every entry as ``{key: {"ko": ..., "en": ...}}`` (nested TOML tables flattened to dotted keys)."""
    raw = tomllib.loads(resources.files("casebook").joinpath("catalogue.toml").read_text("utf-8"))
    flat: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: Mapping[str, Any]) -> None:
        texts = {k: v for k, v in table.items() if k in LANGS}
        if texts:
            flat[prefix] = texts
        for key, value in table.items():
            if isinstance(value, dict):
                walk(f"{prefix}.{key}" if prefix else key, value)

    walk("", raw)
    return flat


def check_lang(lang: object) -> Lang:
    """``lang`` if it is a language casebook speaks; a clear error otherwise."""
    if lang not in LANGS:
        from .errors import ConfigError

        raise ConfigError(f"language: {lang!r} is not supported; use \"ko\" (한국어) or \"en\" (English)")
    return lang  # type: ignore[return-value]


def t(key: str, lang: str = "ko", /, **values: Any) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in (enums as labels, money as amounts).

    An unknown key raises ``KeyError``: tests catch it, a shopper never sees a raw key.
    """
    entry = catalogue()[key]
    text = entry.get(lang) or entry["en"]
    if not values and "{" not in text:
        return text
    return _Formatter(lang).vformat(text, (), values)


def enum_key(member: Enum) -> str:
    """``ProblemKind.NOT_RECEIVED`` -> ``enum.problem_kind.not_received``."""
    name = type(member).__name__
    snake = "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
    return f"enum.{snake}.{member.value}"


def label(member: Enum, lang: str = "ko") -> str:
    """The shopper-facing name of an enum member."""
    return t(enum_key(member), lang)


# -- money ----------------------------------------------------------------------------------------

_KO_UNITS = {"KRW": "원", "USD": "달러", "CNY": "위안", "JPY": "엔", "EUR": "유로", "HKD": "홍콩달러", "GBP": "파운드"}


def money(amount: Decimal, currency: str, lang: str = "ko") -> str:
    """``38,500원`` / ``12.50달러`` in Korean; ``KRW 38,500`` / ``USD 12.50`` in English."""
    from .currencies import ZERO_DECIMAL

    places = 0 if currency in ZERO_DECIMAL else 2
    number = f"{amount:,.{places}f}"
    if lang == "ko":
        unit = _KO_UNITS.get(currency)
        return f"{number}{unit}" if unit else f"{number} {currency}"
    return f"{currency} {number}"


# -- Korean particles --------------------------------------------------------------------------------

# particle pairs: (after a final consonant, after a vowel)
_PAIRS = {
    "이/가": ("이", "가"), "은/는": ("은", "는"), "을/를": ("을", "를"), "과/와": ("과", "와"),
    "이나/나": ("이나", "나"), "이라/라": ("이라", "라"), "이에요/예요": ("이에요", "예요"), "아/야": ("아", "야"),
    "으로/로": ("으로", "로"),
}
# reading of a final digit: does it end in a consonant, and is that consonant ㄹ (일, 칠, 팔)?
_DIGIT_FINAL = {"0": (True, False), "1": (True, True), "2": (False, False), "3": (True, False), "4": (False, False),
                "5": (False, False), "6": (True, False), "7": (True, True), "8": (True, True), "9": (False, False)}
# English letter names as read in Korean (엘, 엠, 엔, 알 end in a consonant)
_LETTER_FINAL = {"L": (True, True), "M": (True, False), "N": (True, False), "R": (True, True)}
_TRAILING = " )]}\"'»›.,!?…·"


def _final_sound(word: str) -> tuple[bool, bool]:
    """(ends in a consonant, that consonant is ㄹ) for the last readable character of ``word``."""
    text = word.rstrip(_TRAILING)
    if not text:
        return False, False
    last = text[-1]
    code = ord(last) - 0xAC00
    if 0 <= code < 11172:
        final = code % 28
        return final != 0, final == 8
    if last.isdigit():
        return _DIGIT_FINAL.get(last, (False, False))
    if last.isalpha() and last.isascii():
        token = text.split()[-1] if text.split() else text
        if token.isupper():  # an acronym: read letter by letter (DHL -> 디에이치엘)
            return _LETTER_FINAL.get(last, (False, False))
        lower = token.lower()
        if lower.endswith(("ng", "m", "n")):
            return True, False
        if lower.endswith("l"):
            return True, True
        return False, False
    return False, False


def particle(word: str, pair: str) -> str:
    """The form of ``pair`` (e.g. ``"을/를"``) that follows ``word``."""
    consonant_form, vowel_form = _PAIRS[pair]
    consonant, rieul = _final_sound(word)
    if pair == "으로/로":
        return consonant_form if consonant and not rieul else vowel_form
    return consonant_form if consonant else vowel_form


class _Formatter(string.Formatter):
    """``str.format`` that shows enums as labels, money as amounts and picks Korean particles."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        shown = self._show(value)
        if format_spec in _PAIRS:
            return shown + particle(shown, format_spec)
        return format(shown, format_spec) if format_spec else shown

    def _show(self, value: Any) -> str:
        if isinstance(value, Enum):
            return label(value, self.lang)
        if hasattr(value, "amount") and hasattr(value, "currency"):
            return money(value.amount, value.currency, self.lang)
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M %Z").strip()
        if isinstance(value, date):
            return value.isoformat()
        return str(value)


class Text:
    """A catalogue key with its values, rendered in either language when shown.

    Results (checks, steps, flags) keep ``Text`` rather than finished strings,
    so one result can be shown in Korean and English and tests can see which
    message was chosen (``.key``). Values may be ``Text`` themselves, or lists
    of them (joined with commas).
    """

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: Any) -> None:
        self.key = key
        self.values = values

    def __call__(self, lang: str = "ko") -> str:
        shown = {name: _render_value(value, lang) for name, value in self.values.items()}
        return t(self.key, lang, **shown)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self) -> int:
        return hash(self.key)

    def both(self) -> dict[str, str]:
        return {lang: self(lang) for lang in LANGS}


def _render_value(value: Any, lang: str) -> Any:
    if isinstance(value, Text):
        return value(lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(_Formatter(lang)._show(_render_value(v, lang)) for v in value)
    return value
