"""The case vocabulary: every other module speaks in these models.

Pydantic v2, strict at the boundary: unknown fields are refused, text is
stripped, assignments are validated, ids are text (an ``int`` order id would
already have lost its leading zeros). Money is ``Decimal`` plus an ISO 4217
code; times are timezone-aware.

Every value is bounded, because a case file or a provider answer may be
hostile or simply broken and every later step (deadlines, reports, money
formatting) must stay cheap and crash-free: dates lie in 2000-01-01 ..
2100-12-31, amounts have at most 12 integer digits and the currency's minor
units, text fields have length limits (stated in each field's description),
a shipment keeps its newest 1,000 events and a snapshot's raw answer is kept
only up to 256 KB.

New input is validated strictly (a bad value is a ``CaseInputError`` naming
the field). Stored cases are read with ``parse_stored_case``: out-of-range
dates are clamped and over-long text is cut, each noted in
``Case.load_problems``, so an old file still opens (see ``casebook.store``).
"""

from __future__ import annotations

import html
import json
import math
import re
from datetime import date, datetime, time, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from .currencies import ISO_4217, ZERO_DECIMAL, format_amount
from .errors import CaseInputError

SCHEMA_VERSION = 1

__all__ = [
    "SCHEMA_VERSION",
    "Platform",
    "ProblemKind",
    "RefundType",
    "Remedy",
    "DisputeStage",
    "EvidenceKind",
    "TrackingStatus",
    "Channel",
    "Counterpart",
    "Direction",
    "Payer",
    "DeadlineStatus",
    "Severity",
    "CheckKey",
    "PaymentFamily",
    "Money",
    "Order",
    "Problem",
    "TrackingEvent",
    "TrackingSnapshot",
    "Shipment",
    "Message",
    "Evidence",
    "Outcome",
    "Dispute",
    "Shopper",
    "Case",
    "CASE_ID_PATTERN",
    "check_case_id",
    "utc_now",
    "days_between",
    "days_since",
    "parse_case",
    "validate",
    "parse_stored_case",
    "DATE_MIN",
    "DATE_MAX",
    "MAX_EVENTS",
    "MAX_RAW_BYTES",
    "MAX_AMOUNT_DIGITS",
    "TITLE_MAX",
    "LINE_MAX",
    "CAPTION_MAX",
    "TEXT_MAX",
    "URL_MAX",
    "minor_units",
    "clip",
]

# -- bounds ---------------------------------------------------------------------------------------
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
MAX_AMOUNT_DIGITS = 12  # digits before the decimal point: 999,999,999,999 at most
MAX_EVENTS = 1_000  # events kept per shipment / snapshot (the newest)
MAX_RAW_BYTES = 256 * 1024  # a snapshot's raw provider answer, as JSON
MAX_RAW_DEPTH = 64
TITLE_MAX = 200  # titles, names, options, short labels
URL_MAX = 2_000
LINE_MAX = 2_000  # one tracking event's text, a listed difference
CAPTION_MAX = 1_000
TEXT_MAX = 20_000  # descriptions, messages, notes
THREE_DECIMAL = frozenset("BHD IQD JOD KWD LYD OMR TND".split())


def minor_units(currency: str) -> int:
    """Decimal places the currency has: 0 for KRW/JPY…, 3 for BHD/KWD…, else 2."""
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (for provider text, which must never fail a save)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut short: an error message never echoes a hostile megabyte."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _lenient(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("lenient"))


def _note(info: ValidationInfo, text: str) -> None:
    info.context.setdefault("problems", []).append(text)  # type: ignore[union-attr]


def _bounded_text(limit: int) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        if len(value) <= limit:
            return value
        if _lenient(info):
            _note(info, f"{info.field_name}: {len(value):,} characters, cut to the limit of {limit:,}")
            return value[:limit]
        raise ValueError(f"is {len(value):,} characters long; at most {limit:,} are accepted")

    return AfterValidator(check)


