"""Hostile tracking providers: capped Retry-After, answers of the wrong shape, bad configuration, echoed secrets."""

from __future__ import annotations

import email.utils
from datetime import datetime, timezone

import httpx
import pytest

from casebook.config import Secret
from casebook.errors import ConfigError, ProviderError
from casebook.models import LINE_MAX, Order, Problem
from casebook.tracking.providers import ResultError, TrackingResult
from casebook.tracking.seventeentrack import (
    RETRY_AFTER_MAX,
    SeventeenTrack,
    _retry_after,
    read_register_answer,
    read_track_answer,
)
from casebook.tracking.service import save_result
from casebook.tracking.unipass import UniPass, parse_unipass_xml
from tests.helpers import order_data

TOKEN = "hostile-test-token"

# -- 17TRACK: Retry-After and total retry time --------------------------------------------------------

def http_date(year: int) -> str:
    return email.utils.format_datetime(datetime(year, 1, 1, tzinfo=timezone.utc), usegmt=True)


@pytest.mark.parametrize("header, expected", [
    ("3600", RETRY_AFTER_MAX), ("1e308", RETRY_AFTER_MAX), (http_date(2099), RETRY_AFTER_MAX), ("2", 2.0),
    ("-5", 0.0), ("inf", None), ("nan", None), ("soon", None), ("9" * 500, None), (http_date(2001), 0.0),
])
def test_retry_after_is_capped(header, expected):
    assert _retry_after(header) == expected


@pytest.fixture
def fake_clock(monkeypatch):
    """time.sleep and time.monotonic on a fake clock: the waits requested are recorded, nobody waits."""
    import time as real_time

    state = {"now": real_time.monotonic(), "sleeps": []}

    def sleep(seconds: float) -> None:
        state["sleeps"].append(seconds)
        state["now"] += seconds

    monkeypatch.setattr("time.sleep", sleep)
    monkeypatch.setattr("time.monotonic", lambda: state["now"])
    return state


@pytest.mark.parametrize("retry_after", ["3600", http_date(2099)])
def test_a_huge_retry_after_is_capped_and_all_retries_fit_the_budget(fake_clock, retry_after):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(429, headers={"Retry-After": retry_after}, json={"code": 429})

    client = SeventeenTrack(TOKEN, transport=httpx.MockTransport(handler), rate=1000, attempts=10, retry_budget=100)
    (result,) = client.track(["LP00081234567890"])
    waits = [s for s in fake_clock["sleeps"] if s > 0.01]
    assert result.error.code == "rate_limited"
    assert waits and max(waits) <= RETRY_AFTER_MAX
    assert sum(waits) <= 100, f"retries waited {sum(waits)} s in total"


# -- 17TRACK: answers of the wrong shape ----------------------------------------------------------------

NUMBER = "LP00081234567890"


def accepted(**track_info):
    return {"code": 0, "data": {"accepted": [{"number": NUMBER, "track_info": track_info}], "rejected": []}}


def event(**fields):
    return {"time_iso": "2026-06-09T15:20:00+08:00", "description": "Departed", **fields}


def providers(*events, **provider):
    return {"tracking": {"providers": [{"provider": {"key": 3011}, "events": list(events), **provider}]}}


WRONG_SHAPES = {
    "body-is-a-list": [1, 2, 3],
    "data-is-text": {"code": 0, "data": "surprise"},
    "data-is-a-list": {"code": 0, "data": [NUMBER]},
    "accepted-is-an-object": {"code": 0, "data": {"accepted": {"number": NUMBER}}},
    "accepted-is-text": {"code": 0, "data": {"accepted": "all of them"}},
    "accepted-item-is-text": {"code": 0, "data": {"accepted": [NUMBER]}},
    "number-is-an-object": {"code": 0, "data": {"accepted": [{"number": {"n": NUMBER}, "track_info": {}}]}},
    "track-info-missing": {"code": 0, "data": {"accepted": [{"number": NUMBER}]}},
    "track-info-is-a-list": {"code": 0, "data": {"accepted": [{"number": NUMBER, "track_info": []}]}},
    "latest-status-is-text": accepted(latest_status="Delivered"),
    "tracking-is-a-list": accepted(tracking=[]),
    "providers-is-an-object": accepted(tracking={"providers": {"a": 1}}),
    "provider-is-text": accepted(tracking={"providers": ["3011"]}),
    "events-is-an-object": accepted(tracking={"providers": [{"events": {"0": event()}}]}),
    "event-is-text": accepted(**providers("Departed 2026-06-09")),
    "time-is-a-number": accepted(**providers(event(time_iso=1749453600))),
    "description-is-an-object": accepted(**providers(event(description={"en": "x"}))),
    "location-is-a-list": accepted(**providers(event(location=["Shenzhen"]))),
    "rejected-is-text": {"code": 0, "data": {"accepted": [], "rejected": "nope"}},
    "code-is-a-list": {"code": [0], "data": {}},
    "errors-is-text": {"code": -1, "data": {"errors": "bad"}},
    "error-code-is-a-list": {"code": -1, "data": {"errors": [{"code": [1], "message": ["x"]}]}},
}


