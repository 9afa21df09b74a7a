"""The case vocabulary: every other module speaks in these models.

Pydantic v2, strict at the boundary: unknown fields are refused, text is
stripped, assignments are validated, ids are text (an ``int`` order id would
already have lost its leading zeros). Money is ``Decimal`` plus an ISO 4217
code; times are timezone-aware.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
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
    "parse_case",
    "validate",
]


def utc_now() -> datetime:
    """The current time, tz-aware, in UTC (what the store records)."""
    return datetime.now(timezone.utc)


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


class Money(_Model):
    """An amount with its currency; never a float."""

    amount: Decimal = Field(ge=0, description="Amount in the currency's units, e.g. 23900 for KRW 23,900.")
    currency: StrictStr = Field(description="ISO 4217 code such as KRW, USD, CNY.")

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        if isinstance(value, float):
            # Floats carry binary noise (0.1 + 0.2); take the shortest repr.
            return Decimal(repr(value))
        return value

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str) -> str:
        code = value.upper()
        if code not in ISO_4217:
            raise ValueError(f"unknown currency {value!r}; use an ISO 4217 code such as KRW, USD, CNY, EUR")
        return code

    @model_validator(mode="after")
    def _minor_units(self) -> "Money":
        if self.currency in ZERO_DECIMAL and self.amount != self.amount.to_integral_value():
            raise ValueError(f"{self.currency} has no minor units; got {self.amount}")
        return self

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency)


_ORDER_ID_DIGITS = re.compile(r"^\d{4,30}$")
_ORDER_ID_GENERIC = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,49}$")


class Order(_Model):
    """The order as the marketplace shows it."""

    platform: Platform = Platform.ALIEXPRESS
    order_id: StrictStr = Field(description="As shown by the platform; digits for AliExpress, leading zeros kept.")
    store_name: StrictStr | None = None
    store_url: StrictStr | None = None
    item_title: NonEmptyText
    item_url: StrictStr | None = None
    option: StrictStr | None = Field(default=None, description="Option / SKU chosen (colour, size, ...).")
    quantity: StrictInt = Field(default=1, ge=1)
    price: Money
    payment_method: StrictStr | None = None
    order_date: date
    ship_date: date | None = None
    promised_date: date | None = Field(default=None, description="Promised delivery date shown on the order.")
    delivery_guarantee_days: StrictInt | None = Field(default=None, ge=1, le=365)
    received_date: date | None = None

    @field_validator("order_id")
    @classmethod
    def _order_id_shape(cls, value: str, info: Any) -> str:
        platform = info.data.get("platform", Platform.ALIEXPRESS)
        if platform == Platform.ALIEXPRESS:
            if not _ORDER_ID_DIGITS.match(value):
                raise ValueError(f"an AliExpress order id is digits only (4-30), as shown on the order page; got {value!r}")
        elif not _ORDER_ID_GENERIC.match(value):
            raise ValueError(f"an order id is letters, digits and dashes (3-50); got {value!r}")
        return value

    @field_validator("store_url", "item_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://\S+$", value):
            raise ValueError(f"must be an http(s) URL; got {value!r}")
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

            return self.ship_date + timedelta(days=self.delivery_guarantee_days)
        return None


class Problem(_Model):
    """What is wrong with the order, in the shopper's words plus a kind."""

    kind: ProblemKind
    noticed_date: date | None = None
    description: StrictStr = ""
    differences: list[NonEmptyText] = Field(
        default_factory=list, description="For not-as-described / wrong item: each listed-vs-received difference."
    )
    tested_how: StrictStr | None = Field(default=None, description="For defects: how the failure was tested.")
    description_en: StrictStr | None = Field(
        default=None, description="The description in English, for the English message when the description is not English.")
    received_quantity: StrictInt | None = Field(
        default=None, ge=0, description="For missing items: how many of order.quantity arrived.")
    duty_paid: Money | None = Field(default=None, description="Customs duty and VAT paid on delivery.")
    tax_included: bool | None = Field(
        default=None, description="The listing said taxes and duty were included in the price (DDP).")


class TrackingEvent(_Model):
    """One scan or step in a parcel's journey, normalised across providers."""

    time: AwareDatetime
    description: StrictStr
    location: StrictStr | None = None
    translation: StrictStr | None = None
    status: TrackingStatus = TrackingStatus.IN_TRANSIT
    sub_status: StrictStr | None = None
    stage: StrictStr | None = Field(default=None, description="Provider stage, e.g. 'customs' for UNI-PASS steps.")
    carrier: StrictStr | None = None


class TrackingSnapshot(_Model):
    """What tracking said, when: kept as evidence of the tracking history."""

    fetched_at: AwareDatetime
    source: StrictStr
    number: StrictStr
    carrier: StrictStr | None = None
    status: TrackingStatus
    sub_status: StrictStr | None = None
    events: list[TrackingEvent] = Field(default_factory=list)
    raw: dict[str, Any] | None = None


