from __future__ import annotations

import hashlib
import json
import re
import zipfile
from datetime import datetime, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from casebook.evidence import add_evidence
from casebook.models import Case
from casebook.summary import build_pack, render_message, report_html, report_markdown, seller_first_message, summarise
from tests.conftest import ROOT

KST = ZoneInfo("Asia/Seoul")


def opened(case: Case) -> datetime:
    return datetime.combine(case.dispute.opened_date, time(9), KST)


PROBLEM_FACTS = {
    "seed-a": ["cracked in two places", "one cup was broken"],
    "seed-b": ["Listed as 100% linen", "differs from the listing"],
    "seed-c": ["promised delivery date, 2026-06-18, passed", "Arrived at destination country (Incheon)", "2026-06-09"],
    "seed-d": ["EU 40 (250 mm)"],
    "seed-e": ["left earbud does not charge", "How I tested it: Charged for 3 hours"],
}
AMOUNTS = {"seed-a": "KRW 38,500", "seed-b": "KRW 27,900", "seed-c": "USD 19.80", "seed-d": "KRW 32,000", "seed-e": "KRW 45,900"}


@pytest.mark.parametrize("case_id", ["seed-a", "seed-b", "seed-c", "seed-d", "seed-e"])
def test_each_guide_case_message_has_the_facts_steps_and_a_numbered_evidence_list(seeded, tmp_path, case_id):
    case = seeded.get(case_id)
    summary = summarise(case, now=opened(case))
    message = summary.message_en
    assert case.order.order_id in summary.subject and case.order.order_id in message
    assert AMOUNTS[case_id] in message
    for fact in PROBLEM_FACTS[case_id]:
        assert fact in message, fact
    seller_lines = [m for m in case.messages if m.channel.value == "seller_chat"]
    if case_id == "seed-d":
        assert not summary.ready and summary.seller_message is not None
        assert "order 8190045678901234" in summary.seller_message and "Could you please help" in summary.seller_message
    else:
        assert summary.seller_message is None
        for m in seller_lines:
            assert m.at.astimezone(KST).date().isoformat() in message
    listed = re.findall(r"^(\d+)\. .*\((\d\d-[a-z-]+\.\w+)\)$", message, re.M)
    manifest = build_pack(seeded, case, tmp_path / "pack.zip", now=opened(case))
    packed = [f["path"].removeprefix("evidence/") for f in manifest["files"] if f["path"].startswith("evidence/")]
    assert [name for _, name in listed] == packed and [int(n) for n, _ in listed] == list(range(1, len(packed) + 1))
    assert all(name.startswith(f"{int(n):02d}-") for n, name in listed)


def test_readiness_matches_the_guide_outcomes(seeded):
    ready = {cid: summarise(seeded.get(cid), now=opened(seeded.get(cid))).ready for cid in seeded.ids()}
    assert ready == {"seed-a": True, "seed-b": False, "seed-c": True, "seed-d": False, "seed-e": True}


def test_the_korean_version_carries_the_same_content(seeded):
    case = seeded.get("seed-c")
    summary = summarise(case, now=opened(case))
    ko = summary.message_ko
    for needle in ("8190034567890123", "19.80달러", "RR304182752CN", "2026-06-18", "01-tracking-screenshot.png", "전액 환불"):
        assert needle in ko
    assert "약속된 배송일" in ko and "지금까지 한 조치" in ko


def test_a_partial_refund_and_a_return_say_amount_and_who_pays(seeded):
    b = seeded.get("seed-b")
    assert "I request a partial refund of KRW 8,000 (of KRW 27,900 paid)." in summarise(b, now=opened(b)).message_en
    b.dispute.requested, b.dispute.requested_amount = "return_and_refund", None
    assert "return shipping paid by the seller" in summarise(b, now=opened(b)).message_en


