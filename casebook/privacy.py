"""Masking the shopper's own details in everything exported.

By default the phone number, address and personal customs code
(개인통관고유부호, P + 12 digits) never leave the casebook unmasked: they are
replaced wherever they appear (messages, captions, notes), and generic
Korean phone numbers and P-codes are caught by pattern too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Shopper

__all__ = ["Masker", "mask_customs_code", "mask_phone", "mask_address"]

_PCODE = re.compile(r"(?<![A-Za-z0-9])[Pp]\s?-?\d{4}\s?-?\d{4}\s?-?\d{4}(?!\d)")
# Korean mobile numbers: 010-1234-5678, 01012345678, +82 10 1234 5678 (a leading 0 or +82 is required,
# so that tracking numbers such as DHL's 1099255990 are never mistaken for phones).
_PHONE = re.compile(r"(?<![\d+])(?:\+82[\s-]?1[016789]|01[016789])[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")


def mask_customs_code(code: str) -> str:
    """``P123456789012`` -> ``P12*******012``."""
    digits = re.sub(r"[^0-9]", "", code)
    return f"P{digits[:2]}{'*' * 7}{digits[-3:]}" if len(digits) == 12 else "P" + "*" * 12


def mask_phone(phone: str) -> str:
    """``010-2345-6789`` -> ``010-****-6789``."""
    digits = re.sub(r"\D", "", phone)
    return f"{digits[:3]}-****-{digits[-4:]}" if len(digits) >= 8 else "***"


def mask_address(address: str) -> str:
    """Keep the city and district, hide the rest: ``서울특별시 마포구 ***``."""
    parts = address.split()
    return " ".join(parts[:2] + ["***"]) if len(parts) > 2 else "***"


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
        s = self.shopper
        if s.address:
            text = text.replace(s.address, mask_address(s.address))
        if s.customs_code:
            text = text.replace(s.customs_code, mask_customs_code(s.customs_code))
        if s.phone:
            text = text.replace(s.phone, mask_phone(s.phone))
        text = _PCODE.sub(lambda m: mask_customs_code(m.group()), text)
        return _PHONE.sub(lambda m: mask_phone(m.group()), text)

    def phone(self) -> str | None:
        return None if not self.shopper.phone else self.shopper.phone if self.show_private else mask_phone(self.shopper.phone)

    def address(self) -> str | None:
        return None if not self.shopper.address else self.shopper.address if self.show_private else mask_address(self.shopper.address)

    def customs_code(self) -> str | None:
        code = self.shopper.customs_code
        return None if not code else code if self.show_private else mask_customs_code(code)