def _clamped(day: date, info: ValidationInfo, shown: str) -> date | None:
    """``None`` when ``day`` is in range, else the bound to use (lenient) or a ``ValueError`` (strict)."""
    if DATE_MIN <= day <= DATE_MAX:
        return None
    if not _lenient(info):
        raise ValueError(f"{shown} is outside the accepted range {DATE_MIN}..{DATE_MAX}")
    bound = DATE_MIN if day < DATE_MIN else DATE_MAX
    _note(info, f"{info.field_name}: {shown} is outside {DATE_MIN}..{DATE_MAX}; read as {bound}")
    return bound


def _date_in_range(value: date, info: ValidationInfo) -> date:
    bound = _clamped(value, info, value.isoformat())
    return value if bound is None else bound


def _moment_in_range(value: datetime, info: ValidationInfo) -> datetime:
    bound = _clamped(value.date(), info, value.isoformat())
    if bound is None:
        return value
    return datetime.combine(bound, time(0) if bound == DATE_MIN else time(23, 59), value.tzinfo)


def _informational_moment(value: Any, handler: Any) -> datetime | None:
    """Capture times come from the file's own metadata: unreadable or out of range means unknown."""
    if value is None:
        return None
    try:
        moment = handler(value)
    except ValidationError:
        return None
    return moment if moment is not None and DATE_MIN <= moment.date() <= DATE_MAX else None


CaseDate = Annotated[date, AfterValidator(_date_in_range)]
CaseMoment = Annotated[AwareDatetime, AfterValidator(_moment_in_range)]
Title = Annotated[StrictStr, _bounded_text(TITLE_MAX)]
Line = Annotated[StrictStr, _bounded_text(LINE_MAX)]
LongText = Annotated[StrictStr, _bounded_text(TEXT_MAX)]
Url = Annotated[StrictStr, _bounded_text(URL_MAX)]


def utc_now() -> datetime:
    """The current time, tz-aware, in UTC (what the store records)."""
    return datetime.now(timezone.utc)


def days_between(start: date | datetime, end: date | datetime, tz: str | tzinfo) -> int:
    """Calendar days from ``start`` to ``end``, each read as a day in the shopper's time zone ``tz``.

    The one way casebook counts "N days since/ago/left": an event at 23:00 yesterday was
    1 day ago, whatever the hour now. A moment is taken as its day in ``tz``; a date is
    already a day. Negative when ``end`` is the earlier day.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz

    def day(value: date | datetime) -> date:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("a moment to count days from must be timezone-aware")
            return value.astimezone(zone).date()
        return value

    return (day(end) - day(start)).days


def days_since(start: date | datetime, now: date | datetime, tz: str | tzinfo) -> int:
    """``days_between(start, now, tz)``, never negative (a day count shown to the shopper)."""
    return max(0, days_between(start, now, tz))


class Platform(StrEnum):
    """Where the order was placed. AliExpress first; others are allowed."""

    ALIEXPRESS = "aliexpress"
    TEMU = "temu"
    AMAZON = "amazon"
    EBAY = "ebay"
    TAOBAO = "taobao"
    IHERB = "iherb"
    SHEIN = "shein"
    OTHER = "other"


class ProblemKind(StrEnum):
    """What went wrong, in the platform's own dispute vocabulary."""

    NOT_RECEIVED = "not_received"
    LATE_DELIVERY = "late_delivery"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    NOT_AS_DESCRIBED = "not_as_described"
    WRONG_ITEM = "wrong_item"
    WRONG_SIZE = "wrong_size"
    MISSING_PARTS = "missing_parts"
    COUNTERFEIT = "counterfeit"
    EMPTY_PARCEL = "empty_parcel"
    OTHER = "other"
    DELIVERED_NOT_RECEIVED = "delivered_not_received"
    CUSTOMS_HOLD = "customs_hold"
    DUTY_CHARGED = "duty_charged"
    CHANGE_OF_MIND = "change_of_mind"

    @property
    def is_delivery_problem(self) -> bool:
        return self in {ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY, ProblemKind.DELIVERED_NOT_RECEIVED,
                        ProblemKind.CUSTOMS_HOLD}


class RefundType(StrEnum):
    """The consumer guide's refund types (docs/domain.md#refund-types)."""

    FULL_REFUND = "full_refund"
    PARTIAL_REFUND = "partial_refund"
    RETURN_AND_REFUND = "return_and_refund"
    LATE_DELIVERY_REFUND = "late_delivery_refund"
    WRONG_ITEM_REFUND = "wrong_item_refund"


