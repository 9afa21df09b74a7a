from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import datetime, time as dtime
from zoneinfo import ZoneInfo

import httpx
import pytest

from casebook.models import Order, ProblemKind, TrackingStatus
from casebook.tracking.localserver import LocalTrackingServer
from casebook.tracking.providers import OfflineProvider, parse_csv, parse_json, parse_paste
from casebook.tracking.seventeentrack import AsyncSeventeenTrack, RateLimiter, SeventeenTrack
from casebook.tracking.service import save_result, track_many
from casebook.tracking.timeline import analyse
from casebook.tracking.unipass import UniPass
from tests.conftest import ROOT

TOKEN = "test-token-3b8f"
KST = ZoneInfo("Asia/Seoul")
SCENARIOS = {
    "customs-stuck": "LP00081234567890",
    "silent-20-days": "RR512004737CN",
    "delivered": "YT2229521272164447",
    "lost-returned": "LX733110855CN",
    "unknown-number": "LP00099999999999",
}


@pytest.fixture
def server():
    with LocalTrackingServer(token=TOKEN) as running:
        yield running


def client(server, **options) -> SeventeenTrack:
    defaults = {"base_url": server.url, "rate": 100.0, "wait_max": 0.2, "timeout": 2.0}
    return SeventeenTrack(TOKEN, **(defaults | options))


def key(event):
    return (event.time, event.description, event.location, event.status)


# -- the 17TRACK client over real HTTP ----------------------------------------------------------

def test_register_and_query_round_trip_for_every_scenario(server):
    results = client(server).track(list(SCENARIOS.values()))
    by_number = {r.number: r for r in results}
    assert [r.number for r in results] == list(SCENARIOS.values())
    assert all(r.error is None for r in results)
    assert by_number["YT2229521272164447"].status == TrackingStatus.DELIVERED
    assert by_number["LX733110855CN"].sub_status == "Exception_Returned"
    assert by_number["LP00099999999999"].status == TrackingStatus.NOT_FOUND and by_number["LP00099999999999"].events == []
    delivered = by_number["YT2229521272164447"]
    assert len(delivered.events) == 8 and delivered.events[0].time > delivered.events[-1].time, "newest first"
    assert delivered.carrier == "cn.yunexpress" and delivered.raw["track_info"]["latest_status"]["status"] == "Delivered"
    paths = [r.path.rsplit("/", 1)[1] for r in server.requests]
    assert paths == ["register", "gettrackinfo"]


def test_numbers_are_batched_at_the_documented_limit(server):
    numbers = [f"LP{n:014d}" for n in range(95)]
    results = client(server).track(numbers)
    assert len(results) == 95 and all(r.ok for r in results)
    counts = [(r.path.rsplit("/", 1)[1], r.count) for r in server.requests]
    assert counts == [("register", 40), ("register", 40), ("register", 15),
                      ("gettrackinfo", 40), ("gettrackinfo", 40), ("gettrackinfo", 15)]


