"""Masking the shopper's own details in everything exported.

By default the phone number, address and personal customs code
(개인통관고유부호, P + 12 digits) never leave the casebook unmasked: they are
replaced wherever they appear (messages, captions, notes, tracking text,
chart tooltips). ``mask_text`` is the one function every export goes
through (``Masker`` binds it to a shopper).

What is caught, whatever the spacing, dashes or line breaks:

* the shopper's own phone in any form (``010-2345-6789``, ``01023456789``,
  ``+82 10 2345 6789``, ``82 10…``, ``8210…``), and any Korean mobile number;
* the shopper's customs code and any ``P`` + 12 digits, grouped or not
  (``P987 654 321 098``, ``p-1234-5678-9012``);
* the shopper's address, also in parts: without its city, the road name and
  number (``월드컵북로 396``), the building and unit (``101동 1203호``); and
  any road-name address or ``동``/``호`` unit written out.

Every pattern has bounded repetition, so masking stays linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .models import Shopper

__all__ = ["Masker", "mask_text", "mask_customs_code", "mask_phone", "mask_address"]

_SEP = r"[\s.\-]{0,6}"  # what people put between digit groups (newlines included)
_ADDRESS_SEP = r"[\s,]{0,4}"

# P + 12 digits, grouped any way: P123456789012, P987 654 321 098, p-1234-5678-9012.
_PCODE = re.compile(r"(?<![A-Za-z0-9])[Pp][\s\-]{0,2}(?:\d[\s\-]{0,2}){11}\d(?!\d)")
# Korean mobile numbers: 010…, +82 10…, 82 10…, 8210… (a leading 0 or 82 is required, so that tracking
# numbers such as DHL's 1099255990 are never mistaken for phones).
_PHONE = re.compile(r"(?<![\d+])(?:\+?82" + _SEP + r"(?:\(0\))?0?1[016789]|01[016789])" + _SEP + r"\d{3,4}" + _SEP
                    + r"\d{4}(?!\d)")
# A road-name address's road and building number, and a 동/호 unit. A bare "…로 2" is too common in product
# names ("에어팟 프로 2") to mask on its own: the road needs a district before it (마포구 월드컵북로 396) or a
# road-only ending (세종대로 110, 테헤란로4길 12-3, 판교역로192번길 12).
_NUMBER = r"\s{0,2}\d{1,5}(?:-\d{1,5})?(?![\d가-힣])"
_ROAD = re.compile(r"[가-힣]{1,10}(?:시|구|군|읍|면)\s{1,3}[가-힣A-Za-z0-9]{1,20}(?:로|길)" + _NUMBER
                   + r"|[가-힣0-9]{1,20}(?:대로|\d{1,4}번?길)" + _NUMBER)
_UNIT = re.compile(r"(?<!\d)\d{1,4}\s{0,2}동\s{0,2}\d{1,5}\s{0,2}호")
_SENSITIVE_TOKEN = re.compile(r"\d|(?:로|길)$")
_UNIT_TOKEN = re.compile(r"^\d{1,5}(?:동|호|층|번지)$")
Replacement = str | Callable[[str], str]


def mask_customs_code(code: str) -> str:
    """``P123456789012`` -> ``P12*******012``."""
    digits = re.sub(r"[^0-9]", "", code)
    return f"P{digits[:2]}{'*' * 7}{digits[-3:]}" if len(digits) == 12 else "P" + "*" * 12


def mask_phone(phone: str) -> str:
    """``010-2345-6789`` (or ``+82 10 2345 6789``) -> ``010-****-6789``."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:].removeprefix("0")
    return f"{digits[:3]}-****-{digits[-4:]}" if len(digits) >= 8 else "***"


def mask_address(address: str) -> str:
    """Keep the city and district, hide the rest: ``서울특별시 마포구 ***``."""
    parts = address.split()
    return " ".join(parts[:2] + ["***"]) if len(parts) > 2 else "***"


def _flexible(tokens: list[str], sep: str) -> str:
    return sep.join(re.escape(t) for t in tokens)