class Remedy(StrEnum):
    """What the shopper asks for in the dispute."""

    FULL_REFUND = "full_refund"
    PARTIAL_REFUND = "partial_refund"
    RETURN_AND_REFUND = "return_and_refund"
    RESEND = "resend"
    DUTY_REIMBURSEMENT = "duty_reimbursement"  # the listing promised tax included: the seller pays the duty back
    CUSTOMS_REFUND = "customs_refund"  # return the item unchanged and claim the duty back from Korea Customs
    EXTENSION = "extension"  # more buyer-protection time while a customs hold is fixed


class DisputeStage(StrEnum):
    """The dispute's stage, following the consumer guide (docs/domain.md#the-dispute-stage-by-stage)."""

    NOT_OPENED = "not_opened"
    OPENED = "opened"
    NEGOTIATING = "negotiating"
    MEDIATION = "mediation"
    DECIDED = "decided"
    APPEALED = "appealed"
    REFUND_PAID = "refund_paid"
    CLOSED = "closed"


class EvidenceKind(StrEnum):
    """Kinds of evidence the guide and the platform ask for."""

    DEFECT_PHOTO = "defect_photo"
    DEFECT_VIDEO = "defect_video"
    PACKAGING_PHOTO = "packaging_photo"
    UNBOXING_VIDEO = "unboxing_video"
    SIZE_PHOTO = "size_photo"
    LABEL_PHOTO = "label_photo"
    PRODUCT_PAGE_SCREENSHOT = "product_page_screenshot"
    ORDER_PAGE_SCREENSHOT = "order_page_screenshot"
    TRACKING_SCREENSHOT = "tracking_screenshot"
    CHAT_SCREENSHOT = "chat_screenshot"
    PAYMENT_RECORD = "payment_record"
    CUSTOMS_DOCUMENT = "customs_document"
    CARRIER_STATEMENT = "carrier_statement"  # the domestic carrier's delivery photo or written "not found" reply
    OTHER = "other"


class TrackingStatus(StrEnum):
    """17TRACK's main status set, the normalised vocabulary of every provider."""

    NOT_FOUND = "NotFound"
    INFO_RECEIVED = "InfoReceived"
    IN_TRANSIT = "InTransit"
    EXPIRED = "Expired"
    AVAILABLE_FOR_PICKUP = "AvailableForPickup"
    OUT_FOR_DELIVERY = "OutForDelivery"
    DELIVERY_FAILURE = "DeliveryFailure"
    DELIVERED = "Delivered"
    EXCEPTION = "Exception"


class Channel(StrEnum):
    SELLER_CHAT = "seller_chat"
    PLATFORM_SUPPORT = "platform_support"
    EMAIL = "email"
    PHONE = "phone"
    OTHER = "other"


class Counterpart(StrEnum):
    """Who a logged message or call was with."""

    SELLER = "seller"
    PLATFORM = "platform"
    CARRIER = "carrier"
    CUSTOMS = "customs"
    OTHER = "other"


# who a message was with when the log does not say: read from its channel (the seller's chat, e-mail and
# phone have always meant the seller; a message through "another channel" is with someone unknown)
CHANNEL_COUNTERPART = {"seller_chat": Counterpart.SELLER, "platform_support": Counterpart.PLATFORM,
                       "email": Counterpart.SELLER, "phone": Counterpart.SELLER}


