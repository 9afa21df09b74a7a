"""Recognise, validate, correct and extract tracking numbers, offline.

A shopper pastes a number from an order page, an e-mail or a chat: with
spaces, dashes, lower case, full-width digits (１２３) or a typo. ``parse``
says at once whether it is a real number, whose it is, where to follow it
and, if it is wrong, what was probably meant. It never returns ``None`` and
never raises anything but ``TrackingNumberError`` (for non-text input).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..errors import TrackingNumberError
from ..i18n import aside
from .registry import Pattern, Registry, default_registry, make_checker

__all__ = [
    "Reason",
    "Problem",
    "Candidate",
    "TrackingNumber",
    "Found",
    "normalise",
    "parse",
    "suggest",
    "extract",
    "check_digit",
    "MAX_EXTRACT_CHARS",
]

# Characters a pasted number may carry that are not part of it.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d_"
_DROP = {ord(c): None for c in _ZERO_WIDTH + _DASHES + " \t\r\n\u3000\u00a0"}
_ALNUM_ASCII = re.compile(r"^[0-9A-Z]+$")


class Reason(StrEnum):
    EMPTY = "empty"
    BAD_CHARACTERS = "bad_characters"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    UNKNOWN_COUNTRY = "unknown_country"
    UNKNOWN_PATTERN = "unknown_pattern"


class Problem:
    """Why a number is not valid, in both languages, with the details.

    Messages are rendered on first use: batch validation of many bad numbers
    should not pay for text nobody reads.
    """

    __slots__ = ("code", "expected", "got", "_render", "_text")

    def __init__(self, code: Reason, render: Any, *, expected: str | None = None, got: str | None = None) -> None:
        self.code = code
        self.expected = expected
        self.got = got
        self._render = render  # () -> (english, korean)
        self._text: tuple[str, str] | None = None

    def _texts(self) -> tuple[str, str]:
        if self._text is None:
            self._text = self._render()
        return self._text

    @property
    def message(self) -> str:
        return self._texts()[0]

    @property
    def message_ko(self) -> str:
        return self._texts()[1]

    def text(self, lang: str = "en") -> str:
        return self.message_ko if lang == "ko" else self.message

    def __repr__(self) -> str:
        return f"Problem({self.code.value!r}, {self.message!r})"


class Candidate:
    """One carrier the number could belong to; links and decoded parts are built on demand."""

    __slots__ = ("_pattern", "_registry", "_match", "number", "confidence", "valid", "checksum",
                 "expected_check_digit", "_parts")

    def __init__(self, pattern: Pattern, registry: Registry, match: re.Match[str], number: str, confidence: float,
                 valid: bool, checksum: bool | None, expected: str | None) -> None:
        self._pattern = pattern
        self._registry = registry
        self._match = match
        self.number = number
        self.confidence = confidence
        self.valid = valid
        self.checksum = checksum  # None: this format has no check digit
        self.expected_check_digit = expected
        self._parts: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"Candidate({self.carrier!r}, {self.pattern!r}, valid={self.valid}, confidence={self.confidence})"

    @property
    def carrier(self) -> str:
        return self._pattern.carrier_key

    @property
    def pattern(self) -> str:
        return self._pattern.name

    def with_expected_check_digit(self) -> str | None:
        """The number with its check digit replaced by the expected one."""
        if self.expected_check_digit is None:
            return None
        start, end = self._match.span("CheckDigit")
        return self.number[:start] + self.expected_check_digit + self.number[end:]

    @property
    def found_check_digit(self) -> str | None:
        return self._match.group("CheckDigit") if self.checksum is not None else None

    @property
    def parts(self) -> dict[str, str]:
        if self._parts is None:
            self._parts = _decode(self._pattern, self._match, self._registry)
        return self._parts

    @property
    def name(self) -> str:
        parts = self.parts
        if "operator" in parts:
            return aside(parts["operator"], parts.get("service", "S10"))
        return self._registry.carriers[self.carrier].name_en

    @property
    def name_ko(self) -> str:
        parts = self.parts
        if "operator" in parts:
            return aside(parts.get("operator_ko", parts["operator"]), parts.get("service_ko", "S10"))
        return self._registry.carriers[self.carrier].name_ko

    @property
    def urls(self) -> dict[str, str]:
        carrier = self._registry.carriers[self.carrier]
        urls = {carrier.key: carrier.url.format(number=self.number)} if carrier.url else {}
        urls["17track"] = self._registry.seventeentrack_url.format(number=self.number)
        return urls



def _decode(pattern: Pattern, match: re.Match[str], registry: Registry) -> dict[str, str]:
    """Human-readable parts of a matched number (S10 service, country, operator)."""
    if not pattern.country_group:
        return {}
    country = match.group(pattern.country_group)
    parts: dict[str, str] = {"country_code": country}
    if country not in registry.countries:
        return parts
    service = match.group("ServiceType")
    parts["service_code"] = service
    names = registry.s10_services.get(service[:1])
    if names:
        parts["service"], parts["service_ko"] = names
    parts["country"] = registry.countries[country]
    operator = registry.s10_operators.get(country)
    parts["operator"] = operator[0] if operator else f"{registry.countries[country]} postal service"
    if operator:
        parts["operator_ko"] = operator[1]
        if operator[2] is not None:
            parts["seventeentrack_code"] = str(operator[2])
    return parts


class TrackingNumber:
    """The result of ``parse``: normalised number, ranked carriers, validity, links."""

    _candidates: tuple[Candidate, ...] | None = None
    _suggestions: list[str] | None = None

    def __init__(self, input: str, number: str, raw: list[_Raw], reason: Problem | None = None,
                 registry: Registry | None = None) -> None:
        self.input = input
        self.number = number
        self._raw = raw
        self.reason = reason
        self._registry = registry

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """Carriers the number could belong to: valid ones first, most likely first."""
        if self._candidates is None:
            registry = self._registry or default_registry()
            self._candidates = tuple(_candidate(raw, self.number, registry) for raw in self._raw)
        return self._candidates

    def __repr__(self) -> str:
        state = "valid" if self.valid else f"invalid: {self.reason.code.value if self.reason else '?'}"
        return f"TrackingNumber({self.number!r}, {self.carrier or '-'}, {state})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TrackingNumber) and (self.input, self.number) == (other.input, other.number)

    __hash__ = None  # type: ignore[assignment]

    @property
    def valid(self) -> bool:
        return self.reason is None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self._raw else None

    @property
    def carrier(self) -> str | None:
        return self._raw[0][3].carrier_key if self._raw and self._raw[0][0] == 0 else None

    @property
    def carriers(self) -> list[str]:
        return [c.carrier for c in self.candidates if c.valid]

    @property
    def checksum_ok(self) -> bool | None:
        best = self.best
        return best.checksum if best is not None else None

    @property
    def urls(self) -> dict[str, str]:
        best = self.best
        if best is not None and best.valid:
            return best.urls
        registry = self._registry or default_registry()
        return {"17track": registry.seventeentrack_url.format(number=self.number)} if self.number else {}

    @property
    def parts(self) -> dict[str, str]:
        best = self.best
        return best.parts if best is not None else {}

    @property
    def suggestions(self) -> list[str]:
        """Likely intended numbers, best first; empty for a valid number (computed once, on demand)."""
        if self._suggestions is None:
            self._suggestions = [] if self.valid else suggest(self, registry=self._registry)
        return self._suggestions

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "number": self.number,
            "valid": self.valid,
            "carrier": self.carrier,
            "carriers": [
                {"key": c.carrier, "name": c.name, "name_ko": c.name_ko, "pattern": c.pattern,
                 "confidence": c.confidence, "valid": c.valid, "checksum": c.checksum}
                for c in self.candidates
            ],
            "checksum": self.checksum_ok,
            "parts": self.parts,
            "reason": None if self.reason is None else {
                "code": self.reason.code.value, "message": self.reason.message, "message_ko": self.reason.message_ko,
                "expected": self.reason.expected, "got": self.reason.got,
            },
            "suggestions": self.suggestions,
            "urls": self.urls,
        }

    def summary(self, lang: str = "en") -> str:
        """One line for terminals and notebook text output."""
        from ..i18n import t

        if self.valid and self.best is not None:
            best = self.best
            name = best.name_ko if lang == "ko" else best.name
            check = t({True: "number.check_ok", False: "number.check_wrong", None: "number.check_none"}[best.checksum], lang)
            return f"{self.number}  {t('number.ok', lang)}  {name} · {check}"
        assert self.reason is not None
        line = f"{self.number or self.input!r}  {t('number.invalid', lang)}  {self.reason.text(lang)}"
        if self.suggestions:
            line += f"  {t('number.did_you_mean', lang)}: {', '.join(self.suggestions[:3])}"
        return line

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        esc = html.escape
        if self.valid and self.best is not None:
            best = self.best
            status = "<b style='color:#1a7f37'>valid · 유효</b>"
            carrier = f"{esc(best.name)} / {esc(best.name_ko)} <code>{esc(best.carrier)}</code>"
            extra = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in best.parts.items())
        else:
            assert self.reason is not None
            status = f"<b style='color:#cf222e'>invalid · 오류</b>: {esc(self.reason.message)} / {esc(self.reason.message_ko)}"
            carrier = "—"
            extra = "".join(f"<li>did you mean · 혹시: <code>{esc(s)}</code></li>" for s in self.suggestions[:5])
        links = " · ".join(f"<a href='{esc(url)}' target='_blank' rel='noopener'>{esc(name)}</a>" for name, url in self.urls.items())
        return (
            f"<div class='casebook-tracking-number'><code style='font-size:1.1em'>{esc(self.number or self.input)}</code> "
            f"{status}<br>{carrier}<ul>{extra}</ul>{links}</div>"
        )


def normalise(text: str) -> str:
    """Upper-case, drop spaces/dashes/zero-width characters, fold full-width forms."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_DROP).upper()


