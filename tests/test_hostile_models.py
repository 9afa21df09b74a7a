"""Hostile input at the model and store layer: bounded values, lenient reading of old files, one-line errors."""

from __future__ import annotations

import errno
import json
from datetime import datetime, timedelta, timezone

import pytest
from filelock import FileLock

from casebook.errors import CaseBusyError, CaseInputError, CasebookError, CorruptCaseError, StorageError
from casebook.models import (
    MAX_EVENTS,
    Evidence,
    Message,
    Order,
    Problem,
    Shipment,
    TrackingEvent,
    TrackingSnapshot,
    parse_case,
    validate,
)
from casebook.store import Casebook
from tests.conftest import snapshot_tree
from tests.helpers import order_data

UTC = timezone.utc


def case_data(**parts):
    data = {"id": "h-1", "order": order_data(), "problem": {"kind": "damaged"}}
    data.update(parts)
    return data


def event(when="2026-03-10T09:30:00+08:00", **extra):
    return {"time": when, "description": "left the sorting centre", **extra}


def refused(data) -> CaseInputError:
    with pytest.raises(CaseInputError) as info:
        parse_case(data)
    assert "\n" not in str(info.value)
    return info.value


# -- dates --------------------------------------------------------------------------------

BAD_DATES = [
    (case_data(order=order_data(order_date="1999-12-31", ship_date=None)), "order.order_date"),
    (case_data(order=order_data(order_date="2101-01-01", ship_date=None)), "order.order_date"),
    (case_data(order=order_data(ship_date="9999-12-31")), "order.ship_date"),
    (case_data(order=order_data(promised_date="2200-01-01")), "order.promised_date"),
    (case_data(order=order_data(received_date="3000-01-01")), "order.received_date"),
    (case_data(problem={"kind": "damaged", "noticed_date": "0001-01-01"}), "problem.noticed_date"),
    (case_data(dispute={"stage": "opened", "opened_date": "2999-01-01"}), "dispute.opened_date"),
    (case_data(shipments=[{"events": [event("1970-01-01T00:00:00+00:00")]}]), "shipments.0.events.0.time"),
    (case_data(messages=[{"at": "2150-01-01T00:00:00+09:00", "channel": "email", "direction": "sent", "text": "hi"}]),
     "messages.0.at"),
    (case_data(shipments=[{"snapshots": [{"fetched_at": "1901-01-01T00:00:00+00:00", "source": "offline",
                                          "number": "RA123456785CN", "status": "InTransit"}]}]),
     "shipments.0.snapshots.0.fetched_at"),
    (case_data(created_at="1990-05-05T00:00:00+00:00"), "created_at"),
]


@pytest.mark.parametrize("data, field", BAD_DATES, ids=[f for _, f in BAD_DATES])
def test_a_date_outside_2000_to_2100_is_refused_naming_the_field(data, field):
    error = refused(data)
    assert error.fields == [field]
    assert "2000-01-01..2100-12-31" in str(error)


def test_an_informational_capture_time_out_of_range_becomes_unknown():
    base = {"id": "E01", "kind": "defect_photo", "file": "E01-defect-photo.jpg", "sha256": "0" * 64, "size": 1,
            "mime": "image/jpeg", "added_at": "2026-03-01T00:00:00+00:00"}
    for value in ("1970-01-01T00:00:00", "2999-01-01T00:00:00", "not a date", 12345678901234):
        assert Evidence.model_validate(base | {"captured_at": value}).captured_at is None
    assert Evidence.model_validate(base | {"captured_at": "2026-03-16T20:02:11"}).captured_at.year == 2026


# -- money --------------------------------------------------------------------------------

BAD_AMOUNTS = ["1e99999999", "NaN", "nan", "Infinity", "-Infinity", "sNaN", float("nan"), float("inf"), 10**40,
               "1000000000000", "1" * 500, "0.0000000000000000001", True]