def test_the_length_limit_shortens_lists_not_facts(seeded):
    case = seeded.get("seed-a")
    full = summarise(case, now=opened(case))
    limit = len(full.subject) + 2 + len(full.message_en) - 300
    subject, short, fits = render_message(case, max_chars=limit, now=opened(case))
    assert fits and len(subject) + 2 + len(short) <= limit
    for fact in ("8190012345678901", "KRW 38,500", "cracked in two places", "LP00068434402473", "I request a full refund"):
        assert fact in short
    _, tiny, fits_tiny = render_message(case, max_chars=200, now=opened(case))
    assert not fits_tiny and "KRW 38,500" in tiny, "facts are never dropped, even when the limit cannot be met"


def test_many_evidence_files_are_listed_then_summarised(seeded):
    case = seeded.get("seed-a")
    _, short, _ = render_message(case, max_chars=1200, now=opened(case))
    assert "more files" in short or short.count(".jpg") + short.count(".png") + short.count(".mp4") == 5


# -- injection ----------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }} {% raw %}x{% endraw %}"


class ScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.handlers += [value for name, value in attrs if name in ("src", "href") and value and value.startswith("javascript:")]


@pytest.fixture
def hostile(seeded):
    case = seeded.get("seed-a")
    case.messages[0].text = HOSTILE
    case.problem.description = HOSTILE
    case.notes = HOSTILE
    case.order.option = HOSTILE
    case.shipments[0].events = [{"time": "2026-03-10T10:00:00+09:00", "description": HOSTILE, "location": HOSTILE}]
    seeded.save(case)
    add_evidence(seeded, case, (ROOT / "examples/cases/seed-b/evidence/shirt.jpg"), "other", HOSTILE)
    return seeded.get("seed-a")


def test_hostile_case_data_is_escaped_in_html_and_never_expanded(seeded, hostile):
    html = report_html(hostile, book=seeded, now=opened(hostile))
    finder = ScriptFinder()
    finder.feed(html)
    assert finder.scripts == [] and finder.handlers == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html and " 49 " not in html
    assert "default-src 'none'" in html, "a Content-Security-Policy forbids scripts even if escaping failed"


def test_hostile_case_data_is_literal_in_text_and_escaped_in_markdown(seeded, hostile):
    summary = summarise(hostile, now=opened(hostile))
    assert HOSTILE.split(" {%")[0] in summary.message_en or "{{ 7*7 }}" in summary.message_en
    assert "49" not in summary.message_en.replace("8190012345678901", "")
    markdown = report_markdown(hostile, now=opened(hostile))
    assert "<script>" not in markdown and "<img" not in markdown and "&lt;script&gt;" in markdown
    assert "{{ 7\\*7 }}" in markdown


# -- privacy ------------------------------------------------------------------------------------------

PRIVATE = ["010-2345-6789", "01023456789", "P123456789012", "월드컵로 123", "101동 1001호"]


@pytest.fixture
def private_case(seeded):
    case = seeded.get("seed-a")
    case.messages[0].text += " Call me at 010-2345-6789. My customs code is P123456789012. Address: 서울특별시 마포구 월드컵로 123, 101동 1001호"
    case.notes = "phone 01023456789"
    seeded.save(case)
    return seeded.get("seed-a")


def exported_texts(book, case, tmp_path, show_private=False):
    summary = summarise(case, now=opened(case), show_private=show_private)
    texts = {
        "txt-en": summary.message_en, "txt-ko": summary.message_ko,
        "md": report_markdown(case, now=opened(case), show_private=show_private),
        "html": report_html(case, book=book, now=opened(case), show_private=show_private),
    }
    build_pack(book, case, tmp_path / "p.zip", now=opened(case), show_private=show_private)
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        for name in archive.namelist():
            if not name.startswith("evidence/"):
                texts[f"zip:{name}"] = archive.read(name).decode("utf-8")
    return texts


def test_phone_address_and_customs_code_are_masked_everywhere_by_default(seeded, private_case, tmp_path):
    for where, text in exported_texts(seeded, private_case, tmp_path).items():
        for secret in PRIVATE:
            assert secret not in text, f"{secret!r} leaked in {where}"
    html = report_html(private_case, book=seeded, now=opened(private_case))
    assert "P12*******012" in html and "010-****-6789" in html and "서울특별시 마포구 ***" in html