# -- checksums -----------------------------------------------------------------

def check_digit(serial: str, spec: dict[str, Any]) -> str | None:
    """The check digit ``serial`` should carry under a checksum ``spec``; None if it has none."""
    checker = make_checker(spec)
    return checker(serial) if checker is not None else None


# -- parse ---------------------------------------------------------------------

def parse(
    text: str,
    *,
    registry: Registry | None = None,
    prefer_korean: bool = False,
    prefer: tuple[str, ...] = (),
) -> TrackingNumber:
    """Normalise ``text`` and tell which carrier(s) the number belongs to.

    ``prefer_korean`` ranks Korean domestic carriers first among equally
    plausible digit-only matches (use it for the domestic-number field);
    ``prefer`` ranks the named carrier keys first (e.g. the carrier the
    order page names).
    """
    if not isinstance(text, str):
        raise TrackingNumberError(f"tracking number must be text, got {type(text).__name__}")
    if registry is None:
        registry = default_registry()
    if text.isascii() and text.isalnum():  # the common case: nothing to clean
        number = text.upper()
    else:
        number = normalise(text)
        if not number:
            return _invalid(text, "", Reason.EMPTY, registry)
        if not (number.isascii() and number.isalnum()):
            return _invalid(text, number, Reason.BAD_CHARACTERS, registry, got=_bad_characters(number))
    length = len(number)
    if length < registry.min_length:
        return _invalid(text, number, Reason.TOO_SHORT, registry)
    if length > registry.max_length:
        return _invalid(text, number, Reason.TOO_LONG, registry)
    # Light tuples (rank, confidence, pattern, match, checksum, expected); Candidate objects are
    # built only when someone looks at them (see TrackingNumber.candidates).
    found: list[_Raw] = []
    countries = registry.countries
    last_match: Any = None
    m: re.Match[str] | None = None
    for match, pattern in registry.index.get((length, number[0], number.isdigit()), ()):
        if match is not last_match:  # carriers sharing one regex (CJ, Hanjin) match once
            m, last_match = match(number), match
        if m is None:
            continue
        checker = pattern.checker
        if checker is None:
            found.append((0, pattern.rank, len(found), pattern, m, None, None))
            continue
        serial = m.group("SerialNumber")
        prepend = pattern.prepend_if_not
        if prepend is not None and not prepend[0].match(serial):
            serial = prepend[1] + serial
        expected = checker(serial)
        ok = expected == m.group("CheckDigit")
        if pattern.country_group and m.group(pattern.country_group) not in countries:
            found.append((1, pattern.rank_bad_country, len(found), pattern, m, ok, expected))
        elif ok:
            found.append((0, pattern.rank_checked, len(found), pattern, m, True, expected))
        else:
            found.append((1, pattern.rank, len(found), pattern, m, False, expected))
    if prefer_korean or prefer:
        found = [_boosted(raw, prefer, prefer_korean, registry) for raw in found]
    if len(found) > 1:
        found.sort()
    if found and found[0][0] == 0:
        return TrackingNumber(text, number, found, None, registry)
    if found:
        wrong = next((raw for raw in found if raw[5] is False), None)
        if wrong is not None:
            return TrackingNumber(text, number, found, Problem(
                Reason.CHECKSUM_MISMATCH, lambda: _checksum_texts(wrong, number, registry),
                expected=wrong[6], got=wrong[4].group("CheckDigit")), registry)
        return TrackingNumber(text, number, found, Problem(
            Reason.UNKNOWN_COUNTRY, lambda: _MESSAGES[Reason.UNKNOWN_COUNTRY](number, registry),
            got=found[0][4].group(found[0][3].country_group or 0)), registry)
    return _invalid(text, number, Reason.UNKNOWN_PATTERN, registry)


