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

__all__ = ["Lang", "LANGS", "Text", "t", "label", "money", "particle", "plural", "aside", "without_label", "catalogue", "check_lang",
           "enum_key"]

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


# words a caption may use to name what a file is, besides the words of its kind's label
_PICTURE_WORDS = {"page", "photo", "picture", "screenshot", "screen", "capture", "video", "image", "shot", "scan",
                  "사진", "캡처", "화면", "페이지", "영상", "동영상", "이미지", "스크린샷"}


def without_label(text: str, member: Enum) -> str:
    """``text`` without a leading ``name:`` that only repeats ``member``'s label (in either language).

    A caption is shown after its kind's label (``Order page screenshot: …``), so a caption
    written ``Order page: item and amount paid`` (or ``상품 페이지: 100% 린넨``) would say the
    label twice; it is shown as ``item and amount paid``. A prefix with any other word
    (``Order 2: second box``) is the shopper's own and stays.
    """
    import re

    head, colon, rest = text.partition(":")
    if not colon or not rest.strip() or len(head) > 40 or rest.startswith("//"):
        return text
    words = re.findall(r"\w+", head.casefold())
    named = {word for lang in LANGS for word in re.findall(r"\w+", label(member, lang).casefold())}
    if words and any(word in named for word in words) and all(word in named or word in _PICTURE_WORDS for word in words):
        return rest.strip()
    return text


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


# -- asides ----------------------------------------------------------------------------------------------

def aside(text: str, note: str | None) -> str:
    """``text (note)``, with no parenthesis inside another: the note's own brackets become commas.

    ``aside("LP00068434402473", "Cainiao (AliExpress Standard Shipping)")`` ->
    ``LP00068434402473 (Cainiao, AliExpress Standard Shipping)``. An empty note, or one that says
    what ``text`` already says, adds nothing (``aside("Cainiao", "Cainiao (AliExpress Standard)")`` is
    ``Cainiao (AliExpress Standard)``).
    """
    import re

    note = (note or "").strip()
    if not note:
        return text
    while True:
        flat = re.sub(r"\s*[(\[]([^()\[\]]*)[)\]]", lambda m: f", {m.group(1).strip()}" if m.group(1).strip() else "", note)
        if flat == note:
            break
        note = flat
    note = re.sub(r"(?:,\s*)+", ", ", note).strip(" ,")
    said = text.strip().casefold()
    if note.casefold().startswith(said + ", "):  # "Cainiao (Cainiao, AliExpress Standard)": say it once
        note = note[len(said) + 2:]
    if not note or note.casefold() == said:
        return text
    return f"{text} ({note})"


# -- Korean particles --------------------------------------------------------------------------------

# particle pairs: (after a final consonant, after a vowel); either order may be written ({x:와/과} = {x:과/와})
_PAIR_FORMS = [
    ("이", "가"), ("은", "는"), ("을", "를"), ("과", "와"), ("이나", "나"), ("이라", "라"), ("이에요", "예요"),
    ("아", "야"), ("으로", "로"), ("이어야", "여야"), ("이었", "였"), ("이고", "고"), ("이며", "며"), ("이랑", "랑"),
]
_PAIRS = {f"{a}/{b}": (a, b) for a, b in _PAIR_FORMS} | {f"{b}/{a}": (a, b) for a, b in _PAIR_FORMS}
# reading of a final digit: does it end in a consonant, and is that consonant ㄹ?
# 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구; a number ending in 0 is read 십, 백, 천, 만 or 영,
# all ending in a consonant that is not ㄹ, so the last digit decides (10을, 2를, 1로, 6으로, 6이어야)
_DIGIT_FINAL = {"0": (True, False), "1": (True, True), "2": (False, False), "3": (True, False), "4": (False, False),
                "5": (False, False), "6": (True, False), "7": (True, True), "8": (True, True), "9": (False, False)}
# English letter names as read in Korean: only 엘 (L), 엠 (M), 엔 (N) and 알 (R) end in a consonant
_LETTER_FINAL = {"L": (True, True), "M": (True, False), "N": (True, False), "R": (True, True)}
# file extensions said as a word rather than letter by letter
_WORD_EXTENSIONS = {"zip": (True, False), "json": (True, False), "jpeg": (True, False), "yaml": (True, True)}
_CLOSING = {")": "(", "]": "[", "}": "{", "）": "（", "」": "「", "』": "『"}
_TRAILING = " \"'»›.,!?…·:;“”‘’"
_VOWELS = set("aeiouy")


