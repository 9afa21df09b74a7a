from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from casebook.errors import CaseInputError
from casebook.models import SCHEMA_VERSION, Case, Money, Order, Problem, check_case_id, parse_case
from tests.helpers import full_case, order_data


def case_data(**order_overrides):
    return {"id": "x-1", "order": order_data(**order_overrides), "problem": {"kind": "damaged"}}


def field_error(data) -> CaseInputError:
    with pytest.raises(CaseInputError) as info:
        parse_case(data)
    return info.value


def test_an_int_order_id_is_refused_because_leading_zeros_would_be_lost():
    error = field_error(case_data(order_id=81234))
    assert error.fields == ["order.order_id"]
    assert "quotes" in str(error) and "leading zeros" in str(error)


def test_leading_zeros_of_an_order_id_are_kept():
    assert parse_case(case_data(order_id="0081234")).order.order_id == "0081234"


def test_a_negative_price_names_the_amount_field():
    error = field_error(case_data(price={"amount": "-1", "currency": "KRW"}))
    assert error.fields == ["order.price.amount"]


def test_an_unknown_currency_is_refused_with_examples_of_accepted_codes():
    error = field_error(case_data(price={"amount": "1", "currency": "KWR"}))
    assert error.fields == ["order.price.currency"]
    assert "KWR" in str(error) and "KRW" in str(error)


def test_currency_codes_are_upper_cased_and_krw_has_no_minor_units():
    assert Money(amount="1", currency="krw").currency == "KRW"
    with pytest.raises(ValidationError, match="no minor units"):
        Money(amount="100.5", currency="KRW")


def test_a_receipt_date_before_the_order_date_is_refused():
    error = field_error(case_data(ship_date=None, received_date="2026-02-01"))
    assert error.fields == ["order"]
    assert "received_date 2026-02-01 is before order_date 2026-03-01" in str(error)


def test_a_ship_date_before_the_order_date_is_refused():
    assert "ship_date" in str(field_error(case_data(ship_date="2026-02-27")))


def test_an_unknown_problem_kind_lists_the_accepted_kinds():
    data = case_data()
    data["problem"] = {"kind": "broken"}
    error = field_error(data)
    assert error.fields == ["problem.kind"]
    assert "'broken'" in str(error) and "not_received" in str(error)


def test_an_unknown_field_is_refused_by_name():
    data = case_data()
    data["order"]["colour"] = "red"
    error = field_error(data)
    assert error.fields == ["order.colour"]
    assert "unknown field" in str(error)


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/b", "..", "", "UPPER", "x" * 81, "a\\b", ".hidden"])
def test_path_like_case_ids_are_refused(bad):
    with pytest.raises(CaseInputError) as info:
        check_case_id(bad)
    assert info.value.fields == ["id"]
    data = case_data()
    data["id"] = bad
    assert field_error(data).fields == ["id"]


def test_every_field_survives_a_json_round_trip_exactly():
    case = full_case()
    again = Case.model_validate_json(case.model_dump_json())
    assert again == case
    assert again.order.price.amount == Decimal("12.30") and str(again.order.price.amount) == "12.30"
    assert again.shipments[0].events[0].time.utcoffset().total_seconds() == 8 * 3600
    assert again.messages[0].text == "안녕하세요"


def test_text_is_stripped_and_assignment_is_validated():
    order = Order.model_validate(order_data(item_title="  earbuds  "))
    assert order.item_title == "earbuds"
    with pytest.raises(ValidationError):
        order.quantity = 0


def test_promised_by_falls_back_to_guarantee_days_after_shipping():
    order = Order.model_validate(order_data(delivery_guarantee_days=15))
    assert str(order.promised_by) == "2026-03-18"


def test_a_partial_refund_needs_an_amount():
    data = case_data()
    data["dispute"] = {"requested": "partial_refund"}
    assert "requested_amount" in str(field_error(data))


def test_customs_code_is_normalised_and_checked_for_shape_only():
    data = case_data()
    data["shopper"] = {"customs_code": "p-1234 5678 9012"}
    assert parse_case(data).shopper.customs_code == "P123456789012"
    data["shopper"] = {"customs_code": "P12345"}
    assert field_error(data).fields == ["shopper.customs_code"]


def test_models_render_themselves_for_jupyter_with_escaped_text():
    case = full_case()
    case.order.item_title = "<script>alert(1)</script>"
    html = case._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<table" in Problem(kind="damaged")._repr_html_()


def test_the_exported_json_schema_file_is_current():
    from tests.conftest import ROOT

    committed = json.loads((ROOT / "docs" / "case.schema.json").read_text(encoding="utf-8"))
    assert committed == Case.model_json_schema(), "regenerate with: casebook schema > docs/case.schema.json"
    assert committed["properties"]["schema_version"]["default"] == SCHEMA_VERSION