def _both(key: str, **values: Any) -> tuple[str, str]:
    from ..i18n import t

    return t(key, "en", **values), t(key, "ko", **values)


def _checksum_texts(raw: _Raw, number: str, registry: Registry) -> tuple[str, str]:
    candidate = _candidate(raw, number, registry)
    expected, got = candidate.expected_check_digit, candidate.found_check_digit
    en, _ = _both("number.reason.checksum_mismatch", carrier=candidate.name, expected=expected, got=got)
    _, ko = _both("number.reason.checksum_mismatch", carrier=candidate.name_ko, expected=expected, got=got)
    return en, ko


def _bad_characters(number: str) -> str:
    return "".join(sorted({ch for ch in number if not ("0" <= ch <= "9" or "A" <= ch <= "Z")}))[:10]


def _country(number: str) -> str:
    return number[-2:]


_MESSAGES: dict[Reason, Any] = {
    Reason.EMPTY: lambda n, r: _both("number.reason.empty"),
    Reason.BAD_CHARACTERS: lambda n, r: _both("number.reason.bad_characters", found=repr(_bad_characters(n))),
    Reason.TOO_SHORT: lambda n, r: _both("number.reason.too_short", length=len(n), low=r.min_length, high=r.max_length),
    Reason.TOO_LONG: lambda n, r: _both("number.reason.too_long", length=len(n), low=r.min_length, high=r.max_length),
    Reason.UNKNOWN_COUNTRY: lambda n, r: _both("number.reason.unknown_country", country=repr(_country(n))),
    Reason.UNKNOWN_PATTERN: lambda n, r: _both("number.reason.unknown_pattern"),
}