@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=[repr(a)[:20] for a in BAD_AMOUNTS])
def test_absurd_amounts_are_refused_with_the_amount_field_named(amount):
    error = refused(case_data(order=order_data(price={"amount": amount, "currency": "USD"})))
    assert error.fields == ["order.price.amount"]
    assert len(str(error)) < 300, "the message must not echo a huge value"


@pytest.mark.parametrize("amount, currency", [("12.345", "USD"), ("100.5", "KRW"), ("1.2345", "BHD"), ("0.001", "EUR")])
def test_more_decimals_than_the_currency_has_are_refused(amount, currency):
    error = refused(case_data(order=order_data(price={"amount": amount, "currency": currency})))
    assert error.fields == ["order.price"] and currency in str(error)


@pytest.mark.parametrize("amount, currency", [("999999999999", "KRW"), ("12.30", "USD"), ("1.234", "BHD"),
                                              ("100.000", "KRW"), (12.3, "USD"), ("0", "JPY")])
def test_ordinary_amounts_are_accepted(amount, currency):
    assert parse_case(case_data(order=order_data(price={"amount": amount, "currency": currency}))).order.price


# -- text -----------------------------------------------------------------------------------

LONG_TEXT = [
    (case_data(order=order_data(item_title="x" * 201)), "order.item_title", "200"),
    (case_data(order=order_data(option="x" * 201)), "order.option", "200"),
    (case_data(problem={"kind": "damaged", "description": "x" * 20_001}), "problem.description", "20,000"),
    (case_data(messages=[{"at": "2026-03-02T00:00:00+09:00", "channel": "email", "direction": "sent", "text": "x" * 20_001}]),
     "messages.0.text", "20,000"),
    (case_data(notes="메" * 20_001), "notes", "20,000"),
    (case_data(shipments=[{"events": [event(description="x" * 2_001)]}]), "shipments.0.events.0.description", "2,000"),
]


@pytest.mark.parametrize("data, field, limit", LONG_TEXT, ids=[f for _, f, _ in LONG_TEXT])
def test_over_long_text_is_refused_with_the_limit_and_without_echoing_it(data, field, limit):
    error = refused(data)
    assert error.fields == [field] and limit in str(error) and len(str(error)) < 200


def test_limits_are_stated_in_the_schema_descriptions():
    from casebook.models import Case

    schema = json.dumps(Case.model_json_schema())
    for words in ("at most 200 characters", "At most 20,000 characters", "2000-01-01 .. 2100-12-31",
                  "at most 12 digits before the decimal point", "newest 1,000"):
        assert words.lower() in schema.lower(), words


def test_a_caption_over_its_limit_is_refused():
    base = {"id": "E01", "kind": "defect_photo", "file": "E01-defect-photo.jpg", "sha256": "0" * 64, "size": 1,
            "mime": "image/jpeg", "added_at": "2026-03-01T00:00:00+00:00"}
    with pytest.raises(CaseInputError) as info:
        validate(Evidence, base | {"caption": "x" * 1_001}, "evidence")
    assert info.value.fields == ["evidence.caption"]


# -- events and raw answers -------------------------------------------------------------

def many_events(n: int) -> list[TrackingEvent]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [TrackingEvent(time=start + timedelta(minutes=i), description=f"scan {i}") for i in range(n)]


def test_a_shipment_keeps_its_newest_events_and_counts_the_dropped_ones():
    events = many_events(MAX_EVENTS + 5)
    shipment = Shipment(events=events)
    assert len(shipment.events) == MAX_EVENTS and shipment.dropped_events == 5
    assert shipment.events[0].description == f"scan {MAX_EVENTS + 4}" and shipment.events[-1].description == "scan 5"
    shipment.events = [*shipment.events, *many_events(3)]  # older ones again: dropped, and counted
    assert len(shipment.events) == MAX_EVENTS and shipment.dropped_events == 8