class Direction(StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class Payer(StrEnum):
    SELLER = "seller"
    BUYER = "buyer"


class DeadlineStatus(StrEnum):
    """Where a deadline stands as of a moment."""

    UPCOMING = "upcoming"
    AVAILABLE = "available"  # an entitlement in force now (from its day, or until its day)
    PAST = "past"
    CANNOT_COMPUTE = "cannot_compute"
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    """How much a tracking flag or warning matters."""

    INFO = "info"
    WARNING = "warning"
    PROBLEM = "problem"


class PaymentFamily(StrEnum):
    """How the order was paid, as far as where a dispute goes (card issuer, PayPal, a wallet)."""

    CARD = "card"
    PAYPAL = "paypal"
    KAKAOPAY = "kakaopay"
    NAVERPAY = "naverpay"
    TOSS = "toss"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def is_wallet(self) -> bool:
        return self in {PaymentFamily.KAKAOPAY, PaymentFamily.NAVERPAY, PaymentFamily.TOSS}


class CheckKey(StrEnum):
    """The readiness checks (the guide's lessons), weighted in ``rules/readiness.toml``."""

    SELLER_CONTACTED = "seller_contacted"
    EVIDENCE = "evidence"
    TRACKING = "tracking"
    WINDOW = "window"
    DESCRIPTION = "description"


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=True,
        use_enum_values=False,
    )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
            f"<td style='text-align:left'>{html.escape(_display(value))}</td></tr>"
            for name, value in self
            if value not in (None, [], "")
        )
        return f"<table class='casebook-model'><caption>{type(self).__name__}</caption>{rows}</table>"


def _display(value: Any) -> str:
    if isinstance(value, BaseModel):
        return str(value)
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    if isinstance(value, StrEnum):
        from .i18n import label

        return label(value, "en")
    return str(value)


NonEmptyText = Annotated[StrictStr, Field(min_length=1)]
NonEmptyTitle = Annotated[StrictStr, Field(min_length=1), _bounded_text(TITLE_MAX)]
NonEmptyLine = Annotated[StrictStr, Field(min_length=1), _bounded_text(LINE_MAX)]

_AMOUNT_LIMIT = f"at most {MAX_AMOUNT_DIGITS} digits before the decimal point (999,999,999,999)"


def _decimal_places(amount: Decimal) -> int:
    _, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places = -exponent
    for digit in reversed(digits):  # 12.30 has 1 significant decimal place
        if digit != 0 or places == 0:
            break
        places -= 1
    return places


class Money(_Model):
    """An amount with its currency; never a float."""

    amount: Decimal = Field(ge=0, description=(
        "Amount in the currency's units, e.g. 23900 for KRW 23,900; at most 12 digits before the decimal point and "
        "no more decimal places than the currency has (0 for KRW/JPY, 3 for BHD/KWD/JOD/OMR/TND/IQD/LYD, else 2)."))
    currency: StrictStr = Field(description="ISO 4217 code such as KRW, USD, CNY.")

    @field_validator("amount", mode="before")
    @classmethod
    def _bounded_number(cls, value: Any) -> Any:
        """Refuse NaN, Infinity and huge exponents before anything computes with them (``1e99999999`` would hang a format)."""
        shown = _shown(value, 40)
        if isinstance(value, bool):
            raise ValueError(f"{shown} is not an amount; write a number such as 23900 or 12.30")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(f"{shown} is not an amount; NaN and Infinity are refused, write a number such as 12.30")
            value = Decimal(repr(value))  # floats carry binary noise (0.1 + 0.2); take the shortest repr
        elif isinstance(value, int):
            if value.bit_length() > 64:
                raise ValueError(f"{shown} is too large; {_AMOUNT_LIMIT}")
            value = Decimal(value)
        elif isinstance(value, str):
            if len(value.strip()) > 40:
                raise ValueError(f"{shown} is not an amount; {_AMOUNT_LIMIT}")
            try:
                value = Decimal(value.strip())
            except InvalidOperation:
                return value  # pydantic names it as "not a valid decimal"
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError(f"{shown} is not an amount; NaN and Infinity are refused, write a number such as 12.30")
            if value and value.adjusted() >= MAX_AMOUNT_DIGITS:
                raise ValueError(f"{shown} is too large; {_AMOUNT_LIMIT}")
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -12:
                raise ValueError(f"{shown} has too many decimal places; at most the currency's minor units (2 for USD)")
        return value

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str) -> str:
        code = value.upper()
        if code not in ISO_4217:
            raise ValueError(f"unknown currency {_shown(value)}; use an ISO 4217 code such as KRW, USD, CNY, EUR")
        return code

    @model_validator(mode="after")
    def _minor_units(self) -> "Money":
        allowed = minor_units(self.currency)
        if _decimal_places(self.amount) > allowed:
            if allowed == 0:
                raise ValueError(f"{self.currency} has no minor units; got {self.amount}")
            raise ValueError(f"amount: {self.currency} has {allowed} decimal places; got {self.amount}")
        return self

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency)