_Raw = tuple[int, float, int, Pattern, "re.Match[str]", "bool | None", "str | None"]


def _boosted(raw: _Raw, prefer: tuple[str, ...], prefer_korean: bool, registry: Registry) -> _Raw:
    key = raw[3].carrier_key
    amount = 0.5 if key in prefer else 0.3 if prefer_korean and registry.carriers[key].korean else 0.0
    if not amount:
        return raw
    return (raw[0], -round(min(0.99, -raw[1] + amount), 2), *raw[2:])


def _candidate(raw: _Raw, number: str, registry: Registry) -> Candidate:
    rank, negative_confidence, _, pattern, m, checksum, expected = raw
    return Candidate(pattern, registry, m, number, -negative_confidence, rank == 0, checksum, expected)


def _invalid(text: str, number: str, code: Reason, registry: Registry, got: str | None = None) -> TrackingNumber:
    return TrackingNumber(text, number, [], Problem(code, lambda: _MESSAGES[code](number, registry), got=got), registry)


# -- suggestions ------------------------------------------------------------------

_CONFUSABLE = {"O": "0", "0": "O", "I": "1", "1": "I", "L": "1", "Z": "2", "S": "5", "B": "8", "Q": "0", "D": "0"}


def suggest(parsed: TrackingNumber | str, *, registry: Registry | None = None, limit: int = 8) -> list[str]:
    """Likely intended numbers for an invalid one, most likely first.

    Order: the corrected check digit; O/0 and I/1 style confusions; swapped
    neighbours; single-character typos, dropped or doubled characters. Edits
    are only offered when they produce a number whose check digit holds (or,
    for confusions, any valid number), so a format without a check digit does
    not drown the shopper in guesses.
    """
    registry = registry or default_registry()
    if isinstance(parsed, str):
        parsed = parse(parsed, registry=registry)
    number = parsed.number
    if parsed.valid or not number or not _ALNUM_ASCII.match(number):
        return []
    out: list[str] = []

    def add(candidate: str, *, need_checksum: bool) -> None:
        if candidate in out or candidate == number or len(out) >= limit:
            return
        result = parse(candidate, registry=registry)
        if result.valid and (not need_checksum or result.checksum_ok):
            out.append(candidate)

    # 1. the corrected check digit, for each format whose check digit failed
    for c in parsed.candidates:
        corrected = c.with_expected_check_digit() if c.checksum is False else None
        if corrected is not None:
            add(corrected, need_checksum=True)
    # 2. look-alike characters (O/0, I/1, ...)
    for i, ch in enumerate(number):
        if ch in _CONFUSABLE:
            add(number[:i] + _CONFUSABLE[ch] + number[i + 1 :], need_checksum=False)
    # 3. swapped neighbours
    for i in range(len(number) - 1):
        if number[i] != number[i + 1]:
            add(number[:i] + number[i + 1] + number[i] + number[i + 2 :], need_checksum=True)
    # 4. one wrong, missing or extra digit
    for i, ch in enumerate(number):
        if ch.isdigit():
            for d in "0123456789":
                if d != ch:
                    add(number[:i] + d + number[i + 1 :], need_checksum=True)
    if len(number) + 1 in registry.by_length:
        for i in range(len(number) + 1):
            for d in "0123456789":
                add(number[:i] + d + number[i:], need_checksum=True)
    if len(number) - 1 in registry.by_length:
        for i in range(len(number)):
            add(number[:i] + number[i + 1 :], need_checksum=True)
    return out