def test_the_rate_limit_spaces_every_request_on_the_clients_own_clock(monkeypatch):
    """60 numbers, 10 a request, 10 requests a second: measured on a fake clock, so a busy machine cannot change it."""
    from casebook.tracking import seventeentrack as module
    from casebook.tracking.seventeentrack import RateLimiter

    class Clock:
        now = 1000.0

        def time(self) -> float:
            return self.now

        def sleep(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(module.time, "sleep", clock.sleep)
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(clock.time())
        body = json.loads(request.content)
        if request.url.path.endswith("/register"):
            return httpx.Response(200, json={"code": 0, "data": {"accepted": [{"number": n["number"]} for n in body],
                                                                 "rejected": []}})
        return httpx.Response(200, json={"code": 0, "data": {"accepted": [
            {"number": n["number"], "track_info": {"latest_status": {"status": "InTransit"}, "tracking": {"providers": []}}}
            for n in body], "rejected": []}})

    c = SeventeenTrack(TOKEN, transport=httpx.MockTransport(handler), rate=10, batch_size=10)
    c.limiter = RateLimiter(10, clock=clock.time)
    results = c.track([f"LP{n:014d}" for n in range(60)])
    assert all(r.ok for r in results) and len(sent) == 12
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert min(gaps) >= 0.1 - 1e-9, gaps


def test_a_client_at_the_servers_rate_gets_no_429():
    with LocalTrackingServer(token=TOKEN, rate=5) as limited:
        c = SeventeenTrack(TOKEN, base_url=limited.url, rate=4, batch_size=10)  # a quarter second apart, the server asks 0.2
        results = c.track([f"LP{n:014d}" for n in range(30)])
        assert all(r.ok for r in results)
        assert [r.status for r in limited.requests] == [200] * 6


def test_a_429_is_retried_after_the_retry_after_header(server):
    server.inject("429")
    results = client(server, wait_max=5).track(["LP00081234567890"])
    assert results[0].ok and results[0].sub_status == "InTransit_CustomsProcessing"
    first, second = server.requests[0], server.requests[1]
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.95, "Retry-After: 1 must be honoured"


@pytest.mark.parametrize("fault", ["500", "slow", "malformed"])
def test_transient_faults_are_retried_and_succeed(server, fault):
    server.slow_seconds = 3.0  # far longer than the client waits, so a busy machine cannot blur the two
    server.inject(fault)
    results = client(server, timeout=1.0).track(list(SCENARIOS.values()))
    assert all(r.ok for r in results), [r.error for r in results]
    deadline = time.monotonic() + 60  # the abandoned slow request is logged when it ends: wait for it, however busy
    while len(server.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.requests) >= 3


def test_partial_rejections_fail_only_those_numbers(server):
    numbers = list(SCENARIOS.values())
    c = client(server)
    c.register(numbers)
    server.inject("partial")
    results = c.track(numbers)
    failed = [r.number for r in results if not r.ok]
    assert failed == numbers[1::2]
    assert all(r.error.code == "not_yet_tracked" and "3-7 days" in r.error.message for r in results if not r.ok)
    assert all(r.events or r.status == TrackingStatus.NOT_FOUND for r in results if r.ok)


@pytest.mark.parametrize("fault", ["429", "500", "slow", "malformed", "partial", "badtoken"])
def test_the_fault_matrix_never_raises_and_always_answers_every_number(server, fault):
    server.slow_seconds = 0.6
    server.inject(fault, times=20)  # persistent: retries run out
    numbers = list(SCENARIOS.values()) + ["ZZ0000000000", "x"]
    results = client(server, attempts=3, timeout=0.3, wait_max=0.05).track(numbers)
    assert [r.number for r in results] == [n.upper() for n in numbers]
    for result in results:
        assert result.ok or (result.error.code and result.error.message)
    assert TOKEN not in json.dumps([r.model_dump(mode="json") for r in results])


def test_a_wrong_token_is_a_clear_per_number_error(server):
    results = SeventeenTrack("not-the-token", base_url=server.url, rate=100).track(["LP00081234567890"])
    assert results[0].error.code == "auth" and "SEVENTEENTRACK_TOKEN" in results[0].error.message


def test_rejections_are_mapped_to_messages_a_shopper_can_act_on(server):
    unknown, bad = client(server).track(["ZZ1234567890", "ab"])
    assert unknown.error.code == "unknown_carrier" and "ask the seller" in unknown.error.message
    assert bad.error.code == "invalid_number"


def test_the_async_client_gives_the_same_results(server):
    async def run():
        async with AsyncSeventeenTrack(TOKEN, base_url=server.url, rate=100) as c:
            return await c.track(list(SCENARIOS.values()))

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # a fresh thread: no other event loop can be running there
        async_results = pool.submit(asyncio.run, run()).result()
    sync_results = client(server).track(list(SCENARIOS.values()))
    assert [(r.number, r.status, [key(e) for e in r.events]) for r in async_results] == \
           [(r.number, r.status, [key(e) for e in r.events]) for r in sync_results]


def test_mock_transport_unit_an_unexpected_shape_is_reported_not_raised():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["17token"] == TOKEN
        return httpx.Response(200, json={"code": 0, "data": "surprise"})

    c = SeventeenTrack(TOKEN, transport=httpx.MockTransport(handler), rate=1000, attempts=2, wait_max=0.01)
    (result,) = c.track(["LP00081234567890"])
    assert result.error.code == "malformed"


def test_the_token_and_base_url_come_from_the_settings(server, book):
    from casebook.settings import Settings
    from casebook.tracking.service import get_provider

    env = {"SEVENTEENTRACK_BASE_URL": server.url, "SEVENTEENTRACK_TOKEN": TOKEN}
    assert get_provider("17track", Settings.resolve(None, env=env), rate=100).track(["LP00081234567890"])[0].ok
    (book.path / "casebook.toml").write_text(f'[secrets]\nseventeentrack_token = "{TOKEN}"\n', encoding="utf-8")
    settings = Settings.resolve(book.path, env={"SEVENTEENTRACK_BASE_URL": server.url})
    assert get_provider("17track", settings, rate=100).track(["LP00081234567890"])[0].ok
    assert TOKEN not in repr(settings)


def test_no_token_configured_says_where_to_put_it(book):
    from casebook.errors import ConfigError
    from casebook.settings import Settings
    from casebook.tracking.service import get_provider

    with pytest.raises(ConfigError, match="SEVENTEENTRACK_TOKEN") as info:
        get_provider("17track", Settings.resolve(book.path, env={}))
    assert "casebook.toml" in str(info.value)


def test_the_rate_limiter_spaces_calls():
    clock = iter([0.0, 0.0, 0.0, 1.0])
    limiter = RateLimiter(3, clock=lambda: next(clock))
    assert [round(limiter.delay(), 3) for _ in range(4)] == [0.0, 0.333, 0.667, 0.0]


# -- secrecy ------------------------------------------------------------------------------------------

def test_the_token_never_reaches_files_outputs_logs_or_exceptions(server, seeded, tmp_path):
    secret = "FAKE-" + "TOKEN-do-not-leak-91c4e7"  # recognisable, and built so no scanner mistakes it for a real one
    with LocalTrackingServer(token=secret, unipass_key="FAKE-UNIPASS-KEY-5d2a") as srv:
        env = dict(os.environ, SEVENTEENTRACK_TOKEN=secret, SEVENTEENTRACK_BASE_URL=srv.url,
                   UNIPASS_API_KEY="FAKE-UNIPASS-KEY-5d2a", UNIPASS_BASE_URL=srv.root,
                   CASEBOOK_LOG=str(tmp_path / "casebook.log"))
        outputs = []
        for args in (["track", "--all", "--provider", "17track"], ["track", "--case", "seed-c", "--provider", "17track", "--json"],
                     ["track", "YT2229521272164447", "--provider", "unipass", "--json"],
                     ["summary", "seed-c", "--format", "zip", "-o", str(tmp_path / "pack.zip")]):
            done = subprocess.run([sys.executable, "-m", "casebook.cli", "-C", str(seeded.path), *args], env=env,
                                  capture_output=True, text=True, timeout=120)
            outputs += [done.stdout, done.stderr]
            assert done.returncode == 0, done.stderr
        import papermill as pm

        executed = tmp_path / "02_check_tracking.ipynb"
        old = {k: os.environ.get(k) for k in ("SEVENTEENTRACK_TOKEN", "SEVENTEENTRACK_BASE_URL")}
        os.environ.update(SEVENTEENTRACK_TOKEN=secret, SEVENTEENTRACK_BASE_URL=srv.url)
        try:
            pm.execute_notebook(str(ROOT / "notebooks" / "02_check_tracking.ipynb"), str(executed),
                                parameters={"casebook_path": str(seeded.path), "case_id": "seed-e", "provider": "17track",
                                            "result_file": str(tmp_path / "02.json")},
                                kernel_name="python3", progress_bar=False, store_widget_state=False, cwd=str(tmp_path))
        finally:
            for name, value in old.items():
                os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
        assert json.loads((tmp_path / "02.json").read_text())["saved_snapshot"] is True
        srv.inject("500", times=50)
        wrong = SeventeenTrack(secret, base_url=srv.url, rate=100, attempts=2, wait_max=0.01).track(["LP00081234567890"])
        outputs.append(json.dumps(wrong[0].model_dump(mode="json")))
        from casebook.tracking.unipass import UniPass

        failing = UniPass("FAKE-UNIPASS-KEY-5d2a", base_url="http://127.0.0.1:9", timeout=0.2).track(["LP00081234567890"])
        outputs.append(str(failing[0].error))
    assert (tmp_path / "casebook.log").stat().st_size > 0, "the log must hold something for this check to mean anything"
    assert seeded.get("seed-c").shipments[0].snapshots, "the flow must have saved snapshots"
    for text in outputs:
        assert secret not in text and "FAKE-UNIPASS-KEY-5d2a" not in text
    for path in [*tmp_path.rglob("*"), *seeded.path.rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and b"FAKE-UNIPASS-KEY-5d2a" not in data, path
    import zipfile

    with zipfile.ZipFile(tmp_path / "pack.zip") as archive:
        for name in archive.namelist():
            assert secret.encode() not in archive.read(name)


def test_secrets_do_not_show_in_repr_str_or_format():
    from casebook.config import Secret

    s = Secret("abc-123-secret")
    assert "abc-123" not in f"{s} {s!r} {str(s)} {[s]}"
    assert s.reveal() == "abc-123-secret"


# -- UNI-PASS -----------------------------------------------------------------------------------------

def test_customs_progress_is_parsed_for_cleared_held_and_not_found(server):
    provider = UniPass(server.unipass_key, base_url=server.root, year=2026)
    cleared, held, missing = provider.track(["YT2229521272164447", "LP00081234567890", "LP00099999999999"])
    assert cleared.sub_status == "InTransit_CustomsReleased" and all(e.stage == "customs" for e in cleared.events)
    assert [e.description for e in cleared.events][-1] == "입항보고 수리"
    assert cleared.events[0].time == datetime(2026, 6, 6, 14, 10, tzinfo=KST)
    assert held.sub_status == "InTransit_CustomsRequiringInformation" and "X-ray" in held.events[0].description
    assert missing.error.code == "not_found" and "조회결과가 없습니다" in missing.error.message


def test_customs_tries_last_year_when_this_year_has_nothing(server):
    provider = UniPass(server.unipass_key, base_url=server.root, year=2027)
    (result,) = provider.track(["YT2229521272164447"])
    assert result.ok and [r.path for r in server.requests].count(r.path if (r := server.requests[0]) else "") == 2


def test_a_bad_customs_key_is_a_clear_message(server):
    (result,) = UniPass("wrong-key", base_url=server.root).track(["LP00081234567890"])
    assert result.error.code == "auth" and "UNIPASS_API_KEY" in result.error.message and "인증키" in result.error.message


# -- offline import -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(SCENARIOS))
def test_offline_paste_gives_the_same_events_as_the_api(server, name):
    number = SCENARIOS[name]
    api = client(server).track([number])[0]
    paste = (ROOT / "examples" / "tracking" / "paste" / f"{name}.txt").read_text(encoding="utf-8")
    offline = OfflineProvider({number: paste}).track([number])[0]
    assert [key(e) for e in offline.events] == [key(e) for e in api.events]
    if api.events:
        assert offline.status == api.status


def test_unreadable_paste_lines_are_reported_not_dropped():
    text = "2026-06-09 15:20 [Incheon, KR] Arrived\n2026-13-45 10:00 nonsense date\nrandom words\n2026.06.10 09:00\n"
    imported = parse_paste(text)
    assert len(imported.events) == 1
    assert [(n, why.split(" (")[0]) for n, _, why in imported.problems] == [
        (2, "not a real date/time"), (3, "no date and time found"), (4, "a date with no description")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-06-09 15:20:00 [Incheon, KR] Arrived at destination country", "2026-06-09T15:20:00+09:00"),
        ("2026.06.09 15:20 | 인천HUB | 간선하차", "2026-06-09T15:20:00+09:00"),
        ("2026년 6월 9일 15:20  서울강남  배송출발", "2026-06-09T15:20:00+09:00"),
        ("06/09/2026 15:20 Shenzhen, CN Departed from origin country", "2026-06-09T15:20:00+08:00"),
        ("Jun 9, 2026 15:20 [Shanghai] Departed", "2026-06-09T15:20:00+08:00"),
        ("9 Jun 2026 15:20 (GMT+8) Accepted", "2026-06-09T15:20:00+08:00"),
        ("2026-06-09T15:20:00+0800 Hong Kong Departed", "2026-06-09T15:20:00+08:00"),
    ],
)
def test_paste_formats_and_time_zones(line, expected):
    (event,) = parse_paste(line).events
    assert event.time.isoformat() == expected


@pytest.mark.parametrize(("text", "export"), [
    # leaving the country of origin: export
    ("Departed from country of origin", True),
    ("Departed from origin country", True),
    ("Leave from departure country", True),
    ("Departed from departure country/region", True),
    ("Departed from the airport of origin", True),
    ("Departure from outward office of exchange", True),
    ("离开始发国", True),
    ("已出口", True),
    # a move inside a country: in transit, not export
    ("Departed sorting center", False),
    ("Departed from sorting center", False),
    ("Package left the sorting centre", False),
    ("Departed facility in Shenzhen", False),
    ("Left the origin facility", False),
    ("Departed from transit airport", False),
    ("Flight departed", False),
    ("离开处理中心", False),
    ("离开【深圳转运中心】，发往【上海国际航空中心】", False),
])
def test_only_a_departure_from_the_country_of_origin_is_export(text, export):
    from casebook.tracking.providers import classify

    status, sub_status, _ = classify(text)
    assert status == TrackingStatus.IN_TRANSIT
    assert (sub_status == "InTransit_Departure") is export, sub_status
    (event,) = parse_paste(f"2026-06-09 15:20 [Shenzhen, CN] {text}").events
    assert (event.sub_status == "InTransit_Departure") is export


def test_csv_and_json_imports_report_bad_rows():
    csv_text = "time,description,location\n2026-06-09T15:20:00+09:00,Arrived,Incheon\nyesterday,Oops,\n"
    imported = parse_csv(csv_text)
    assert len(imported.events) == 1 and imported.problems[0][0] == 3
    json_text = json.dumps({"events": [{"time": "2026-06-09 15:20", "description": "배달완료", "location": "서울"}, {"time": "x"}]})
    imported = parse_json(json_text)
    assert imported.events[0].status == TrackingStatus.DELIVERED and len(imported.problems) == 1


# -- timeline flags (what the guide would tell the shopper) -----------------------------------------------

ORDER = {"order_id": "8190000000000001", "item_title": "x", "price": {"amount": "1000", "currency": "KRW"}}


@pytest.mark.parametrize(
    ("name", "order", "problem", "today", "flags"),
    [
        ("customs-stuck", {"order_date": "2026-06-08", "ship_date": "2026-06-10", "delivery_guarantee_days": 20},
         ProblemKind.LATE_DELIVERY, "2026-06-25", {"stalled", "held_at_customs"}),
        ("customs-stuck", {"order_date": "2026-06-08", "ship_date": "2026-06-10"}, ProblemKind.NOT_RECEIVED, "2026-06-16",
         {"at_customs"}),
        ("silent-20-days", {"order_date": "2026-05-10", "ship_date": "2026-05-12", "promised_date": "2026-06-05"},
         ProblemKind.NOT_RECEIVED, "2026-06-13", {"likely_lost", "kr_auto_refund", "past_promised"}),
        ("silent-20-days", {"order_date": "2026-05-10", "ship_date": "2026-05-12"}, ProblemKind.NOT_RECEIVED, "2026-06-01",
         {"stalled"}),
        ("delivered", {"order_date": "2026-05-30", "ship_date": "2026-06-01", "promised_date": "2026-06-10"},
         ProblemKind.DAMAGED, "2026-06-08", {"delivered"}),
        ("delivered", {"order_date": "2026-05-30", "ship_date": "2026-06-01", "promised_date": "2026-06-05"},
         ProblemKind.NOT_RECEIVED, "2026-06-08", {"delivered", "delivered_late", "delivered_not_received"}),
        ("lost-returned", {"order_date": "2026-04-01", "ship_date": "2026-04-02"}, ProblemKind.NOT_RECEIVED, "2026-05-10",
         {"returned", "kr_auto_refund"}),
        ("unknown-number", {"order_date": "2026-06-01", "ship_date": "2026-06-03"}, ProblemKind.NOT_RECEIVED, "2026-06-05",
         {"no_tracking", "not_found"}),
        ("unknown-number", {"order_date": "2026-06-01", "ship_date": "2026-06-03"}, ProblemKind.NOT_RECEIVED, "2026-06-20",
         {"no_tracking", "not_found_long"}),
    ],
)
def test_timeline_flags_match_what_the_guide_would_say(server, name, order, problem, today, flags):
    result = client(server).track([SCENARIOS[name]])[0]
    now = datetime.combine(datetime.fromisoformat(today).date(), dtime(12), KST)
    timeline = analyse(result.events, order=Order.model_validate(ORDER | order), problem=problem, now=now,
                       status=result.status, sub_status=result.sub_status)
    assert set(timeline.keys) == flags
    assert all(f.text("en") and f.text("ko") and f.text("en") != f.text("ko") for f in timeline.flags)


def test_thresholds_are_overridable_with_clear_errors():
    from casebook.errors import ConfigError
    from casebook.rules import Rules

    assert Rules.load({"timeline": {"stalled_days": 3}}).timeline["stalled_days"] == 3
    with pytest.raises(ConfigError, match="rules.timeline.stale_days: unknown key"):
        Rules.load({"timeline": {"stale_days": 3}})
    with pytest.raises(ConfigError, match="whole number"):
        Rules.load({"timeline": {"stalled_days": 0}})


# -- batch and saving into the case ------------------------------------------------------------------------

def test_snapshots_accumulate_and_events_merge_without_duplicates(server, seeded):
    c = client(server)
    first = c.track(["RR304182752CN"])[0]
    save_result(seeded, "seed-c", first)
    save_result(seeded, "seed-c", first)
    shipment = seeded.get("seed-c").shipments[0]
    assert len(shipment.snapshots) == 2
    times = [(e.time, e.description) for e in shipment.events]
    assert len(times) == len(set(times)) and times == sorted(times, reverse=True)


def test_track_many_returns_one_result_per_number_in_order(server):
    numbers = [f"LP{n:014d}" for n in range(7)]
    results = track_many(numbers, client(server), chunk=3, progress=False)
    assert [r.number for r in results] == numbers


def test_cli_track_json_and_saving_into_a_case(server, seeded, monkeypatch, capsys):
    from casebook.cli import main

    monkeypatch.setenv("SEVENTEENTRACK_TOKEN", TOKEN)
    monkeypatch.setenv("SEVENTEENTRACK_BASE_URL", server.url)
    assert main(["-C", str(seeded.path), "track", "--case", "seed-a", "--provider", "17track", "--json", "--today", "2026-06-20"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    obj = json.loads(line)
    assert {"number", "carrier", "status", "sub_status", "events", "flags", "error"} <= set(obj)
    assert obj["number"] == "LP00068434402473" and obj["carrier"] == "cn.cainiao"
    assert seeded.get("seed-a").shipments[0].snapshots[-1].source == "17track"


def test_the_timeline_plots_draw_every_event_and_the_promised_date(server):
    from datetime import date

    from casebook.tracking.plot import timeline_png, timeline_svg

    result = client(server).track([SCENARIOS["delivered"]])[0]
    svg = timeline_svg(result.events, promised=date(2026, 6, 5), title="<b>YT</b>")
    assert svg.count("<circle") == len(result.events) == 8 and "promised" in svg
    assert "<b>" not in svg and "<script" not in svg
    assert timeline_png(result.events, promised=date(2026, 6, 5)).startswith(b"\x89PNG")


def test_account_management_calls_reach_the_api(server):
    c = client(server)
    c.register(["LP00081234567890", "RR512004737CN"])
    assert c.stop(["LP00081234567890"]) == {"LP00081234567890": None}
    assert c.retrack(["LP00081234567890"]) == {"LP00081234567890": None}
    assert c.change_carrier("RR512004737CN", 3011, 21051) is None
    assert c.track_list()["page"]["data_total"] == 2
    assert c.delete(["RR512004737CN"]) == {"RR512004737CN": None}
    (missing,) = c.delete(["RR512004737CN"]).values()
    assert missing.code == "not_registered"
    assert c.quota()["quota_used"] == 1


def test_cli_track_offline_paste_goes_to_exactly_one_number(seeded, capsys):
    from casebook.cli import main

    paste = str(ROOT / "examples" / "tracking" / "paste" / "seed-a.txt")
    assert main(["-C", str(seeded.path), "track", "--case", "seed-a", "--paste", paste, "--lang", "en",
                 "--today", "2026-03-17"]) == 0
    out = capsys.readouterr()
    assert "Delivered" in out.out and "2 lines without a date (headings, the number) were skipped" in out.err
    assert seeded.get("seed-a").shipments[0].snapshots[-1].source == "offline"
    assert main(["-C", str(seeded.path), "track", "LP00068434402473", "RR304182752CN", "--paste", paste]) == 1
    assert "one parcel" in capsys.readouterr().err
    assert main(["-C", str(seeded.path), "track", "LP00068434402473", "--paste", paste, "--provider", "17track"]) == 1
    assert "--provider offline" in capsys.readouterr().err


def test_offline_track_all_reads_the_saved_history_without_a_paste(seeded, capsys):
    from casebook.cli import main

    assert main(["-C", str(seeded.path), "track", "--all", "--json", "--today", "2026-06-22"]) == 0
    results = {o["number"]: o for o in map(json.loads, capsys.readouterr().out.splitlines())}
    seed_c = results["RR304182752CN"]
    assert seed_c["source"] == "saved" and seed_c["error"] is None and len(seed_c["events"]) == 4
    assert {"stalled", "past_promised"} <= {f["key"] for f in seed_c["flags"]}
    assert results["LP00068434402473"]["error"]["code"] == "no_data"  # seed-a has no saved events yet
    assert seeded.get("seed-c").shipments[0].snapshots == [], "reading saved events is not a new snapshot"