_ORDER_ID_DIGITS = re.compile(r"^\d{4,30}$")
_ORDER_ID_GENERIC = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,49}$")
_ORDER_ID_SPACED = re.compile(r"^\d+(?:\s+\d+)+$")


class Order(_Model):
    """The order as the marketplace shows it."""

    platform: Platform = Platform.ALIEXPRESS
    order_id: StrictStr = Field(description="As shown by the platform; digits for AliExpress, leading zeros kept.")
    store_name: Title | None = Field(default=None, description="At most 200 characters.")
    store_url: Url | None = Field(default=None, description="http(s) URL, at most 2,000 characters.")
    item_title: NonEmptyTitle = Field(description="At most 200 characters.")
    item_url: Url | None = Field(default=None, description="http(s) URL, at most 2,000 characters.")
    option: Title | None = Field(default=None, description="Option / SKU chosen (colour, size, ...); at most 200 characters.")
    quantity: StrictInt = Field(default=1, ge=1, le=100_000)
    price: Money
    payment_method: Title | None = Field(default=None, description="At most 200 characters.")
    order_date: CaseDate = Field(description="2000-01-01 .. 2100-12-31.")
    ship_date: CaseDate | None = Field(default=None, description="2000-01-01 .. 2100-12-31.")
    promised_date: CaseDate | None = Field(default=None, description="Promised delivery date shown on the order (2000-01-01 .. 2100-12-31).")
    delivery_guarantee_days: StrictInt | None = Field(default=None, ge=1, le=365)
    received_date: CaseDate | None = Field(default=None, description="2000-01-01 .. 2100-12-31.")

    @field_validator("order_id")
    @classmethod
    def _order_id_shape(cls, value: str, info: Any) -> str:
        platform = info.data.get("platform", Platform.ALIEXPRESS)
        if platform == Platform.ALIEXPRESS:
            if _ORDER_ID_SPACED.match(value):  # copied as "8190 0123 4567 8901": the digits are the number
                value = re.sub(r"\s+", "", value)
            if not _ORDER_ID_DIGITS.match(value):
                raise ValueError(f"an AliExpress order id is digits only (4-30; spaces between them are fine), as shown on "
                                 f"the order page; got {_shown(value)}")
        elif not _ORDER_ID_GENERIC.match(value):
            # spaces are refused, not removed: on other marketplaces "PO 123" and "PO123" need not be the same order
            raise ValueError(f"an order id is letters, digits and dashes (3-50), without spaces; got {_shown(value)}")
        return value

    @field_validator("store_url", "item_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://\S+$", value):
            raise ValueError(f"must be an http(s) URL; got {_shown(value)}")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Order":
        checks = [
            ("ship_date", self.ship_date, "order_date", self.order_date),
            ("received_date", self.received_date, "ship_date", self.ship_date),
            ("received_date", self.received_date, "order_date", self.order_date),
            ("promised_date", self.promised_date, "order_date", self.order_date),
        ]
        for later_name, later, earlier_name, earlier in checks:
            if later is not None and earlier is not None and later < earlier:
                raise ValueError(f"{later_name} {later} is before {earlier_name} {earlier}; dates must not go backwards")
        return self

    @property
    def promised_by(self) -> date | None:
        """The promised delivery date, from the date or from guarantee days after shipping."""
        if self.promised_date is not None:
            return self.promised_date
        if self.delivery_guarantee_days is not None and self.ship_date is not None:
            from datetime import timedelta

            return min(self.ship_date + timedelta(days=self.delivery_guarantee_days), DATE_MAX)
        return None


class Problem(_Model):
    """What is wrong with the order, in the shopper's words plus a kind."""

    kind: ProblemKind
    noticed_date: CaseDate | None = None
    description: LongText = Field(default="", description="In the shopper's words; at most 20,000 characters.")
    differences: list[NonEmptyLine] = Field(
        default_factory=list, description="For not-as-described / wrong item: each listed-vs-received difference "
                                          "(at most 2,000 characters each)."
    )
    tested_how: LongText | None = Field(default=None, description="For defects: how the failure was tested; at most 20,000 characters.")
    description_en: LongText | None = Field(
        default=None, description="The description in English, for the English message when the description is not English.")
    received_quantity: StrictInt | None = Field(
        default=None, ge=0, description="For missing items: how many of order.quantity arrived.")
    duty_paid: Money | None = Field(default=None, description="Customs duty and VAT paid on delivery.")
    tax_included: bool | None = Field(
        default=None, description="The listing said taxes and duty were included in the price (DDP).")