# -- extract ----------------------------------------------------------------------

_TRACK_WORDS = re.compile(
    r"운송장|송장|배송\s*조회|추적|tracking|track\s*(?:no|number|#)|waybill|awb|parcel\s*(?:no|number)|국내\s*번호|택배",
    re.IGNORECASE,
)
_ORDER_WORDS = re.compile(r"주문\s*번호|주문\s*id|order\s*(?:no|number|id|#)|订单", re.IGNORECASE)
_PHONE_WORDS = re.compile(r"전화|연락처|휴대폰|핸드폰|phone|tel\b|mobile|fax", re.IGNORECASE)
_TOKEN = re.compile(r"[0-9A-Za-z]+(?:[ \-][0-9A-Za-z]+)*")
_KR_PHONE = re.compile(r"^(?:01[016789]\d{7,8}|0[2-6]\d{7,9}|070\d{8}|15\d{6}|16\d{6}|18\d{6}|82\d{8,10})$")


_PIECE = re.compile(r"[0-9A-Za-z]+")
MAX_WINDOW = 60  # characters: a number with its spaces; the longest format has 41
MAX_JOIN_PIECES = 10  # "1Z 999 AA1 01 2345 6784" has 6
MAX_EXTRACT_CHARS = 200_000  # a pasted page or e-mail; more is refused, not searched


@dataclass(frozen=True, slots=True)
class Found:
    """A tracking number found in free text."""

    number: str
    parsed: TrackingNumber
    start: int
    end: int
    line: str


def extract(text: str, *, registry: Registry | None = None, max_chars: int | None = MAX_EXTRACT_CHARS) -> list[Found]:  # noqa: C901
    """Every tracking number in pasted text (order page, e-mail, chat), in order.

    Letter-bearing formats (RA…CN, LP…, YT…, 1Z…) are taken anywhere. A
    digits-only number is taken only when its line (or the line before) speaks
    of tracking (운송장, 송장, tracking, waybill …) and not of an order id or a
    phone number, because AliExpress order ids (15-16+ digits) and Korean
    phone numbers look like digits-only tracking numbers. A digit run shaped
    like a date or a timestamp (``2026112010``, ``[not_numbers]`` in
    carriers.toml) is never taken.

    Linear in the text: candidate windows are at most ``MAX_WINDOW`` characters
    wide and each distinct candidate is parsed once. Text above ``max_chars``
    is a ``TrackingNumberError``.
    """
    if not isinstance(text, str):
        raise TrackingNumberError(f"text to search must be text, got {type(text).__name__}")
    if max_chars is not None and len(text) > max_chars:
        raise TrackingNumberError(f"the text is {len(text):,} characters long; at most {max_chars:,} are searched for "
                                  "tracking numbers")
    registry = registry or default_registry()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    lines = text.splitlines(keepends=True)
    results: list[Found] = []
    seen: set[str] = set()
    offset = 0
    previous = ""
    for line in lines:
        named: tuple[str, ...] | None = None  # computed once per line, only when a candidate needs it
        tried: dict[str, TrackingNumber | None] = {}
        for m in _TOKEN.finditer(line):
            for start, end, raw in _windows(line, m, registry.min_length, registry.max_length):
                number = normalise(raw)
                if len(number) < registry.min_length or len(number) > registry.max_length or number in seen:
                    continue
                if registry.date_shaped(number):  # a timestamp on the page ("2026-11-20 10:30"), not a number
                    continue
                if named is None:
                    named = _named_carriers(previous + line, registry)
                if number not in tried:
                    parsed = parse(number, registry=registry, prefer=named)
                    tried[number] = parsed if parsed.valid else None
                parsed_or_none = tried[number]
                if parsed_or_none is None or not _plausible(parsed_or_none, line[:start], previous, named):
                    continue
                seen.add(number)
                results.append(Found(number, parsed_or_none, offset + start, offset + end, line.strip()))
                break
        previous = line
        offset += len(line)
    return results


