"""Builders shared by tests: a valid order/problem/case with everything filled in."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from casebook.models import (
    Case,
    Channel,
    Direction,
    Dispute,
    DisputeStage,
    Message,
    Money,
    Order,
    Outcome,
    Problem,
    ProblemKind,
    Remedy,
    Shipment,
    Shopper,
    TrackingEvent,
    TrackingSnapshot,
    TrackingStatus,
)

KST = ZoneInfo("Asia/Seoul")


def order_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "platform": "aliexpress",
        "order_id": "0081234567890123",
        "item_title": "블루투스 이어폰",
        "price": {"amount": "23900", "currency": "KRW"},
        "order_date": "2026-03-01",
        "ship_date": "2026-03-03",
    }
    data.update(overrides)
    return data


def full_case(case_id: str = "full-case") -> Case:
    """A case using every field, with awkward values (Decimal, offsets, Korean)."""
    return Case(
        id=case_id,
        order=Order(
            platform="aliexpress",
            order_id="0081234567890123",
            store_name="상점 Store",
            store_url="https://www.aliexpress.com/store/1",
            item_title="무선 이어폰 — Wireless earbuds",
            item_url="https://www.aliexpress.com/item/1.html",
            option="검정 / Black",
            quantity=2,
            price=Money(amount=Decimal("12.30"), currency="USD"),
            payment_method="카드",
            order_date=date(2026, 3, 1),
            ship_date=date(2026, 3, 3),
            promised_date=date(2026, 3, 20),
            delivery_guarantee_days=17,
            received_date=date(2026, 3, 18),
        ),
        problem=Problem(kind=ProblemKind.NOT_AS_DESCRIBED, noticed_date=date(2026, 3, 18),
                        description="색상이 다릅니다", differences=["black listed, grey received"], tested_how=None),
        shipments=[Shipment(
            tracking_number="RA123456785CN", carrier="un.upu.s10", domestic_number="630012345678",
            domestic_carrier="kr.cjlogistics",
            events=[TrackingEvent(time=datetime(2026, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=8))),
                                  description="离开处理中心", location="深圳", translation="Left the sorting centre",
                                  status=TrackingStatus.IN_TRANSIT, sub_status="InTransit_Other", carrier="un.upu.s10")],
            snapshots=[TrackingSnapshot(fetched_at=datetime(2026, 3, 11, 1, 0, tzinfo=timezone.utc), source="offline",
                                        number="RA123456785CN", status=TrackingStatus.IN_TRANSIT, events=[],
                                        raw={"k": [1, "둘", None]})],
        )],
        messages=[Message(at=datetime(2026, 3, 18, 21, 0, tzinfo=KST), channel=Channel.SELLER_CHAT,
                          direction=Direction.SENT, text="안녕하세요", translation="Hello")],
        dispute=Dispute(stage=DisputeStage.DECIDED, opened_date=date(2026, 3, 21), requested=Remedy.PARTIAL_REFUND,
                        requested_amount=Money(amount=Decimal("5.50"), currency="USD"),
                        outcome=Outcome(amount_refunded=Money(amount=Decimal("5.50"), currency="USD"),
                                        decided_date=date(2026, 3, 28), decision_text="부분 환불")),
        shopper=Shopper(name="김민지", phone="010-2345-6789", address="서울", customs_code="p123456789012"),
        notes="메모 ✓",
    )
