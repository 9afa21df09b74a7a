"""Masking holds against spacing, line breaks, partial addresses and every phone / customs-code form."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from casebook.models import Order, Problem, Shopper, TrackingEvent
from casebook.privacy import Masker, mask_text
from casebook.summary import report_html, report_markdown, summarise
from casebook.tracking.plot import timeline_svg
from tests.helpers import order_data

SHOPPER = Shopper(name="김민지", phone="010-2345-6789", address="서울특별시 마포구 월드컵북로 396, 101동 1203호",
                  customs_code="P987654321098")
HIDDEN_DIGITS = ["23456789", "2345", "7654321", "98765432"]  # what the masks must never let through
HIDDEN_WORDS = ["월드컵북로", "101동", "1203호"]

LEAKS = [
    "call 010-2345-6789",
    "call 01023456789",
    "call 010 2345 6789",
    "call 010.2345.6789",
    "call +82 10 2345 6789",
    "call +82-10-2345-6789",
    "call +82 (0)10 2345 6789",
    "call 82 10 2345 6789",
    "call 8210 2345 6789",
    "call 821023456789",
    "call 010-\n2345-\n6789",
    "call 010 -\r\n 2345 - 6789",
    "통관부호 P987654321098",
    "통관부호 P987 654 321 098",
    "통관부호 p-9876-5432-1098",
    "통관부호 P 9876 5432 1098",
    "통관부호 P9876\n5432\n1098",
    "통관부호 987654321098",
    "주소 서울특별시 마포구 월드컵북로 396, 101동 1203호",
    "주소 서울특별시  마포구\n월드컵북로 396\n101동 1203호",
    "주소 마포구 월드컵북로 396 101동 1203호",
    "주소 월드컵북로 396",
    "주소 월드컵북로396",
    "주소 월드컵북로\n396",
    "101동 1203호 앞에 두세요",
    "101동  1203호",
]


@pytest.mark.parametrize("text", LEAKS)
def test_the_shoppers_own_details_are_masked_in_every_form(text):
    masked = mask_text(text, SHOPPER)
    digits = re.sub(r"\D", "", masked)
    for hidden in HIDDEN_DIGITS:
        assert hidden not in digits, f"{hidden} leaked: {masked!r}"
    for word in HIDDEN_WORDS:
        assert word not in masked, f"{word} leaked: {masked!r}"


STRANGERS = [
    ("010-9876-5432", "98765432"),
    ("+82 10 9876 5432", "98765432"),
    ("8210 9876 5432", "98765432"),
    ("01098765432", "98765432"),
    ("P123 456 789 012", "3456789"),
    ("p-1234-5678-9012", "3456789"),
    ("테헤란로4길 12-3", "테헤란로"),
    ("강남구 테헤란로 152", "테헤란로"),
    ("세종대로 110", "세종대로"),
    ("판교역로192번길 12", "판교역로"),
    ("502동 1101호", "1101호"),
]


@pytest.mark.parametrize("text, hidden", STRANGERS)
def test_any_phone_customs_code_or_address_is_masked_even_when_not_the_shoppers(text, hidden):
    masked = mask_text(f"연락: {text} 입니다", Shopper())
    assert hidden not in masked and hidden not in re.sub(r"\D", "", masked)


def test_numbers_that_are_not_private_are_left_alone():
    text = ("DHL 1099255990, LP00068434402473, order 8190012345678901, CJ 630012345678, RA123456785CN, "
            "2026-06-09 15:20 서울 도착, 3일 걸림, KRW 23,900, 인천으로 2일, 에어팟 프로 2, 맥북 프로 14 M3, 택배로 3 박스")
    assert mask_text(text, SHOPPER) == text


def test_masking_can_be_turned_off_explicitly():
    assert Masker(SHOPPER, show_private=True)("call 010-2345-6789") == "call 010-2345-6789"


def test_the_report_tooltips_are_masked_like_the_table(book):
    leak = "Delivered to 월드컵북로 396, receiver 010-2345-6789"
    event = TrackingEvent(time=datetime(2026, 3, 10, 9, 30, tzinfo=timezone.utc), description=leak, status="Delivered")
    svg = timeline_svg([event], mask=Masker(SHOPPER))
    assert "<title>" in svg and "2345" not in svg and "월드컵북로" not in svg
    case = book.new_case(Order.model_validate(order_data()), Problem(kind="not_received"), case_id="t1",
                         shopper=SHOPPER, shipments=[{"tracking_number": "RA123456785CN", "events": [event]}])
    now = datetime(2026, 4, 1, tzinfo=timezone.utc)
    html = report_html(case, book=book, now=now, images=False)
    assert "<title>" in html
    for text in (html, report_markdown(case, now=now), summarise(case, now=now).message_en):
        assert "010-2345-6789" not in text and "월드컵북로" not in text


@pytest.mark.parametrize("size", [10_000, 200_000])
def test_masking_a_long_hostile_text_stays_cheap(size):
    text = ("0" * size) + (" 1" * size) + ("P" + " " * size)
    assert len(mask_text(text, SHOPPER)) >= size