def test_the_explicit_option_shows_them(seeded, private_case, tmp_path):
    texts = exported_texts(seeded, private_case, tmp_path, show_private=True)
    assert "P123456789012" in texts["html"] and "010-2345-6789" in texts["html"]
    assert json.loads(texts["zip:manifest.json"])["private_details"] == "shown"


# -- the pack --------------------------------------------------------------------------------------------

def test_the_zip_unpacks_to_exactly_its_manifest_with_matching_hashes(seeded, tmp_path):
    case = seeded.get("seed-a")
    manifest = build_pack(seeded, case, tmp_path / "a.zip", now=opened(case))
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = set(archive.namelist()) - {"manifest.json"}
        assert names == {f["path"] for f in manifest["files"]}
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
        assert json.loads(archive.read("manifest.json")) == manifest
        from PIL import Image
        import io

        with Image.open(io.BytesIO(archive.read("evidence/01-defect-photo.jpg"))) as image:
            assert not dict(image.getexif().get_ifd(0x8825)), "pack evidence is location-stripped"


def test_the_first_seller_message_is_short_polite_english(seeded):
    message = seller_first_message(seeded.get("seed-d"))
    assert len(message) < 700 and message.startswith("Hello,") and "Thank you" in message
    assert not re.search(r"[가-힣]{3,}", message.replace("캔버스 스니커즈", ""))


def test_summary_on_the_command_line_in_every_format(seeded, tmp_path, capsys):
    from casebook.cli import main

    base = ["-C", str(seeded.path), "summary", "seed-c", "--today", "2026-06-22"]
    assert main(base + ["--lang", "en"]) == 0 and "Subject: Order 8190034567890123" in capsys.readouterr().out
    assert main(base) == 0 and "요청 사항" in capsys.readouterr().out, "the casebook's language (Korean) by default"
    for fmt in ("md", "html", "zip"):
        target = tmp_path / f"out.{fmt}"
        assert main(base + ["--format", fmt, "--output", str(target)]) == 0
        assert target.stat().st_size > 500
    assert main(["-C", str(seeded.path), "summary", "seed-d", "--today", "2026-07-18", "--lang", "en"]) == 0
    assert "Send this to the seller first" in capsys.readouterr().out


def test_masking_leaves_tracking_and_order_numbers_alone():
    from casebook.models import Shopper
    from casebook.privacy import Masker

    mask = Masker(Shopper())
    text = "DHL 1099255990, LP00068434402473, order 8190012345678901, CJ 630012345678, phone +82 10 2345 6789, 010.2345.6789"
    masked = mask(text)
    for kept in ("1099255990", "LP00068434402473", "8190012345678901", "630012345678"):
        assert kept in masked
    assert "2345 6789" not in masked and "010.2345.6789" not in masked


def test_the_report_gallery_has_a_thumbnail_for_each_image(seeded):
    html = report_html(seeded.get("seed-a"), book=seeded)
    images = [e for e in seeded.get("seed-a").evidence if e.mime.startswith("image/")]
    assert html.count("data:image/jpeg;base64,") == len(images) == 4


def test_a_korean_tracking_event_is_never_a_placeholder_in_the_english_message(book):
    from casebook import services

    saved = services.new_case(book, {"order_id": "8190400000000001", "item_title": "Lamp", "price": "19,900원",
                                     "order_date": "2026-10-01", "ship_date": "2026-10-03", "problem_kind": "not_received",
                                     "description": "The parcel has been held at customs since 2026-10-10 with no news.",
                                     "tracking_number": "LP00068434402473"}, today="2026-11-01")
    services.track(book, saved.case.id, paste="2026-10-10 09:00 [Incheon] Held by customs - 세관 검사중\n"
                                               "2026-10-05 10:00 [Shenzhen] 离开处理中心\n", today="2026-11-01")
    english = services.summarise(book, saved.case.id, today="2026-11-01").message("en")
    assert '"Held by customs"' in english and "a status in Korean" not in english and "세관" not in english