def test_a_snapshot_caps_its_events_and_its_raw_answer():
    snapshot = TrackingSnapshot(fetched_at=datetime(2026, 3, 1, tzinfo=UTC), source="17track", number="RA123456785CN",
                                status="InTransit", events=many_events(MAX_EVENTS + 1), raw={"blob": "x" * 300_000})
    assert len(snapshot.events) == MAX_EVENTS and snapshot.dropped_events == 1
    assert list(snapshot.raw) == ["casebook_note"] and "byte limit" in snapshot.raw["casebook_note"]
    deep: dict = {}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    snapshot = TrackingSnapshot(fetched_at=datetime(2026, 3, 1, tzinfo=UTC), source="17track", number="RA123456785CN",
                                status="InTransit", raw=deep)
    assert "deeper" in snapshot.raw["casebook_note"]


def test_deeply_nested_input_is_a_case_input_error_not_a_recursion_error():
    data = case_data()
    node = data
    for _ in range(5_000):
        node["order"] = {}
        node = node["order"]
    with pytest.raises(CaseInputError):
        parse_case(data)
    with pytest.raises(CaseInputError):
        validate(Order, data["order"], "order")


# -- the store: nothing saved on bad input, lenient reading of old files -------------------------

def new(book, case_id="c1"):
    return book.new_case(Order.model_validate(order_data()), Problem(kind="not_received"), case_id=case_id)


@pytest.mark.parametrize("change, field", [
    (lambda c: setattr(c, "notes", "x" * 20_001), "notes"),
    (lambda c: setattr(c.order, "ship_date", "2200-01-01"), "ship_date"),
    (lambda c: setattr(c, "messages", [Message(at=datetime(2026, 3, 5, tzinfo=UTC), channel="email", direction="sent",
                                               text="hi"), {"at": "1800-01-01T00:00:00+00:00"}]), "messages"),
])
def test_a_bad_value_in_an_update_is_a_one_line_input_error_and_nothing_is_saved(book, change, field):
    new(book)
    before = snapshot_tree(book.path)
    with pytest.raises(CaseInputError) as info:
        book.update("c1", change)
    assert field in str(info.value) and "\n" not in str(info.value)
    assert snapshot_tree(book.path) == before


def write_raw(book, case_id, mutate):
    path = book.case_file(case_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_an_old_case_with_out_of_range_data_still_loads_and_reports_what_was_repaired(book):
    from casebook.playbook import advise
    from casebook.summary import summarise

    new(book)

    def mutate(data):
        data["order"]["order_date"] = "1900-01-01"
        data["order"]["ship_date"] = "1900-01-03"
        data["order"]["promised_date"] = "9999-12-31"
        data["order"]["item_title"] = "긴 제목 " * 100
        data["shipments"] = [{"tracking_number": "RA123456785CN",
                              "events": [event("2300-01-01T00:00:00+00:00"), event("0005-01-01T00:00:00+00:00")]}]
        data["messages"] = [{"at": "9999-12-31T23:59:59+00:00", "channel": "seller_chat", "direction": "sent", "text": "hi"}]

    path = write_raw(book, "c1", mutate)
    original = path.read_bytes()
    case = book.get("c1")
    problems = " | ".join(case.load_problems)
    for field in ("order_date", "ship_date", "promised_date", "item_title", "time", "at"):
        assert field in problems
    assert str(case.order.order_date) == "2000-01-01" and str(case.order.promised_date) == "2100-12-31"
    assert book.problems() == {"c1": case.load_problems}
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert advise(case, now=now).checks and summarise(case, now=now).message_en
    assert path.read_bytes() == original, "loading must never rewrite the file"
    book.save(case)
    kept = list((book.path / ".trash").glob("c1-original-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == original, "the original values are kept in the trash"
    assert book.get("c1").load_problems == []


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d["order"]["price"].update(amount="1e99999999"), "order.price.amount"),
    (lambda d: d["order"]["price"].update(amount="NaN"), "order.price.amount"),
    (lambda d: d.update(unknown_field=1), "unknown_field"),
])
def test_an_unrepairable_stored_case_is_one_corrupt_line_and_listed_as_broken(book, mutate, words):
    new(book)
    new(book, "fine")
    write_raw(book, "c1", mutate)
    with pytest.raises(CorruptCaseError) as info:
        book.get("c1")
    assert words in str(info.value) and "c1/case.json" in str(info.value) and "\n" not in str(info.value)
    assert [b.case_id for b in book.broken()] == ["c1"] and [c.id for c in book] == ["fine"]
    assert book.to_frame()["id"].tolist() == ["c1", "fine"]