def _named_carriers(context: str, registry: Registry) -> tuple[str, ...]:
    """Carrier keys whose name appears in the text around a number ("CJ대한통운 운송장 …")."""
    folded = context.casefold().replace(" ", "")
    found = []
    for key, carrier in registry.carriers.items():
        names = {carrier.name_ko.split(" ")[0], carrier.name_en.split(" (")[0], *carrier.aliases}
        if any(len(n) >= 2 and n.casefold().replace(" ", "") in folded for n in names):
            found.append(key)
    return tuple(found)


_JOINABLE = re.compile(r"^(?:[0-9]+|[A-Za-z]{1,3}|[A-Za-z]{1,4}[0-9]+|[0-9]+[A-Za-z]{1,3})$")


def _windows(line: str, m: re.Match[str], min_length: int = 1, max_length: int = MAX_WINDOW) -> list[tuple[int, int, str]]:
    """Spans to try in a run of words: widest joins first, then single words.

    Only number-like pieces are joined ("RR 3041 8275 2 CN"); a plain word
    never becomes part of a number. A join spans at most ``MAX_JOIN_PIECES``
    words and ``MAX_WINDOW`` characters, and only joins whose letters and
    digits could make a number (``min_length``..``max_length``) are kept, so a
    3 KB run of "1 1 1 …" costs a few thousand steps instead of every pair of
    words (which took 80 s).
    """
    start = m.start()
    pieces = [(p.start() + start, p.end() + start, p.group()) for p in _PIECE.finditer(m.group())]
    joinable = [bool(_JOINABLE.match(text)) for _, _, text in pieces]
    digits = [text.isdigit() for _, _, text in pieces]
    joins: list[tuple[int, int, int, int]] = []  # (-width, i, start, end)
    for i in range(len(pieces)):
        if not joinable[i]:
            continue
        has_digit, chars = digits[i], len(pieces[i][2])
        for j in range(i + 1, min(len(pieces), i + MAX_JOIN_PIECES)):
            if not joinable[j] or pieces[j][1] - pieces[i][0] > MAX_WINDOW:
                break
            has_digit = has_digit or digits[j]
            chars += len(pieces[j][2])
            if chars > max_length:
                break
            if has_digit and chars >= min_length:
                joins.append((-(j - i + 1), i, pieces[i][0], pieces[j][1]))
    joins.sort()
    spans = [(a, b) for _, _, a, b in joins]
    spans.extend((a, b) for a, b, text in pieces if min_length <= len(text) <= max_length)
    return [(a, b, line[a:b]) for a, b in spans if b - a <= MAX_WINDOW]


def _plausible(parsed: TrackingNumber, before: str, previous_line: str, named: tuple[str, ...]) -> bool:
    best = parsed.best
    assert best is not None
    if not parsed.number.isdigit():
        # letters make a number distinctive, but a weak letter pattern (DHL
        # e-commerce takes almost anything) still needs tracking context
        if best.confidence >= 0.5:
            return True
    if _KR_PHONE.match(parsed.number):
        return False
    context = before[-60:]
    if _PHONE_WORDS.search(context) or _ORDER_WORDS.search(context):
        return False
    if _TRACK_WORDS.search(context) or best.carrier in named:
        return True
    # the label may sit on the line above ("운송장번호\n123456789012")
    return bool(_TRACK_WORDS.search(previous_line)) and not _ORDER_WORDS.search(previous_line) and not before.strip()