def test_a_call_to_the_carrier_is_told_by_channel_and_counterpart(seeded):
    """A call logged as `casebook message --channel phone --with carrier` is not a message to the seller."""
    from casebook import services
    from casebook.cli import main

    before = len(seeded.get("seed-c").seller_messages())
    assert main(["-C", str(seeded.path), "message", "seed-c", "--channel", "phone", "--with", "carrier",
                 "--text", "Asked the carrier about the parcel", "--at", "2026-06-21T10:00+09:00"]) == 0
    services.log_message(seeded, "seed-c", "택배사에서 허브에 있다고 다시 전화함", channel="phone", counterpart="carrier",
                         direction="received", at="2026-06-21T15:00+09:00")
    case = seeded.get("seed-c")
    assert len(case.seller_messages()) == before  # a call to the carrier is not contacting the seller
    now = datetime(2026, 6, 22, 12, tzinfo=KST)
    summary = summarise(case, now=now)
    assert '- 2026-06-21: I called the carrier: "Asked the carrier about the parcel"\n' in summary.message("en")
    assert '- 2026-06-21: 택배사에 전화했습니다: "Asked the carrier about the parcel"\n' in summary.message("ko")
    assert "I wrote to the seller (phone)" not in summary.message("en")
    markdown = report_markdown(case, now=now)
    assert "· phone · 전화 · the carrier · 택배사: Asked the carrier about the parcel" in markdown
    assert "· received · 받음 · phone · 전화 · the carrier · 택배사: 택배사에서 허브에 있다고 다시 전화함" in markdown


@pytest.mark.parametrize(("channel", "counterpart", "direction", "en", "ko"), [
    ("phone", None, "sent", "I called the seller", "판매자에게 전화했습니다"),
    ("phone", "platform", "sent", "I called the platform", "플랫폼에 전화했습니다"),
    ("phone", "carrier", "received", "The carrier called me", "택배사에서 전화가 왔습니다"),
    ("email", None, "sent", "I e-mailed the seller", "판매자에게 이메일을 보냈습니다"),
    ("email", "customs", "received", "Customs e-mailed me", "세관에서 이메일이 왔습니다"),
    ("seller_chat", None, "sent", "I wrote to the seller (seller chat)", "판매자에게 메시지를 보냈습니다 (판매자 채팅)"),
    ("seller_chat", None, "received", "The seller replied (seller chat)", "판매자에게서 답변이 왔습니다 (판매자 채팅)"),
    ("platform_support", None, "sent", "I wrote to the platform (platform support)",
     "플랫폼에 메시지를 보냈습니다 (플랫폼 고객센터)"),
    ("other", None, "sent", "I got in touch (other channel)", "연락했습니다 (기타 경로)"),
    ("other", "other", "received", "I was contacted (other channel)", "연락을 받았습니다 (기타 경로)"),
])
def test_each_logged_step_reads_by_channel_and_counterpart(channel, counterpart, direction, en, ko):
    from casebook.models import Message
    from casebook.summary import _step_line

    message = Message(at="2026-06-21T10:00+09:00", channel=channel, direction=direction, text="x", counterpart=counterpart)
    step = {"sent": direction == "sent", "channel": message.channel, "party": message.party}
    assert (_step_line(step, "en"), _step_line(step, "ko")) == (en, ko)
    assert message.with_seller == (message.party is not None and message.party.value == "seller")


def test_a_case_file_names_the_counterpart_only_when_it_was_given():
    from casebook.models import Message

    derived = Message(at="2026-06-21T10:00+09:00", channel="phone", direction="sent", text="x")
    assert "counterpart" not in derived.model_dump_json() and derived.party.value == "seller"
    given = Message(at="2026-06-21T10:00+09:00", channel="phone", direction="sent", text="x", counterpart="carrier")
    assert '"counterpart":"carrier"' in given.model_dump_json()
    assert Message.model_validate_json(given.model_dump_json()) == given


# -- one day count everywhere ----------------------------------------------------------------------------

