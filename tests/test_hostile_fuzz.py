"""Fuzzing the parsers of untrusted input: only casebook's typed errors may come out, within a deadline.

The deadline is hypothesis' own per-example budget (generous: 2 s), not a
wall-clock assert; the examples are derandomised so runs are repeatable.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ProviderError, TrackingError, TrackingNumberError
from casebook.examples import read_new_case
from casebook.models import Case
from casebook.store import Casebook
from casebook.tracking.numbers import extract, parse
from casebook.tracking.providers import TrackingResult, parse_text
from casebook.tracking.seventeentrack import SeventeenTrack, read_register_answer, read_track_answer
from tests.helpers import full_case

FUZZ = settings(deadline=5000, max_examples=150, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces that pasted tracking pages are made of, so the fuzzer reaches the interesting paths.
FRAGMENTS = st.sampled_from([
    "2026-06-09 15:20", "2026.06.09 15:20:01", "2026년 6월 9일 15:20", "06/09/2026 15:20", "Jun 9, 2026 15:20",
    "9 June 2026 15:20", "(GMT+8)", "+09:00", "UTC-99:99", "[Incheon]", "\t", " | ", "   ", "Delivered", "통관",
    "Shenzhen, CN", "\n", "RA123456785CN", "운송장", "tracking number", "1 ", "12 34", "-", ":", "9999", "0000-00-00 00:00",
])
PASTES = st.one_of(st.text(max_size=3_000), st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=300).map("".join))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=40,
)


@FUZZ
@given(PASTES)
def test_the_paste_parser_only_raises_tracking_errors(text):
    try:
        result = parse_text(text)
    except TrackingError:
        return
    assert all(isinstance(n, int) and isinstance(why, str) for n, _, why in result.problems)


@FUZZ
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=200).map("".join))
def test_json_and_csv_imports_only_raise_tracking_errors(body):
    for text in ("[" + body, '{"events": [' + body, "time,description\n" + body, json.dumps([{"time": body, "description": body}])):
        try:
            parse_text(text)
        except TrackingError:
            pass


@FUZZ
@given(PASTES)
def test_the_number_extractor_only_raises_its_own_error(text):
    try:
        found = extract(text)
    except TrackingNumberError:
        return
    assert all(f.parsed.valid for f in found)
    parse(text[:200])


CASE = full_case("fuzz-case").model_dump(mode="json")


def mutations():
    """A valid stored case with one value replaced by anything JSON can hold."""
    paths = [("order", "order_date"), ("order", "price", "amount"), ("order", "item_title"), ("notes",),
             ("shipments", 0, "events", 0, "time"), ("shipments", 0, "events"), ("messages", 0, "at"),
             ("shipments", 0, "snapshots", 0, "raw"), ("evidence",), ("dispute",), ("shopper", "customs_code"),
             ("order", "price"), ("revision",), ("schema_version",), ("id",)]
    return st.tuples(st.sampled_from(paths), JSON | st.sampled_from(["1e99999999", "NaN", "0001-01-01", "9999-12-31T00:00:00Z",
                                                                    "x" * 30_000]))


def mutated(path, value):
    data = json.loads(json.dumps(CASE))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@FUZZ
@given(mutations())
def test_the_case_file_reader_only_raises_casebook_errors(change):
    data = mutated(*change)
    with tempfile.TemporaryDirectory() as tmp:
        book = Casebook.init(Path(tmp) / "book")
        folder = book.path / "fuzz-case"
        folder.mkdir()
        (folder / "case.json").write_text(json.dumps(data), encoding="utf-8")
        try:
            case = book.get("fuzz-case")
        except CasebookError:
            pass
        else:
            assert isinstance(case, Case)
            case.model_dump_json()
        for suffix in (".json", ".yaml"):
            source = Path(tmp) / f"new{suffix}"
            source.write_text(json.dumps(data), encoding="utf-8")
            try:
                read_new_case(source)
            except CasebookError:
                pass


@FUZZ
@given(st.binary(max_size=2_000) | JSON.map(lambda v: json.dumps(v).encode()))
def test_raw_case_bytes_only_raise_casebook_errors(raw):
    with tempfile.TemporaryDirectory() as tmp:
        book = Casebook.init(Path(tmp) / "book")
        (book.path / "raw").mkdir()
        (book.path / "raw" / "case.json").write_bytes(raw)
        try:
            book.get("raw")
        except CasebookError:
            pass
        assert len(book.to_frame()) == 1


NUMBER = "LP00081234567890"
TRACK_SHAPED = st.fixed_dictionaries({"code": st.sampled_from([0, 0, 0, -18019909, "0", None]), "data": st.one_of(JSON, st.fixed_dictionaries({
    "accepted": st.one_of(JSON, st.lists(st.fixed_dictionaries({"number": st.sampled_from([NUMBER, 5, None]),
                                                                 "track_info": JSON}), max_size=3)),
    "rejected": JSON}))})


@FUZZ
@given(st.one_of(JSON, TRACK_SHAPED))
def test_the_17track_answer_mapper_only_raises_provider_errors(answer):
    for read in (lambda a: read_track_answer(a, {NUMBER: None}), read_register_answer):
        try:
            mapped = read(answer)
        except ProviderError:
            continue
        assert all(value is None or isinstance(value, TrackingResult) or hasattr(value, "code") for value in mapped.values())


@settings(deadline=5000, max_examples=40, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, TRACK_SHAPED))
def test_the_17track_client_answers_every_number_whatever_comes_back(answer):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/register"):
            return httpx.Response(200, json={"code": 0, "data": {"accepted": [{"number": NUMBER}]}})
        return httpx.Response(200, content=json.dumps(answer).encode())

    client = SeventeenTrack("fuzz-token", transport=httpx.MockTransport(handler), rate=10_000, attempts=1)
    (result,) = client.track([NUMBER])
    assert result.number == NUMBER and (result.ok or result.error.message)