def _strip_brackets(text: str) -> str:
    """The word a particle attaches to: a closing parenthetical is skipped (``배송일(또는 보장 일수)`` -> ``배송일``)."""
    text = text.rstrip(_TRAILING)
    while text and text[-1] in _CLOSING:
        close, opening, depth = text[-1], _CLOSING[text[-1]], 0
        for index in range(len(text) - 1, -1, -1):
            depth += (text[index] == close) - (text[index] == opening)
            if depth == 0:
                break
        else:
            return text.rstrip(close).rstrip(_TRAILING)  # unbalanced: read what is inside
        head = text[:index].rstrip(_TRAILING)
        text = head if head else text[index + 1:-1].rstrip(_TRAILING)
    return text


def _latin_final(token: str) -> tuple[bool, bool]:
    """How a Latin word, acronym or file name ends when read aloud in Korean.

    * file extensions and acronyms are read letter by letter, by the letters' English names
      (``random.png`` 피엔지 -> 는, ``DHL`` 디에이치엘 -> 이, ``UPS`` 유피에스 -> 가); an acronym is a
      word in capitals of at most 4 letters, or any word without a vowel letter (``png``, ``CN``);
      a few extensions are said as words (``zip`` 집, ``json`` 제이슨, ``jpeg`` 제이펙);
    * other words by how loanwords are written in Hangul: -m, -n, -ng, -ne, -me end in a consonant
      (``Amazon`` 아마존, ``iPhone`` 아이폰), -l and -le in ㄹ (``PayPal`` 페이팔, ``file`` 파일), and
      -ck or a single vowel then -k, -p, -t in a 받침 (``book`` 북, ``chat`` 챗, ``track`` 트랙);
      everything else in a vowel (``AliExpress`` 익스프레스, ``card`` 카드, ``order`` 오더).
    """
    import re

    stem, dot, extension = token.rpartition(".")
    if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,5}", extension) and re.search(r"[A-Za-z]", extension):
        lower = extension.lower()
        if lower in _WORD_EXTENSIONS:
            return _WORD_EXTENSIONS[lower]
        last = extension[-1]
        return _DIGIT_FINAL[last] if last.isdigit() else _LETTER_FINAL.get(last.upper(), (False, False))
    letters = re.search(r"[A-Za-z]+$", token)
    word = letters.group() if letters else token
    lower = word.lower()
    if (word.isupper() and len(word) <= 4) or not _VOWELS & set(lower):
        return _LETTER_FINAL.get(word[-1].upper(), (False, False))
    if lower.endswith(("m", "n", "ng", "ne", "me")):
        return True, False
    if lower.endswith(("l", "le")):
        return True, True
    if lower.endswith("ck") or re.search(r"(?:^|[^aeiou])(?:[aeiu]|o{1,2})[kpt]$", lower):
        return True, False
    return False, False


def _final_sound(word: str) -> tuple[bool, bool]:
    """(ends in a consonant, that consonant is ㄹ) for the word a particle follows, as read in Korean.

    Hangul by its last syllable's 받침; digits by their Korean reading; Latin letters as
    ``_latin_final`` reads them; a closing parenthetical is skipped (the particle follows the
    word before it); quotes and final punctuation are ignored.
    """
    text = _strip_brackets(word)
    if not text:
        return False, False
    last = text[-1]
    code = ord(last) - 0xAC00
    if 0 <= code < 11172:
        final = code % 28
        return final != 0, final == 8
    if last.isascii() and last.isdigit():
        return _DIGIT_FINAL[last]
    if last.isascii() and last.isalpha():
        return _latin_final(text.split()[-1])
    return False, False


def particle(word: str, pair: str) -> str:
    """The form of ``pair`` (e.g. ``"을/를"``) that follows ``word``."""
    consonant_form, vowel_form = _PAIRS[pair]
    consonant, rieul = _final_sound(word)
    if consonant_form == "으로":
        return consonant_form if consonant and not rieul else vowel_form
    return consonant_form if consonant else vowel_form


# -- counts ----------------------------------------------------------------------------------------------

def plural(count: Any, forms: str) -> str:
    """``forms`` is ``"one|other"`` with ``#`` for the number: ``plural(1, "# day|# days")`` -> ``1 day``.

    English counts: exactly 1 takes the first form, every other number (0, 2, 1.5) the second.
    In a catalogue text this is ``{days:# day|# days}``.
    """
    one, _, other = forms.partition("|")
    try:
        single = Decimal(str(count).replace(",", "")) in (1, -1)
    except ArithmeticError:
        single = False
    return (one if single else other).replace("#", str(count))


class _Formatter(string.Formatter):
    """``str.format`` that shows enums as labels, money as amounts and picks Korean particles."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        shown = self._show(value)
        if format_spec in _PAIRS:
            return shown + particle(shown, format_spec)
        if "|" in format_spec:
            return plural(shown, format_spec)
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
