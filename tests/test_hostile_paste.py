"""Hostile pasted text: tracking pages and free text are read in linear time, within stated caps.

"Linear time" is checked with hypothesis' own per-example deadline (no
wall-clock asserts): these inputs took seconds to minutes before.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.errors import TrackingError, TrackingNumberError
from casebook.models import LINE_MAX
from casebook.tracking import numbers
from casebook.tracking.numbers import MAX_JOIN_PIECES, extract
from casebook.tracking.providers import MAX_PASTE_CHARS, OfflineProvider, parse_csv, parse_json, parse_paste

ONCE = settings(deadline=5000, max_examples=20, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

# -- pasted pages ---------------------------------------------------------------------------------

PATHOLOGICAL_LINES = [
    "a" * 40_000,
    "2026-06-09 15:20" + " " * 40_000 + "x",
    "15:20" + " " * 40_000,
    "Jun" + " " * 40_000 + "9, 2026",
    "2026.06.09 15:20 (GMT" + " " * 40_000,
    "1:11 " * 8_000,
    "Sep" * 13_000 + " 9, 2026 15:20",
    "\t" * 40_000 + "2026-06-09 15:20",
]


@ONCE
@given(st.sampled_from(PATHOLOGICAL_LINES))
def test_a_pathological_line_is_parsed_in_linear_time(line):
    result = parse_paste(line, max_line=None)  # even uncapped, the regexes must not backtrack
    assert len(result.events) + len(result.problems) <= 1


def test_an_over_long_line_is_reported_not_scanned():
    text = "2026-06-09 15:20 [Incheon] Arrived\n" + "x" * 5_000 + "\n2026-06-10 09:00 [Seoul] Delivered"
    result = parse_paste(text)
    assert len(result.events) == 2
    ((line, shown, why),) = result.problems
    assert line == 2 and "5,000 characters" in why and "at most 2,000" in why and len(shown) < 100


def test_an_over_size_paste_is_a_clear_error_and_a_per_number_result():
    text = "no dates here\n" * (MAX_PASTE_CHARS // 14 + 10)
    with pytest.raises(TrackingError, match="at most 2,000,000"):
        parse_paste(text)
    (result,) = OfflineProvider({"RA123456785CN": text}).track(["RA123456785CN"])
    assert result.error.code == "bad_paste" and "at most" in result.error.message


@pytest.mark.parametrize("line", [
    "1900-06-09 15:20 [Incheon] Arrived",
    "2999-06-09 15:20 [Incheon] Arrived",
    "2026-06-09 15:20 +99:00 Arrived",
    "2026-02-30 15:20 Arrived",
])
def test_impossible_dates_in_a_paste_are_problems_not_events(line):
    result = parse_paste(line)
    assert result.events == [] and len(result.problems) == 1


def test_pasted_event_text_is_clipped_to_the_model_limit():
    result = parse_json(json.dumps([{"time": "2026-06-09T15:20:00+09:00", "description": "x" * 5_000,
                                     "location": "y" * 500}]))
    (event,) = result.events
    assert len(event.description) == LINE_MAX and len(event.location) <= 200


HOSTILE_JSON = [
    "[" * 100_000 + "]" * 100_000,
    '{"events": ' + "[" * 100_000 + "]" * 100_000 + "}",
]


@pytest.mark.parametrize("text", HOSTILE_JSON, ids=["deep-list", "deep-events"])
def test_deep_json_is_a_tracking_error(text):
    with pytest.raises(TrackingError, match="nested too deeply"):
        parse_json(text)


def test_json_rows_of_the_wrong_shape_are_problems():
    rows = [{"time": ["2026"], "description": "a"}, {"time": "2026-06-09T15:20:00+09:00", "description": {"x": 1}},
            {"time": "2026-06-09T15:20:00", "description": "ok", "location": {"nested": True}, "status": ["Delivered"]},
            {"time": "9" * 5_000, "description": "long time"}, "not a row", None]
    result = parse_json(json.dumps(rows))
    assert len(result.events) == 1 and result.events[0].location is None
    assert len(result.problems) == 5


@pytest.mark.parametrize("text, words", [
    ("time,description\n2026-06-09 15:20,Arrived,EXTRA,MORE\n", None),
    ("time,description\n2026-06-09 15:20,\"" + "x" * 200_000 + "\"\n", "CSV cannot be read"),
])
def test_odd_csv_never_raises_anything_but_tracking_error(text, words):
    if words:
        with pytest.raises(TrackingError, match=words):
            parse_csv(text)
    else:
        assert len(parse_csv(text).events) == 1


# -- free text --------------------------------------------------------------------------------------

@ONCE
@given(st.sampled_from(["1 " * 1_500, "1-" * 1_500, "운송장 " + "1 " * 1_500, "RA 1 " * 600, "12 34 " * 500]))
def test_extract_on_a_3_kb_run_of_short_words_is_bounded(line):
    extract(line)


def test_candidate_windows_are_bounded_per_word():
    line = "1 " * 200
    m = numbers._TOKEN.search(line)
    pieces = len(line.split())
    windows = numbers._windows(line, m, 10, 41)
    assert len(windows) <= MAX_JOIN_PIECES * pieces


def test_extract_refuses_text_above_its_limit():
    with pytest.raises(TrackingNumberError, match="at most 200,000"):
        extract("hello " * 40_000)