class Shipment(_Model):
    """A parcel: its international number and, once in Korea, a domestic one."""

    tracking_number: StrictStr | None = None
    carrier: StrictStr | None = Field(default=None, description="Carrier key, e.g. 'cn.cainiao' or 'un.upu.s10'.")
    domestic_number: StrictStr | None = None
    domestic_carrier: StrictStr | None = Field(default=None, description="e.g. 'kr.cjlogistics'.")
    events: list[TrackingEvent] = Field(default_factory=list)
    snapshots: list[TrackingSnapshot] = Field(default_factory=list)


class Message(_Model):
    """One entry of the communication log."""

    at: AwareDatetime
    channel: Channel
    direction: Direction
    text: StrictStr
    translation: StrictStr | None = None

    @property
    def with_seller(self) -> bool:
        return self.channel in {Channel.SELLER_CHAT, Channel.EMAIL, Channel.PHONE}


class Evidence(_Model):
    """A file kept as evidence, with what makes it trustworthy (hash, capture time)."""

    id: StrictStr = Field(pattern=r"^E\d{2,4}$")
    kind: EvidenceKind
    caption: StrictStr = ""
    file: StrictStr = Field(description="Name inside the case's evidence/ folder.")
    original_name: StrictStr | None = None
    sha256: StrictStr = Field(pattern=r"^[0-9a-f]{64}$")
    size: StrictInt = Field(ge=1)
    mime: StrictStr
    added_at: AwareDatetime
    captured_at: datetime | None = None
    device: StrictStr | None = None
    width: StrictInt | None = None
    height: StrictInt | None = None

    @field_validator("file")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value.startswith(".") or value in {"", ".", ".."}:
            raise ValueError(f"must be a plain file name inside evidence/; got {value!r}")
        return value


class Outcome(_Model):
    amount_refunded: Money | None = None
    decided_date: date | None = None
    decision_text: StrictStr | None = None
    compensation: Money | None = Field(default=None, description="Paid on top of the refund (a coupon, credit), e.g. guide case E.")


class Dispute(_Model):
    """The dispute with the platform, stage by stage."""

    stage: DisputeStage = DisputeStage.NOT_OPENED
    opened_date: date | None = None
    requested: Remedy | None = None
    requested_amount: Money | None = Field(default=None, description="For a partial refund: the amount asked for.")
    return_shipping_paid_by: Payer | None = None
    return_agreed_date: date | None = Field(default=None, description="When a return was agreed (starts the 10-day shipping window).")
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

    name: StrictStr | None = None
    phone: StrictStr | None = None
    address: StrictStr | None = None
    customs_code: StrictStr | None = Field(default=None, description="개인통관고유부호: P + 12 digits.")

    @field_validator("customs_code")
    @classmethod
    def _pccc(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper().replace("-", "").replace(" ", "")
        if not re.fullmatch(r"P\d{12}", code):
            raise ValueError(f"a personal customs code is P followed by 12 digits (e.g. P123456789012); got {value!r}")
        return code


CASE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def check_case_id(case_id: object) -> str:
    """Refuse ids that could escape the casebook folder (``../x``, ``/etc``)."""
    if not isinstance(case_id, str) or not CASE_ID_PATTERN.match(case_id):
        raise CaseInputError(
            [("id", f"{case_id!r} is not a case id; use lower-case letters, digits, '-' and '_' (at most 80), e.g. 'seed-a'")]
        )
    return case_id


class Case(_Model):
    """One problem order and everything gathered about it."""

    schema_version: StrictInt = SCHEMA_VERSION
    id: StrictStr
    revision: StrictInt = Field(default=0, ge=0, description="Incremented by every save; guards against lost updates.")
    created_at: AwareDatetime = Field(default_factory=utc_now)
    updated_at: AwareDatetime = Field(default_factory=utc_now)
    order: Order
    problem: Problem
    shipments: list[Shipment] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    dispute: Dispute = Field(default_factory=Dispute)
    shopper: Shopper = Field(default_factory=Shopper)
    notes: StrictStr = ""

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not CASE_ID_PATTERN.match(value):
            raise ValueError(
                f"{value!r} is not a case id; use lower-case letters, digits, '-' and '_' (at most 80), e.g. 'seed-a'"
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


def validate(model: Any, data: Any, prefix: str = "") -> Any:
    """``data`` as ``model``, where ``None`` means "not given"; errors name each field under ``prefix``."""
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if v is not None}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise CaseInputError.from_validation(error, prefix=prefix) from None


def parse_case(data: Any, *, source: str | None = None) -> Case:
    """Validate a dict as a ``Case``; errors name every bad field."""
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise CaseInputError.from_validation(error, source=source) from None