def _days(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return int(found.group(1))


@pytest.mark.parametrize("zone", ["Asia/Seoul", "America/Los_Angeles", "UTC"])
@pytest.mark.parametrize("last_scan", ["2026-03-07T22:40:00+08:00", "2026-03-07T23:30:00+08:00",
                                       "2026-03-07T00:10:00+08:00"])
@pytest.mark.parametrize("now", ["2026-03-25T12:00:00+09:00", "2026-03-25T00:30:00+09:00", "2026-03-25T23:50:00+09:00"])
def test_tracking_and_the_message_count_the_same_days_since_the_last_scan(book, zone, last_scan, now):
    from casebook import services
    from casebook.models import days_since
    from casebook.settings import Settings

    saved = services.new_case(book, {"order_id": "8190400000000009", "item_title": "Cable", "price": "23,900원",
                                     "order_date": "2026-03-02", "ship_date": "2026-03-04", "problem_kind": "not_received",
                                     "description": "The parcel never arrived; tracking stopped in early March.",
                                     "tracking_number": "LP00068434402473"}, today="2026-03-10")
    services.track(book, saved.case.id, paste=f"{last_scan} Departed from country of origin\n", today="2026-03-10")
    case = book.get(saved.case.id)
    settings = Settings().with_options(timezone=zone, language="en")
    moment = datetime.fromisoformat(now)
    timeline = services._analyse(settings, [e for s in case.shipments for e in s.events], case, moment, None)
    flag = next(f for f in timeline.flags if f.key in ("stalled", "likely_lost"))
    message = summarise(case, now=moment, settings=settings).message_en
    shown = _days(r"No update for (\d+) days", flag.text("en"))
    assert shown == _days(r"(\d+) days ago, with no update since", message) == timeline.days_since_last_event
    scanned = datetime.fromisoformat(last_scan)
    assert shown == days_since(scanned, moment, zone)  # calendar days in the shopper's zone
    assert f"on {scanned.astimezone(ZoneInfo(zone)).date()}" in message  # the day the count starts from


def test_the_trial_case_says_18_days_in_both_the_track_output_and_the_message(book):
    # last scan 2026-03-07 22:40 KST, checked 2026-03-25 at noon: 18 calendar days (the message said 17)
    from casebook import services

    saved = services.new_case(book, {"order_id": "8190400000000010", "item_title": "Cable", "price": "23,900원",
                                     "order_date": "2026-03-02", "ship_date": "2026-03-04", "problem_kind": "not_received",
                                     "description": "The parcel never arrived; tracking stopped on 2026-03-07 in Shanghai.",
                                     "tracking_number": "LP00068434402473"}, today="2026-03-25")
    report = services.track(book, saved.case.id, paste="2026-03-07 21:40:00 [Shanghai, CN] Departed from country of origin\n",
                            today="2026-03-25")
    flag = next(f for f in report.timeline.flags if f.key == "likely_lost")
    summary = services.summarise(book, saved.case.id, today="2026-03-25")
    assert _days(r"No update for (\d+) days", flag.text("en")) == 18
    assert "2026-03-07, 18 days ago" in summary.message("en") and "18일째 변동이 없습니다" in summary.message("ko")


def test_days_between_counts_calendar_days_in_the_given_zone():
    from datetime import date

    from casebook.models import days_between, days_since

    late_evening = datetime.fromisoformat("2026-03-07T23:30:00+09:00")
    next_morning = datetime.fromisoformat("2026-03-08T00:10:00+09:00")
    assert days_between(late_evening, next_morning, "Asia/Seoul") == 1  # 40 minutes, but the next day
    assert days_between(late_evening, next_morning, "UTC") == 0  # both on 2026-03-07 in UTC
    assert days_between(date(2026, 3, 10), late_evening, "Asia/Seoul") == -3
    assert days_since(date(2026, 3, 10), late_evening, "Asia/Seoul") == 0
    with pytest.raises(ValueError):
        days_between(datetime(2026, 3, 7), late_evening, "Asia/Seoul")