@pytest.mark.parametrize("body", WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
def test_a_wrong_shape_is_a_per_number_error_never_a_traceback(body):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/register"):
            return httpx.Response(200, json={"code": 0, "data": {"accepted": [{"number": NUMBER}], "rejected": []}})
        return httpx.Response(200, json=body)

    client = SeventeenTrack(TOKEN, transport=httpx.MockTransport(handler), rate=1000, attempts=1)
    (result,) = client.track([NUMBER])
    assert result.error is not None and result.error.code and result.error.message
    try:
        mapped = read_track_answer(body, {})
    except ProviderError:
        return
    assert all(isinstance(value, ResultError) for value in mapped.values())


def test_a_good_answer_still_maps():
    answer = read_track_answer(accepted(latest_status={"status": "InTransit"}, **providers(event(), event(
        time_iso="1900-01-01T00:00:00+00:00"))), {})
    result = answer[NUMBER]
    assert isinstance(result, TrackingResult) and len(result.events) == 1, "out-of-range events are skipped"
    registered = read_register_answer({"code": 0, "data": {"accepted": [{"number": NUMBER}], "rejected": [
        {"number": "X1", "error": {"code": -18019901}}, {"number": "X2", "error": {"code": -18019903}}]}})
    assert registered[NUMBER] is None and registered["X1"] is None and registered["X2"].code == "unknown_carrier"


# -- configuration ----------------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["토큰값", "abc def", "abc\ndef", "abc\x00", "x" * 600])
def test_a_token_that_cannot_travel_in_a_header_is_a_config_error(token):
    with pytest.raises(ConfigError, match="printable ASCII") as info:
        SeventeenTrack(token, base_url="https://api.example.test/track/v2.2")
    assert token not in str(info.value)
    with pytest.raises(ConfigError):
        UniPass(token, base_url="https://unipass.example.test")


@pytest.mark.parametrize("url", ["not a url", "ftp://api.17track.net/track", "http://", "https://exa mple.com",
                                 "api.17track.net/track/v2.2", "https://[::1", "ht!tp://x"])
def test_a_malformed_base_url_is_a_config_error(url):
    with pytest.raises(ConfigError, match="SEVENTEENTRACK_BASE_URL"):
        SeventeenTrack(TOKEN, base_url=url)
    with pytest.raises(ConfigError, match="UNIPASS_BASE_URL"):
        UniPass("key", base_url=url)


def test_every_request_carries_a_timeout_even_with_a_client_without_one():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions.get("timeout"))
        if "unipass" in request.url.host:
            return httpx.Response(200, text="<r><tCnt>0</tCnt></r>")
        return httpx.Response(200, json={"code": 0, "data": {"accepted": [], "rejected": []}})

    open_ended = httpx.Client(transport=httpx.MockTransport(handler), timeout=None)
    SeventeenTrack(TOKEN, client=open_ended, base_url="https://api.example.test/track/v2.2", rate=1000).track([NUMBER])
    UniPass("key", client=open_ended, base_url="https://unipass.example.test", year=2026).track([NUMBER])
    assert seen and all(t and all(v is not None for v in t.values()) for t in seen), seen


def test_an_entity_bomb_from_unipass_is_malformed_not_expanded():
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r><tCnt>1</tCnt><ntceInfo>&c;</ntceInfo></r>')
    assert parse_unipass_xml(NUMBER, bomb).error.code == "malformed"
    result = parse_unipass_xml(NUMBER, "<r><tCnt>1</tCnt><cargCsclPrgsInfoDtlQryVo><cargTrcnRelaBsopTpcd>" + "통관" * 3_000
                               + "</cargTrcnRelaBsopTpcd><prcsDttm>20260609152000</prcsDttm></cargCsclPrgsInfoDtlQryVo></r>")
    assert result.ok and len(result.events[0].description) == LINE_MAX


# -- provider text is scrubbed of secrets before it is saved -------------------------------------------

def test_a_secret_echoed_by_a_provider_never_reaches_the_case_file(book):
    secret = Secret("FAKE-" + "ECHOED-KEY-7f3a")
    revealed = secret.reveal()
    book.new_case(Order.model_validate(order_data()), Problem(kind="not_received"), case_id="s1")
    result = read_track_answer(accepted(latest_status={"status": "InTransit", "sub_status": f"x {revealed}"}, **providers(
        event(description=f"Request crkyCn={revealed} failed", location=f"at {revealed}"))), {})[NUMBER]
    result.raw["echo"] = {revealed: [revealed]}
    save_result(book, "s1", result)
    text = book.case_file("s1").read_text(encoding="utf-8")
    assert revealed not in text and "***" in text


@pytest.mark.parametrize("toml", ['secrets = "x"\n', "[secrets]\nseventeentrack_token = 5\n", "[secrets]\nseventeentrack_token = [1]\n"])
def test_a_malformed_secrets_table_is_a_config_error(book, toml):
    from casebook.settings import Settings

    (book.path / "casebook.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[secrets\]"):
        Settings.resolve(book.path, env={})