def test_a_deeply_nested_case_file_is_corrupt_not_a_crash(book):
    new(book)
    path = book.case_file("c1")
    path.write_text('{"id": "c1", "schema_version": 1, "notes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CorruptCaseError, match="nested too deeply"):
        book.get("c1")
    assert book.to_frame().set_index("id").loc["c1", "error"]
    assert [b.case_id for b in book.broken()] == ["c1"]


# -- one-line errors from the disk and the lock ------------------------------------------------

def test_init_on_an_existing_file_is_a_casebook_error(tmp_path):
    target = tmp_path / "afile"
    target.write_text("not a folder")
    with pytest.raises(CasebookError, match="is a file"):
        Casebook.init(target)
    with pytest.raises(CasebookError):
        Casebook.init(target / "below")
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_a_read_only_casebook_is_a_one_line_error_naming_the_path(book, monkeypatch, code):
    new(book)
    before = snapshot_tree(book.path)

    def refuse(*args, **kwargs):
        raise OSError(code, errno.errorcode[code].lower())

    monkeypatch.setattr("casebook.store.tempfile.mkstemp", refuse)
    case = book.get("c1")
    case.notes = "changed"
    with pytest.raises(CasebookError) as info:
        book.save(case)
    assert isinstance(info.value, StorageError) and isinstance(info.value, OSError)
    assert str(book.case_file("c1")) in str(info.value) and "\n" not in str(info.value)
    assert snapshot_tree(book.path) == before


def test_a_lock_held_elsewhere_says_the_case_is_busy(tmp_path):
    book = Casebook.init(tmp_path / "book", lock_timeout=0)
    new(book)
    holder = FileLock(str(book.path / ".c1.lock"))
    with holder:
        case = book.get("c1")
        case.notes = "mine"
        with pytest.raises(CaseBusyError, match="'c1' is busy"):
            book.save(case)
        with pytest.raises(CasebookError, match="busy"):
            book.update("c1", lambda c: None)
    assert book.get("c1").notes == ""
    book.save(case)
    assert book.get("c1").notes == "mine"


@pytest.mark.parametrize("data, field", [
    (case_data(order=order_data(order_id="9" * 1_000_000)), "order.order_id"),
    (case_data(order=order_data(item_url="x" * 100_000)), "order.item_url"),
    (case_data(order=order_data(price={"amount": "1", "currency": "Q" * 100_000})), "order.price.currency"),
    (case_data(id="A" * 100_000), "id"),
    (case_data(shopper={"customs_code": "P" * 100_000}), "shopper.customs_code"),
])
def test_an_error_never_echoes_a_huge_value(data, field):
    error = refused(data)
    assert field in error.fields and len(str(error)) < 400


def test_many_bad_fields_make_one_bounded_line():
    data = case_data(shipments=[{"events": [event("1970-01-01T00:00:00+00:00")] * 5_000}])
    error = refused(data)
    assert len(error.problems) == 5_000 and "and 4,990 more" in str(error) and len(str(error)) < 2_000


def test_write_new_file_never_replaces_even_without_hard_links(tmp_path, monkeypatch):
    from casebook.store import write_new_file

    write_new_file(tmp_path / "a", b"first")
    with pytest.raises(FileExistsError):
        write_new_file(tmp_path / "a", b"second")

    def no_links(*args):
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr("casebook.store.os.link", no_links)
    write_new_file(tmp_path / "b", b"third")
    with pytest.raises(FileExistsError):
        write_new_file(tmp_path / "b", b"fourth")
    assert (tmp_path / "a").read_bytes() == b"first" and (tmp_path / "b").read_bytes() == b"third"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"], "no temp files left behind"
