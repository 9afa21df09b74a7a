"""ISO 4217 currency codes accepted for money amounts.

Kept as data (not a dependency) because the list changes rarely and a price
in an unknown currency is almost always a typo (``KWR`` for ``KRW``).
"""

from __future__ import annotations

from decimal import Decimal

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


def split_amount(text: str, default_currency: str | None = None) -> tuple[str, str | None]:
    """``"8,000 KRW"`` -> ``("8000", "KRW")``; the currency falls back to ``default_currency``."""
    amount, _, currency = text.strip().partition(" ")
    return amount.replace(",", ""), (currency.strip() or default_currency)


def format_amount(amount: Decimal, currency: str) -> str:
    """``KRW 23,900`` / ``USD 12.34``: the code first, unambiguous in both languages."""
    places = 0 if currency in ZERO_DECIMAL else 2
    return f"{currency} {amount:,.{places}f}"