class TrackingEvent(_Model):
    """One scan or step in a parcel's journey, normalised across providers."""

    time: CaseMoment = Field(description="Timezone-aware, 2000-01-01 .. 2100-12-31.")
    description: Line = Field(description="At most 2,000 characters.")
    location: Title | None = Field(default=None, description="At most 200 characters.")
    translation: Line | None = Field(default=None, description="At most 2,000 characters.")
    status: TrackingStatus = TrackingStatus.IN_TRANSIT
    sub_status: Title | None = None
    stage: Title | None = Field(default=None, description="Provider stage, e.g. 'customs' for UNI-PASS steps.")
    carrier: Title | None = None


def cap_events(events: list[TrackingEvent], limit: int = MAX_EVENTS) -> tuple[list[TrackingEvent], int]:
    """The newest ``limit`` events (newest first) and how many older ones were dropped."""
    if len(events) <= limit:
        return events, 0
    kept = sorted(events, key=lambda e: e.time, reverse=True)[:limit]
    return kept, len(events) - limit


def _raw_problem(raw: Any) -> str | None:
    """Why a raw provider answer cannot be kept (too deep or too big), or None."""
    stack = [(raw, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_RAW_DEPTH:
            return f"nested deeper than {MAX_RAW_DEPTH} levels"
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    try:
        size = len(json.dumps(raw, ensure_ascii=False, default=str).encode("utf-8"))
    except (TypeError, ValueError, RecursionError):
        return "not JSON"
    return f"{size:,} bytes, above the {MAX_RAW_BYTES:,}-byte limit" if size > MAX_RAW_BYTES else None


class TrackingSnapshot(_Model):
    """What tracking said, when: kept as evidence of the tracking history."""

    fetched_at: CaseMoment
    source: Title
    number: Title
    carrier: Title | None = None
    status: TrackingStatus
    sub_status: Title | None = None
    events: list[TrackingEvent] = Field(default_factory=list, description="The newest 1,000 events at most.")
    dropped_events: StrictInt = Field(default=0, ge=0, description="Older events not kept (over the 1,000 limit).")
    raw: dict[str, Any] | None = Field(default=None, description=(
        "The provider's answer as received, up to 256 KB of JSON; a bigger or deeper one is replaced by a note."))

    @field_validator("raw")
    @classmethod
    def _raw_bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        problem = None if value is None else _raw_problem(value)
        return value if problem is None else {"casebook_note": f"the provider's raw answer was not kept ({problem})"}

    @model_validator(mode="after")
    def _cap(self) -> "TrackingSnapshot":
        return _keep_newest_events(self)


class Shipment(_Model):
    """A parcel: its international number and, once in Korea, a domestic one."""

    tracking_number: Title | None = None
    carrier: Title | None = Field(default=None, description="Carrier key, e.g. 'cn.cainiao' or 'un.upu.s10'.")
    domestic_number: Title | None = None
    domestic_carrier: Title | None = Field(default=None, description="e.g. 'kr.cjlogistics'.")
    events: list[TrackingEvent] = Field(default_factory=list, description="Newest first; the newest 1,000 are kept.")
    dropped_events: StrictInt = Field(default=0, ge=0, description="Older events dropped over the 1,000 limit, so far.")
    snapshots: list[TrackingSnapshot] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cap(self) -> "Shipment":
        return _keep_newest_events(self)


_WithEvents = TypeVar("_WithEvents", TrackingSnapshot, Shipment)


def _keep_newest_events(model: _WithEvents) -> _WithEvents:
    """Keep the newest events within the cap, counting the rest in ``dropped_events`` (a snapshot and a shipment alike)."""
    kept, dropped = cap_events(model.events)
    if dropped:
        model.__dict__["events"] = kept
        model.__dict__["dropped_events"] = model.dropped_events + dropped
    return model


class Message(_Model):
    """One entry of the communication log."""

    at: CaseMoment = Field(description="Timezone-aware, 2000-01-01 .. 2100-12-31.")
    channel: Channel
    direction: Direction
    text: LongText = Field(description="At most 20,000 characters.")
    translation: LongText | None = Field(default=None, description="At most 20,000 characters.")
    counterpart: Counterpart | None = Field(
        default=None, description="Who it was with: seller, platform, carrier, customs or other. When absent it is read "
        "from the channel: seller_chat, email and phone are the seller, platform_support the platform, other unknown.")

    @model_serializer(mode="wrap")
    def _no_empty_counterpart(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A case file says who a message was with only when it was recorded (older readers still read it)."""
        data = handler(self)
        if isinstance(data, dict) and data.get("counterpart") is None:
            data.pop("counterpart", None)
        return data

    @property
    def party(self) -> Counterpart | None:
        """Who the message was with: as recorded, else as its channel implies (None: not known)."""
        return self.counterpart or CHANNEL_COUNTERPART.get(self.channel.value)

    @property
    def with_seller(self) -> bool:
        return self.party == Counterpart.SELLER


class Evidence(_Model):
    """A file kept as evidence, with what makes it trustworthy (hash, capture time)."""

    id: StrictStr = Field(pattern=r"^E\d{2,4}$")
    kind: EvidenceKind
    caption: Annotated[StrictStr, _bounded_text(CAPTION_MAX)] = Field(default="", description="At most 1,000 characters.")
    file: Annotated[StrictStr, Field(max_length=255)] = Field(description="Name inside the case's evidence/ folder.")
    original_name: Annotated[StrictStr, _bounded_text(255)] | None = None
    sha256: StrictStr = Field(pattern=r"^[0-9a-f]{64}$")
    size: StrictInt = Field(ge=1)
    mime: Title
    added_at: CaseMoment
    captured_at: Annotated[datetime | None, WrapValidator(_informational_moment)] = Field(
        default=None, description="From the file's own metadata; unreadable or outside 2000..2100 means unknown (null).")
    device: Title | None = None
    width: StrictInt | None = None
    height: StrictInt | None = None

    @field_validator("file")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value.startswith(".") or value in {"", ".", ".."}:
            raise ValueError(f"must be a plain file name inside evidence/; got {_shown(value)}")
        return value


class Outcome(_Model):
    amount_refunded: Money | None = None
    decided_date: CaseDate | None = None
    decision_text: LongText | None = Field(default=None, description="At most 20,000 characters.")
    compensation: Money | None = Field(default=None, description="Paid on top of the refund (a coupon, credit), e.g. guide case E.")


class Dispute(_Model):
    """The dispute with the platform, stage by stage."""

    stage: DisputeStage = DisputeStage.NOT_OPENED
    opened_date: CaseDate | None = None
    requested: Remedy | None = None
    requested_amount: Money | None = Field(default=None, description="For a partial refund: the amount asked for.")
    return_shipping_paid_by: Payer | None = None
    return_agreed_date: CaseDate | None = Field(default=None, description="When a return was agreed (starts the 10-day shipping window).")
    platform_help: bool = Field(default=False, description="Platform mediation or guidance was used.")
    outcome: Outcome | None = None

    @model_validator(mode="after")
    def _partial_needs_amount(self) -> "Dispute":
        if self.requested == Remedy.PARTIAL_REFUND and self.requested_amount is None:
            raise ValueError("a partial refund needs requested_amount (the amount asked for)")
        if self.stage != DisputeStage.NOT_OPENED and self.opened_date is None:
            raise ValueError(f"stage {self.stage.value!r} needs opened_date (when the dispute was opened)")
        return self


class Shopper(_Model):
    """The shopper's own details. Masked in every export unless asked otherwise."""

    name: Title | None = Field(default=None, description="At most 200 characters.")
    phone: Annotated[StrictStr, _bounded_text(50)] | None = Field(default=None, description="At most 50 characters.")
    address: Annotated[StrictStr, _bounded_text(500)] | None = Field(default=None, description="At most 500 characters.")
    customs_code: StrictStr | None = Field(default=None, description="개인통관고유부호: P + 12 digits.")

    @field_validator("customs_code")
    @classmethod
    def _pccc(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = re.sub(r"[\s-]", "", value.upper()) if len(value) <= 40 else value
        if not re.fullmatch(r"P\d{12}", code):
            raise ValueError(f"a personal customs code is P followed by 12 digits (e.g. P123456789012); got {_shown(value)}")
        return code


CASE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def check_case_id(case_id: object) -> str:
    """Refuse ids that could escape the casebook folder (``../x``, ``/etc``)."""
    if not isinstance(case_id, str) or not CASE_ID_PATTERN.match(case_id):
        raise CaseInputError(
            [("id", f"{_shown(case_id)} is not a case id; use lower-case letters, digits, '-' and '_' (at most 80), e.g. 'seed-a'")]
        )
    return case_id


class Case(_Model):
    """One problem order and everything gathered about it."""

    schema_version: StrictInt = SCHEMA_VERSION
    id: StrictStr
    revision: StrictInt = Field(default=0, ge=0, description="Incremented by every save; guards against lost updates.")
    created_at: CaseMoment = Field(default_factory=utc_now)
    updated_at: CaseMoment = Field(default_factory=utc_now)
    order: Order
    problem: Problem
    shipments: list[Shipment] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    dispute: Dispute = Field(default_factory=Dispute)
    shopper: Shopper = Field(default_factory=Shopper)
    notes: LongText = Field(default="", description="At most 20,000 characters.")
    _load_problems: list[str] = PrivateAttr(default_factory=list)

    @property
    def load_problems(self) -> list[str]:
        """What was out of bounds in the stored file and how it was read (empty for a clean case)."""
        return self._load_problems

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not CASE_ID_PATTERN.match(value):
            raise ValueError(
                f"{_shown(value)} is not a case id; use lower-case letters, digits, '-' and '_' (at most 80), e.g. 'seed-a'"
            )
        return value

    @model_validator(mode="after")
    def _received_at_most_ordered(self) -> "Case":
        received = self.problem.received_quantity
        if received is not None and received > self.order.quantity:
            raise ValueError(f"problem.received_quantity {received} is more than order.quantity {self.order.quantity}")
        return self

    @property
    def shipment(self) -> Shipment | None:
        """The first (usually only) shipment."""
        return self.shipments[0] if self.shipments else None

    def seller_messages(self) -> list[Message]:
        return [m for m in self.messages if m.with_seller]

    def _repr_html_(self) -> str:
        from .views import case_html

        return case_html(self, "ko")

    def __str__(self) -> str:
        from .views import case_line

        return case_line(self, "en")


_TOO_DEEP = "nested too deeply to be a case (more than the interpreter's recursion limit)"


def validate(model: Any, data: Any, prefix: str = "") -> Any:
    """``data`` as ``model``, where ``None`` means "not given"; errors name each field under ``prefix``."""
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if v is not None}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise CaseInputError.from_validation(error, prefix=prefix) from None
    except RecursionError:
        raise CaseInputError([(prefix, _TOO_DEEP)]) from None


def parse_case(data: Any, *, source: str | None = None) -> Case:
    """Validate a dict as a ``Case``; errors name every bad field."""
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise CaseInputError.from_validation(error, source=source) from None
    except RecursionError:
        raise CaseInputError([("", _TOO_DEEP)], source=source) from None


def parse_stored_case(data: Any, *, source: str | None = None) -> Case:
    """A case as stored on disk: out-of-range dates clamped and over-long text cut, each noted in ``load_problems``.

    Why: a file written before the bounds existed (or edited by hand) must
    still open, so that ``advise``/``summary`` work and the shopper sees what
    was wrong, instead of every command failing. Anything else that does not
    fit (unknown fields, wrong types, a NaN amount) is still a ``CaseInputError``.
    """
    context: dict[str, Any] = {"lenient": True, "problems": []}
    try:
        case = Case.model_validate(data, context=context)
    except ValidationError as error:
        raise CaseInputError.from_validation(error, source=source) from None
    except RecursionError:
        raise CaseInputError([("", _TOO_DEEP)], source=source) from None
    case._load_problems = list(context["problems"])
    return case
