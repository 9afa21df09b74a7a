"""ISO 4217 currency codes accepted for money amounts.

Kept as data (not a dependency) because the list changes rarely and a price
in an unknown currency is almost always a typo (``KWR`` for ``KRW``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Active ISO 4217 alphabetic codes (2024 list, funds codes and metals left out).
ISO_4217: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL
    BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
    IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
    LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
    NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
    USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()
)

# Currencies without minor units, so that "KRW 12,345.5" is caught.
ZERO_DECIMAL: frozenset[str] = frozenset("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split())

_SYMBOLS = {"KRW": "₩", "USD": "$", "CNY": "¥", "EUR": "€", "JPY": "¥", "GBP": "£"}


# What shoppers type before or after an amount, and the currency it means.
_MARKS = {"₩": "KRW", "원": "KRW", "￦": "KRW", "$": "USD", "US$": "USD", "달러": "USD", "¥": "CNY", "元": "CNY",
          "위안": "CNY", "€": "EUR", "유로": "EUR", "£": "GBP", "円": "JPY", "엔": "JPY"}
_AMOUNT = re.compile(r"^(?P<before>[^\d.,\s-]*)\s*(?P<number>-?[\d.,]+)\s*(?P<after>[^\d.,\s]*)$")


def parse_amount(text: object, default_currency: str | None = "KRW") -> tuple[Decimal, str]:
    """``"15,900원"``, ``"₩15,900"``, ``"15900 KRW"``, ``"$12.50"``, ``"12.50 USD"`` -> (amount, currency).

    Raises ``ValueError`` with a message naming what is accepted; the caller
    attaches the field name.
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not an amount")
    if isinstance(text, (int, Decimal)):
        return Decimal(text), (default_currency or "KRW")
    if isinstance(text, float):
        return Decimal(repr(text)), (default_currency or "KRW")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("is empty; write the amount paid, e.g. 15,900원 or 12.50 USD")
    cleaned = text.strip().replace("\u00a0", " ")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValueError(f"{text!r} is not an amount; write it like 15,900원, ₩15,900, 15900 KRW, $12.50 or 12.50 USD")
    marks = [m for m in (match["before"], match["after"]) if m]
    currency = default_currency
    for mark in marks:
        code = _MARKS.get(mark) or (mark.upper() if mark.upper() in ISO_4217 else None)
        if code is None:
            raise ValueError(f"{mark!r} in {text!r} is not a currency; use a code such as KRW, USD, CNY or a sign such as ₩, $")
        currency = code
    if currency is None:
        raise ValueError(f"{text!r} has no currency; write it like 8,000 KRW or 4.50 USD")
    number = match["number"]
    if number.count(".") > 1 or number.startswith("-"):
        raise ValueError(f"{text!r} is not an amount; write it like 15,900원 or 12.50 USD")
    groups = number.split(".")[0].split(",")
    if len(groups) > 1 and any(len(g) != 3 for g in groups[1:]):
        raise ValueError(f"{text!r}: commas must group thousands (15,900); use a point for decimals (12.50)")
    try:
        return Decimal(number.replace(",", "")), currency
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None


def format_amount(amount: Decimal, currency: str) -> str:
    """``KRW 23,900`` / ``USD 12.34``: the code first, unambiguous in both languages."""
    places = 0 if currency in ZERO_DECIMAL else 2
    return f"{currency} {amount:,.{places}f}"