@lru_cache(maxsize=64)
def _shopper_patterns(phone: str | None, address: str | None, customs_code: str | None) -> tuple[
        tuple[re.Pattern[str], Replacement], ...]:
    """(pattern, replacement text or function) for one shopper's own details, longest first."""
    found: list[tuple[int, re.Pattern[str], Replacement]] = []
    if address and address.strip():
        tokens = [t for t in re.split(r"[\s,]+", address.strip()) if t]
        whole = re.compile(_flexible(tokens, _ADDRESS_SEP) + r"(?!\d)", re.IGNORECASE)
        found.append((10_000, whole, mask_address(address)))
        for start in range(1, len(tokens)):  # without the city, without the district, ...
            tail = tokens[start:]
            if any(_SENSITIVE_TOKEN.search(t) for t in tail):
                found.append((len(" ".join(tail)), re.compile(_flexible(tail, _ADDRESS_SEP) + r"(?!\d)", re.IGNORECASE), "***"))
        for i, token in enumerate(tokens[:-1]):  # road name + building number
            if re.search(r"(?:로|길)$", token) or re.search(r"\d", token):
                pair = tokens[i: i + 2]
                found.append((len(" ".join(pair)), re.compile(_flexible(pair, _ADDRESS_SEP) + r"(?!\d)", re.IGNORECASE), "***"))
        for token in tokens:  # building and unit: 101동, 1203호
            if _UNIT_TOKEN.match(token):
                found.append((len(token), re.compile(r"(?<!\d)" + re.escape(token)), "***"))
    if phone:
        digits = re.sub(r"\D", "", phone)
        national = "0" + digits[2:].removeprefix("0") if digits.startswith("82") else digits
        if len(national) >= 8 and national.startswith("0"):
            rest = _SEP.join(national[1:])
            pattern = re.compile(r"(?<![\d+])(?:\+?82" + _SEP + r"(?:\(0\))?0?|0)" + _SEP + rest + r"(?!\d)")
            found.append((9_000, pattern, mask_phone))
    if customs_code:
        digits = re.sub(r"\D", "", customs_code)
        if len(digits) == 12:
            pattern = re.compile(r"(?<![A-Za-z0-9])(?:[Pp][\s\-]{0,2})?" + r"[\s\-]{0,2}".join(digits) + r"(?!\d)")
            found.append((9_500, pattern, mask_customs_code))
    found.sort(key=lambda item: -item[0])
    return tuple((pattern, replacement) for _, pattern, replacement in found)


def mask_text(text: str | None, shopper: Shopper | None = None) -> str:
    """``text`` with the shopper's private details (and any phone / customs code / address pattern) masked.

    The one masker for every exported string: messages, notes, captions,
    tracking events, report tables and chart tooltips.
    """
    if not text:
        return ""
    if shopper is not None:
        for pattern, replacement in _shopper_patterns(shopper.phone, shopper.address, shopper.customs_code):
            if isinstance(replacement, str):
                text = pattern.sub(lambda m, r=replacement: r, text)
            else:
                text = pattern.sub(lambda m, f=replacement: f(m.group()), text)
    text = _PCODE.sub(lambda m: mask_customs_code(m.group()), text)
    text = _PHONE.sub(lambda m: mask_phone(m.group()), text)
    text = _UNIT.sub("***", text)
    return _ROAD.sub("***", text)


@dataclass(frozen=True)
class Masker:
    """Replaces the shopper's private details in text; ``show_private=True`` turns it off."""

    shopper: Shopper
    show_private: bool = False

    def __call__(self, text: str | None) -> str:
        if text is None:
            return ""
        if self.show_private:
            return text
        return mask_text(text, self.shopper)

    def phone(self) -> str | None:
        return None if not self.shopper.phone else self.shopper.phone if self.show_private else mask_phone(self.shopper.phone)

    def address(self) -> str | None:
        return None if not self.shopper.address else self.shopper.address if self.show_private else mask_address(self.shopper.address)

    def customs_code(self) -> str | None:
        code = self.shopper.customs_code
        return None if not code else code if self.show_private else mask_customs_code(code)
