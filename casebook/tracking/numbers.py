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
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from ..errors import TrackingNumberError
from .registry import Pattern, Registry, default_registry

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


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a number is not valid, in both languages, with the details."""

    code: Reason
    message: str
    message_ko: str
    expected: str | None = None
    got: str | None = None

    def text(self, lang: str = "en") -> str:
        return self.message_ko if lang == "ko" else self.message


@dataclass(frozen=True, slots=True)
class Candidate:
    """One carrier the number could belong to."""

    carrier: str
    name: str
    name_ko: str
    pattern: str
    confidence: float
    valid: bool
    checksum: bool | None  # None: this format has no check digit
    expected_check_digit: str | None
    parts: dict[str, str]
    urls: dict[str, str]


@dataclass(frozen=True)
class TrackingNumber:
    """The result of ``parse``: normalised number, ranked carriers, validity, links."""

    input: str
    number: str
    candidates: tuple[Candidate, ...]
    reason: Problem | None = None
    _registry: Registry | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return self.reason is None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def carrier(self) -> str | None:
        best = self.best
        return best.carrier if best is not None and best.valid else None

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

    @cached_property
    def suggestions(self) -> list[str]:
        """Likely intended numbers, best first; empty for a valid number."""
        if self.valid:
            return []
        return suggest(self, registry=self._registry)

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
        if self.valid and self.best is not None:
            best = self.best
            name = best.name_ko if lang == "ko" else best.name
            check = {True: "check digit ok", False: "check digit wrong", None: "no check digit"}[best.checksum]
            if lang == "ko":
                check = {True: "검증번호 일치", False: "검증번호 불일치", None: "검증번호 없음"}[best.checksum]
            return f"{self.number}  OK  {name} ({best.carrier}, {check})"
        assert self.reason is not None
        line = f"{self.number or self.input!r}  INVALID  {self.reason.text(lang)}"
        if self.suggestions:
            label = "혹시" if lang == "ko" else "did you mean"
            line += f"  {label}: {', '.join(self.suggestions[:3])}"
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

def _digit_value(ch: str) -> int:
    return ord(ch) - 48 if "0" <= ch <= "9" else (ord(ch) - 3) % 10


def check_digit(serial: str, spec: dict[str, Any]) -> str | None:
    """The check digit ``serial`` should carry under ``spec``; None if no checksum."""
    name = spec.get("name", "none")
    if name == "s10":
        total = sum(int(d) * w for d, w in zip(serial, spec["weightings"]))
        remainder = total % spec.get("modulo", 11)
        return "0" if remainder == 1 else "5" if remainder == 0 else str(11 - remainder)
    if name == "mod10":
        values = [_digit_value(ch) for ch in serial]
        if spec.get("reverse"):
            values.reverse()
        first, second = spec.get("first_multiplier", 1), spec.get("second_multiplier", 1)
        total = sum(v * (first if i % 2 == 0 else second) for i, v in enumerate(values))
        return str((10 - total % 10) % 10)
    if name == "sum_product":
        total = sum(int(d) * w for d, w in zip(serial, spec["weightings"]))
        return str(total % spec["modulo1"] % spec["modulo2"])
    if name == "mod7":
        return str(int(serial) % 7)
    return None


# -- parse ---------------------------------------------------------------------

def _match(pattern: Pattern, number: str, registry: Registry) -> Candidate | None:
    m = pattern.regex.match(number)
    if m is None:
        return None
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    carrier = registry.carriers[pattern.carrier_key]
    checksum: bool | None = None
    expected: str | None = None
    valid = True
    if pattern.has_checksum:
        serial = groups.get("SerialNumber", "")
        if pattern.prepend_if_not is not None:
            regex, content = pattern.prepend_if_not
            if not regex.match(serial):
                serial = content + serial
        expected = check_digit(serial, pattern.checksum)
        checksum = expected == groups.get("CheckDigit")
        valid = checksum
    parts: dict[str, str] = {}
    name, name_ko = carrier.name_en, carrier.name_ko
    urls: dict[str, str] = {}
    if pattern.country_group:
        country = groups.get(pattern.country_group, "")
        if country not in registry.countries:
            return Candidate(carrier.key, name, name_ko, pattern.name, pattern.confidence * 0.5, False, checksum,
                             expected, {"country_code": country}, {})
        service = groups.get("ServiceType", "")
        service_names = registry.s10_services.get(service[:1])
        parts["service_code"] = service
        if service_names:
            parts["service"], parts["service_ko"] = service_names
        parts["country_code"] = country
        parts["country"] = registry.countries[country]
        operator = registry.s10_operators.get(country)
        parts["operator"] = operator[0] if operator else f"{registry.countries[country]} postal service"
        if operator:
            parts["operator_ko"] = operator[1]
            if operator[2] is not None:
                parts["seventeentrack_code"] = str(operator[2])
        name = f"{parts['operator']} ({service_names[0] if service_names else 'S10'})"
        name_ko = f"{operator[1] if operator else parts['operator']} ({service_names[1] if service_names else 'S10'})"
    if carrier.url:
        urls[carrier.key] = carrier.url.format(number=number)
    urls["17track"] = registry.seventeentrack_url.format(number=number)
    confidence = pattern.confidence
    if checksum:
        confidence = min(0.99, confidence + 0.09)
    return Candidate(carrier.key, name, name_ko, pattern.name, round(confidence, 2), valid, checksum, expected, parts, urls)


def parse(text: str, *, registry: Registry | None = None, prefer_korean: bool = False) -> TrackingNumber:
    """Normalise ``text`` and tell which carrier(s) the number belongs to.

    ``prefer_korean`` ranks Korean domestic carriers first among equally
    plausible digit-only matches (use it for the domestic-number field).
    """
    if not isinstance(text, str):
        raise TrackingNumberError(f"tracking number must be text, got {type(text).__name__}")
    registry = registry or default_registry()
    number = normalise(text)
    if not number:
        return _invalid(text, "", Reason.EMPTY, "nothing to check: the number is empty", "번호가 비어 있습니다", registry)
    if not _ALNUM_ASCII.match(number):
        bad = "".join(sorted({ch for ch in number if not ("0" <= ch <= "9" or "A" <= ch <= "Z")}))[:10]
        return _invalid(text, number, Reason.BAD_CHARACTERS,
                        f"only letters A-Z and digits belong in a tracking number; found {bad!r}",
                        f"운송장 번호에는 영문과 숫자만 들어갑니다; {bad!r} 이(가) 있습니다", registry, got=bad)
    length = len(number)
    if length < registry.min_length:
        return _invalid(text, number, Reason.TOO_SHORT,
                        f"too short: {length} characters; tracking numbers have {registry.min_length} to {registry.max_length}",
                        f"너무 짧습니다: {length}자 (운송장 번호는 {registry.min_length}~{registry.max_length}자)", registry)
    if length > registry.max_length:
        return _invalid(text, number, Reason.TOO_LONG,
                        f"too long: {length} characters; tracking numbers have {registry.min_length} to {registry.max_length}",
                        f"너무 깁니다: {length}자 (운송장 번호는 {registry.min_length}~{registry.max_length}자)", registry)
    found = []
    for pattern in registry.by_length.get(length, ()):
        candidate = _match(pattern, number, registry)
        if candidate is not None:
            found.append(candidate)
    if prefer_korean:
        found = [
            _boost(c, 0.3) if registry.carriers[c.carrier].korean else c for c in found
        ]
    found.sort(key=lambda c: (not c.valid, -c.confidence))
    candidates = tuple(found)
    if candidates and candidates[0].valid:
        return TrackingNumber(text, number, candidates, None, registry)
    if candidates:
        wrong = next((c for c in candidates if c.checksum is False), None)
        if wrong is not None:
            got = number[-3] if wrong.carrier in ("un.upu.s10", "cn.yanwen") else _check_char(number, wrong)
            return TrackingNumber(text, number, candidates, Problem(
                Reason.CHECKSUM_MISMATCH,
                f"check digit does not match for {wrong.name}: expected {wrong.expected_check_digit}, found {got}",
                f"{wrong.name_ko} 검증번호가 맞지 않습니다: {wrong.expected_check_digit} 이어야 하는데 {got} 입니다",
                expected=wrong.expected_check_digit, got=got), registry)
        bad_country = candidates[0].parts.get("country_code", "")
        return TrackingNumber(text, number, candidates, Problem(
            Reason.UNKNOWN_COUNTRY,
            f"{bad_country!r} is not a country code; an international postal number ends with one (e.g. CN, KR)",
            f"{bad_country!r} 는 국가 코드가 아닙니다; 국제우편 번호는 국가 코드(CN, KR 등)로 끝납니다",
            got=bad_country), registry)
    return _invalid(text, number, Reason.UNKNOWN_PATTERN,
                    "no known carrier uses this format; check for a typo or ask the seller for the number",
                    "알려진 택배사 형식이 아닙니다; 오타를 확인하거나 판매자에게 번호를 요청하세요", registry)


def _boost(candidate: Candidate, amount: float) -> Candidate:
    from dataclasses import replace

    return replace(candidate, confidence=round(min(0.99, candidate.confidence + amount), 2))


def _check_char(number: str, candidate: Candidate) -> str:
    # For every non-S10 checksummed format in the registry the check digit is last,
    # except FedEx ASTRA (32), where four digits follow it.
    return number[-5] if candidate.pattern == "FedEx ASTRA (32)" else number[-1]


def _invalid(text: str, number: str, code: Reason, message: str, message_ko: str, registry: Registry,
             got: str | None = None) -> TrackingNumber:
    return TrackingNumber(text, number, (), Problem(code, message, message_ko, got=got), registry)


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
        if c.checksum is False and c.expected_check_digit is not None:
            if c.carrier in ("un.upu.s10", "cn.yanwen"):
                add(number[:-3] + c.expected_check_digit + number[-2:], need_checksum=True)
            elif c.pattern == "FedEx ASTRA (32)":
                add(number[:-5] + c.expected_check_digit + number[-4:], need_checksum=True)
            else:
                add(number[:-1] + c.expected_check_digit, need_checksum=True)
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


@dataclass(frozen=True, slots=True)
class Found:
    """A tracking number found in free text."""

    number: str
    parsed: TrackingNumber
    start: int
    end: int
    line: str


def extract(text: str, *, registry: Registry | None = None) -> list[Found]:
    """Every tracking number in pasted text (order page, e-mail, chat), in order.

    Letter-bearing formats (RA…CN, LP…, YT…, 1Z…) are taken anywhere. A
    digits-only number is taken only when its line (or the line before) speaks
    of tracking (운송장, 송장, tracking, waybill …) and not of an order id or a
    phone number, because AliExpress order ids (15-16+ digits) and Korean
    phone numbers look like digits-only tracking numbers.
    """
    registry = registry or default_registry()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    lines = text.splitlines(keepends=True)
    results: list[Found] = []
    seen: set[str] = set()
    offset = 0
    previous = ""
    for line in lines:
        for m in _TOKEN.finditer(line):
            for start, end, raw in _windows(line, m):
                number = normalise(raw)
                if len(number) < registry.min_length or len(number) > registry.max_length or number in seen:
                    continue
                parsed = parse(number, registry=registry)
                if not parsed.valid or not _plausible(parsed, line[:start], previous, registry):
                    continue
                seen.add(number)
                results.append(Found(number, parsed, offset + start, offset + end, line.strip()))
                break
        previous = line
        offset += len(line)
    return results


def _windows(line: str, m: re.Match[str]) -> list[tuple[int, int, str]]:
    """The token run and its pieces: whole run first, then single words, then joins."""
    start = m.start()
    pieces = [(p.start() + start, p.end() + start) for p in re.finditer(r"[0-9A-Za-z]+", m.group())]
    spans: list[tuple[int, int]] = []
    # widest joins first (a number written in groups), then shorter ones
    for width in range(len(pieces), 0, -1):
        for i in range(0, len(pieces) - width + 1):
            spans.append((pieces[i][0], pieces[i + width - 1][1]))
    # keep spans that do not overlap one already accepted is handled by `seen` + break per token
    return [(a, b, line[a:b]) for a, b in spans if b - a <= 60]


def _plausible(parsed: TrackingNumber, before: str, previous_line: str, registry: Registry) -> bool:
    best = parsed.best
    assert best is not None
    pattern_digits_only = parsed.number.isdigit()
    if not pattern_digits_only:
        return True
    if _KR_PHONE.match(parsed.number):
        return False
    context = before[-60:]
    if _PHONE_WORDS.search(context) or _ORDER_WORDS.search(context):
        return False
    if _TRACK_WORDS.search(context):
        return True
    # the label may sit on the line above ("운송장번호\n123456789012")
    return bool(_TRACK_WORDS.search(previous_line)) and not _ORDER_WORDS.search(previous_line) and not before.strip()
