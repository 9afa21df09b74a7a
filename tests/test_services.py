"""The use cases, and the three faces over them agreeing: CLI, step notebooks (papermill) and panels."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import papermill as pm
import pytest

from casebook import services, steps
from casebook.errors import CaseInputError, CasebookError
from casebook.examples import load_examples
from casebook.store import Casebook
from casebook.ui import SummaryPanel
from tests.conftest import ROOT

CONFIG = """
[casebook]
timezone = "America/Los_Angeles"
language = "en"

[rules.deadlines.latest_open]
days = 20
"""
TODAY = "2026-03-20"
CASE = "seed-a"


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    book = Casebook.init(tmp_path / "book")
    load_examples(book, ids=(CASE,))
    services.record_dispute(book, CASE, stage="not_opened", opened_date=None, outcome=None)
    (book.path / "casebook.toml").write_text(CONFIG, encoding="utf-8")
    return book.path


def _deadline_texts(items: list[dict]) -> dict[str, str]:
    return {d["key"]: d["text"]["en"] for d in items if d["status"] != "not_applicable"}


@pytest.mark.notebooks
def test_the_cli_the_notebooks_and_a_panel_agree_under_a_non_default_casebook_toml(configured, tmp_path):
    # the CLI
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    cli = subprocess.run([sys.executable, "-m", "casebook.cli", "-C", str(configured), "deadlines", CASE, "--today", TODAY,
                          "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert cli.returncode == 0, cli.stderr
    from_cli = _deadline_texts(json.loads(cli.stdout))
    advice_text = subprocess.run([sys.executable, "-m", "casebook.cli", "-C", str(configured), "advise", CASE, "--today",
                                  TODAY], capture_output=True, text=True, env=env, timeout=120).stdout
    cli_out = tmp_path / "cli-out"
    cli_out.mkdir()
    packed = subprocess.run([sys.executable, "-m", "casebook.cli", "-C", str(configured), "summary", CASE, "--format", "zip",
                             "--today", TODAY], capture_output=True, text=True, env=env, cwd=cli_out, timeout=120)
    assert packed.returncode == 0, packed.stderr

    # the step notebook, run by papermill exactly as the batch runs it (no language or time zone given)
    out = tmp_path / "nb"
    out.mkdir()
    pm.execute_notebook(str(ROOT / "notebooks" / "04_dispute_summary.ipynb"), str(out / "04.ipynb"),
                        parameters={"casebook_path": str(configured), "case_id": CASE, "today": TODAY,
                                    "output_dir": str(out / "files"), "result_file": str(out / "04.json")},
                        kernel_name="python3", progress_bar=False, store_widget_state=False, cwd=str(out))
    from_notebook = json.loads((out / "04.json").read_text(encoding="utf-8"))

    # a panel
    book = services.open_casebook(configured)
    panel = SummaryPanel(book, CASE, output_dir=tmp_path / "panel", today=TODAY)
    for fmt in ("txt", "html", "zip", "ics"):
        panel.buttons[fmt].click()
    assert panel.errors == []

    # the same deadlines, in the same language and clock, and the overridden rule in force
    assert from_cli == _deadline_texts(from_notebook["deadlines"])
    assert "PDT" in from_cli["latest_open"] and "KST" not in " ".join(from_cli.values())
    from datetime import timedelta

    received = book.get(CASE).order.received_date
    assert from_cli["latest_open"].startswith(f"{received + timedelta(days=20)} 23:59 PDT")
    for text in from_cli.values():
        assert text.split(" (")[0] in panel.readiness.value
    assert from_notebook["language"] == "en" and panel.lang == "en"
    assert "Readiness" in advice_text and "Readiness" in panel.readiness.value and "준비도" not in advice_text
    # one naming scheme for every file any face writes
    panel_names = {p.name for p in (tmp_path / "panel").iterdir()}
    notebook_names = {Path(p).name for p in from_notebook["files"].values()}
    assert panel_names == notebook_names - {f"{CASE}-report.md"}, "the panel has no Markdown button; all else matches"
    assert notebook_names == {services.export_name(CASE, what) for what in services.EXPORT_NAMES if what not in
                              ("seller_message", "seller_message_zh", "overview")}
    assert {p.name for p in cli_out.iterdir()} == {f"{CASE}-dispute-pack.zip"} <= notebook_names


def test_saving_the_same_order_twice_returns_the_case_already_logged(book):
    form = {"order_id": "8190300000000001", "item_title": "Lamp", "price": "15,900원", "order_date": "2026-05-01",
            "problem_kind": "damaged"}
    first = services.new_case(book, form)
    again = services.new_case(book, form | {"order_date": "2026-05-02"})
    assert first.created and not again.created and again.case.id == first.case.id and book.ids() == [first.case.id]
    assert str(first.case.order.price) == "KRW 15,900"
    assert "already logged" in again.message("en") and "이미" in again.message("ko")


@pytest.mark.parametrize(("price", "expected"), [
    ("15,900원", "KRW 15,900"), ("₩15,900", "KRW 15,900"), ("15900 KRW", "KRW 15,900"), ("$12.50", "USD 12.50"),
    ("12.50 USD", "USD 12.50"), (23900, "KRW 23,900"), ("89.9 위안", "CNY 89.90"),
])
def test_amounts_are_read_as_shoppers_type_them(book, price, expected):
    form = {"order_id": f"81903000{abs(hash(str(price))) % 10**8:08d}", "item_title": "x", "price": price,
            "order_date": "2026-05-01", "problem_kind": "other"}
    assert str(services.new_case(book, form).case.order.price) == expected


def test_every_field_error_is_reported_at_once_and_nothing_is_saved(book):
    form = {"order_id": "abc", "item_title": "", "price": "12,34", "order_date": "2026-02-30", "problem_kind": "broken",
            "ship_date": "2026-01-01"}
    with pytest.raises(CaseInputError) as info:
        services.new_case(book, form)
    fields = set(info.value.fields)
    assert {"order.price", "order.order_id", "order.item_title", "order.order_date", "problem.kind"} <= fields
    assert book.ids() == []


def test_a_korean_carriers_number_is_kept_as_the_domestic_number(book):
    saved = services.new_case(book, {"order_id": "8190300000000009", "item_title": "x", "price": "1000",
                                     "order_date": "2026-05-01", "problem_kind": "not_received",
                                     "tracking_number": "6300 1234 5678"})
    shipment = saved.case.shipments[0]
    assert shipment.domestic_number == "630012345678" and shipment.domestic_carrier.startswith("kr.")
    assert shipment.tracking_number is None


def test_exports_refuse_an_output_path_that_is_a_file(seeded, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(CasebookError, match="is a file"):
        services.export(seeded, "seed-a", target)
    with pytest.raises(CaseInputError, match="formats"):
        services.export(seeded, "seed-a", tmp_path / "out", formats=["pdf"])


def test_tracking_without_a_number_reads_nothing_and_asks_for_the_number_only_to_fetch(book):
    saved = services.new_case(book, {"order_id": "8190300000000010", "item_title": "x", "price": "1000",
                                     "order_date": "2026-05-01", "problem_kind": "damaged"})
    report = services.track(book, saved.case.id)
    assert report.number == "" and not report.saved and report.timeline.keys == ["no_tracking"]
    with pytest.raises(CaseInputError, match="no tracking number"):
        services.track(book, saved.case.id, paste="2026-05-03 10:00 Departed")


def test_verify_over_every_case_reports_a_broken_one_and_goes_on(seeded):
    (seeded.path / "seed-b" / "case.json").write_text("{", encoding="utf-8")
    reports = {r.case_id: r for r in services.verify(seeded)}
    assert set(reports) == {"seed-a", "seed-b", "seed-c", "seed-d", "seed-e"}
    assert reports["seed-b"].error and not reports["seed-b"].ok and reports["seed-a"].ok


def test_results_show_themselves_in_a_notebook(seeded, tmp_path):
    book = services.open_casebook(seeded.path, language="en")
    for result in (services.advise(book, "seed-b", today="2026-05-25"), services.summarise(book, "seed-b"),
                   services.track(book, "seed-c", today="2026-06-22"), services.collect_evidence(book, "seed-b"),
                   services.verify(book, "seed-b")[0], services.export(book, "seed-b", tmp_path, formats=["txt"]),
                   book.get("seed-b")):
        markup = result._repr_html_()
        assert markup and "<" in markup and not re.search(r"\bfull_refund\b|\bnot_as_described\b", markup)


def test_steps_face_maps_parameters_and_results(seeded, tmp_path):
    book = steps.open_casebook(seeded.path, lang="ko")
    result = steps.dispute_summary(book, "seed-c", tmp_path, today="2026-06-22")
    assert result["language"] == "ko" and re.search(r"[가-힣]", result["next_steps"][0])
    assert set(result["files"]) == {"message_en", "message_ko", "report_md", "report_html", "pack", "ics"}


# -- guard rails (issue #14) ----------------------------------------------------------------------------------

def test_dates_in_the_future_and_out_of_order_are_all_reported_at_once(book):
    from casebook.field_errors import error_text

    form = {"order_id": "8190300000000020", "item_title": "Lamp", "price": "15,900원", "order_date": "2026-05-10",
            "ship_date": "2026-05-01", "received_date": "2026-07-01", "promised_date": "2026-09-01", "problem_kind": "damaged"}
    with pytest.raises(CaseInputError) as info:
        services.new_case(book, form, today="2026-06-01")
    assert set(info.value.fields) == {"order.ship_date", "order.received_date"}  # the promise may lie ahead
    korean = error_text(info.value, "ko")
    assert "미래 날짜" in korean and "날짜 순서를 확인하세요" in korean and book.ids() == []
    assert services.new_case(book, form | {"ship_date": "2026-05-12", "received_date": "2026-05-30"}, today="2026-06-01").created


def test_a_tracking_number_failing_its_check_digit_is_saved_only_when_confirmed(book):
    form = {"order_id": "8190300000000021", "item_title": "x", "price": "1000", "order_date": "2026-05-01",
            "problem_kind": "not_received", "tracking_number": "RA123456789CN"}
    with pytest.raises(services.NumberCheckError) as info:
        services.new_case(book, form, today="2026-06-01")
    assert info.value.suggestion == "RA123456785CN" and book.ids() == []
    saved = services.new_case(book, form, today="2026-06-01", keep_number=True)
    assert saved.case.shipments[0].tracking_number == "RA123456789CN"


@pytest.mark.parametrize(("form", "field", "korean"), [
    ({"order_id": "12ab"}, "order.order_id", "알리익스프레스 주문번호는"),
    ({"item_title": ""}, "order.item_title", "꼭 입력해야 합니다"),
    ({"quantity": 0}, "order.quantity", "1 이상이어야 합니다"),
    ({"problem_kind": "broken"}, "problem.kind", "고를 수 있는 값이 아닙니다"),
    ({"order_date": "2026-02-30"}, "order.order_date", "날짜가 아닙니다"),
    ({"price": "12,34"}, "order.price", "금액으로 읽을 수 없습니다"),
    ({"price": "5 WON"}, "order.price", "금액으로 읽을 수 없습니다"),
    ({"currency": "WON", "price": "5"}, "order.price.currency", "통화가 아닙니다"),
    ({"price": "1000000000000000"}, "order.price.amount", "1000000000000000은 너무 큰 금액입니다"),
    ({"price": "1,000,000,000,000,000원"}, "order.price.amount", "소수점 앞 12자리(999,999,999,999)까지"),
    ({"price": "10.125 USD"}, "order.price", "USD 금액은 소수점 아래 2자리까지"),
    ({"duty_paid": "1000000000000000"}, "problem.duty_paid.amount", "너무 큰 금액입니다"),
])
def test_field_errors_are_worded_from_the_catalogue_by_their_type(book, form, field, korean):
    from casebook.field_errors import error_text, localise

    base = {"order_id": "8190300000000022", "item_title": "x", "price": "1000", "order_date": "2026-05-01",
            "problem_kind": "damaged"}
    with pytest.raises(CaseInputError) as info:
        services.new_case(book, base | form, today="2026-06-01")
    messages = dict(localise(info.value, "ko"))
    assert field in messages and korean in messages[field], messages
    assert not re.search(r"Input should|Field required|Value error", error_text(info.value, "ko"))


def test_a_page_naming_another_number_is_refused_unless_forced(seeded):
    page = (ROOT / "examples/tracking/paste/silent-20-days.txt").read_text(encoding="utf-8")  # RR512004737CN
    before = seeded.get("seed-c")
    with pytest.raises(services.WrongParcelError) as info:
        services.track(seeded, "seed-c", paste=page, today="2026-06-22")
    assert info.value.found == ["RR512004737CN"] and info.value.expected == ["RR304182752CN"]
    assert "RR512004737CN" in info.value.text("ko") and seeded.get("seed-c").revision == before.revision
    report = services.track(seeded, "seed-c", paste=page, today="2026-06-22", force=True)
    assert report.saved and "before_order" in report.timeline.keys
    # the case's own page, and a page that names its number among others, are taken as they are
    own = "Tracking number: RR304182752CN\n2026-06-21 10:00 [Incheon, KR] Import customs clearance in progress"
    assert services.track(seeded, "seed-c", paste=own, today="2026-06-22").saved
    assert services.track(seeded, "seed-a", paste=(ROOT / "examples/tracking/paste/seed-a.txt").read_text(encoding="utf-8"),
                          today="2026-03-21").saved


def test_timestamps_in_a_pasted_page_are_not_another_parcels_number(seeded):
    # the page names no number of its own, only when it was updated: it is not refused as another parcel's page
    page = ("Logistics details · updated 2026062209\nTracking page printed 20260622093015\n"
            "2026-06-21 10:00 [Incheon, KR] Import customs clearance in progress\n")
    assert services._numbers_in_page(page) == []
    assert services.track(seeded, "seed-c", paste=page, today="2026-06-22").saved
    # another parcel's page is still refused, naming its number only (not the timestamps)
    other = "Tracking number: RR512004737CN (tracking updated 2026062209)\n2026-06-21 10:00 [Incheon, KR] Arrived"
    with pytest.raises(services.WrongParcelError) as info:
        services.track(seeded, "seed-c", paste=other, today="2026-06-22")
    assert info.value.found == ["RR512004737CN"]


def test_events_after_today_are_flagged(seeded):
    page = "Tracking number: RR304182752CN\n2026-07-30 10:00 [Incheon, KR] Import customs clearance in progress"
    report = services.track(seeded, "seed-c", paste=page, today="2026-06-22")
    assert "after_today" in report.timeline.keys


def test_tracking_warnings_follow_the_case_state(seeded):
    settled = services.track(seeded, "seed-c", today="2026-07-30")  # refunded: no call to open a dispute
    assert settled.timeline.keys[0] == "settled" and "likely_lost" in settled.timeline.keys
    texts = " ".join(f.text("en") for f in settled.timeline.flags)
    assert "open a dispute" not in texts and all(f.severity.value == "info" for f in settled.timeline.flags)
    services.record_dispute(seeded, "seed-c", stage="opened", opened_date="2026-06-20", outcome=None)
    disputed = services.track(seeded, "seed-c", today="2026-07-30")
    lost = next(f for f in disputed.timeline.flags if f.key == "likely_lost")
    assert "add this tracking history to your open dispute" in lost.text("en")
    services.record_dispute(seeded, "seed-c", stage="not_opened", opened_date=None)
    waiting = services.track(seeded, "seed-c", today="2026-07-30")
    assert "open a dispute" in next(f for f in waiting.timeline.flags if f.key == "likely_lost").text("en")


def test_undo_takes_out_exactly_what_the_last_import_added_and_keeps_it_in_the_trash(seeded):
    original = seeded.get("seed-c").shipments[0].events  # saved without a snapshot (the example's own history)
    overlapping = "\n".join(f"{e.time.isoformat()} [{e.location or 'CN'}] {e.description}" for e in original[:2])
    page = f"Tracking number: RR304182752CN\n{overlapping}\n2026-06-21 10:00 [Incheon, KR] Arrived at destination country"
    services.track(seeded, "seed-c", paste=page, today="2026-06-22")
    second = services.track(seeded, "seed-c", paste=page.replace("2026-06-21 10:00", "2026-06-21 11:00"), today="2026-06-22")
    assert second.saved and len(seeded.get("seed-c").shipments[0].snapshots) == 2
    undone = services.undo_tracking(seeded, "seed-c")
    assert undone.count == 1 and len(seeded.get("seed-c").shipments[0].snapshots) == 1
    services.undo_tracking(seeded, "seed-c")
    case = seeded.get("seed-c")
    assert case.shipments[0].events == original and case.shipments[0].snapshots == []
    kept = sorted((seeded.path / ".trash").glob("seed-c-tracking-*/tracking-import.json"))
    assert len(kept) == 2 and "removed_events" in json.loads(kept[0].read_text(encoding="utf-8"))
    from casebook.field_errors import error_text

    with pytest.raises(CasebookError) as info:
        services.undo_tracking(seeded, "seed-c")
    assert "취소할 조회 가져오기가 없습니다" in error_text(info.value, "ko")


def test_removing_evidence_moves_the_file_and_its_record_to_the_trash(seeded):
    case = seeded.get("seed-a")
    record = case.evidence[1]
    stored = seeded.evidence_dir("seed-a") / record.file
    undone = services.remove_evidence(seeded, "seed-a", record.id)
    assert not stored.exists() and (undone.path / record.file).read_bytes()
    assert json.loads((undone.path / "evidence.json").read_text(encoding="utf-8"))["sha256"] == record.sha256
    assert record.id not in [e.id for e in seeded.get("seed-a").evidence]
    assert services.verify(seeded, "seed-a")[0].ok
    with pytest.raises(CasebookError, match="E99"):
        services.remove_evidence(seeded, "seed-a", "E99")


def test_the_step_opens_the_case_chosen_last(seeded):
    assert services.pick_case(seeded, "seed-b") == "seed-b"
    assert services.pick_case(seeded) == "seed-e"  # nothing chosen yet: the last one changed
    services.remember_case(seeded, "seed-c")
    assert services.pick_case(seeded) == services.current_case(seeded) == "seed-c"
    seeded.delete("seed-c")
    assert services.current_case(seeded) is None


def test_only_lines_meant_as_events_are_reported_unread(seeded):
    page = ("AliExpress · Logistics details\nTracking number: RR304182752CN\n"
            "2026-06-21 10:00 [Incheon, KR] Import customs clearance in progress\n2026-13-45 10:00 [Seoul] Out for delivery\n")
    report = services.track(seeded, "seed-c", paste=page, today="2026-06-22")
    lines = report.unread_lines("ko")
    assert len(lines) == 2 and lines[0].startswith("4번째 줄을 읽지 못했습니다(있을 수 없는 날짜나 시각입니다)")
    assert lines[1] == "날짜가 없는 2줄(제목, 번호 등)은 건너뛰었습니다"
    assert report.to_dict()["unread_lines"][:2] == ["AliExpress · Logistics details", "Tracking number: RR304182752CN"]


def test_the_form_takes_the_facts_the_advice_needs(book):
    saved = services.new_case(book, {"order_id": "8190300000000021", "item_title": "Socks", "price": "9,000원",
                                     "order_date": "2026-05-01", "problem_kind": "missing_parts", "quantity": "3",
                                     "received_quantity": "1", "duty_paid": "2,000원", "tax_included": True,
                                     "description": "양말 3켤레 중 1켤레만 왔습니다.",
                                     "description_en": "Only 1 of the 3 pairs arrived."})
    problem = saved.case.problem
    assert (saved.case.order.quantity, problem.received_quantity, problem.tax_included) == (3, 1, True)
    assert str(problem.duty_paid) == "KRW 2,000" and problem.description_en == "Only 1 of the 3 pairs arrived."
    advice = services.advise(book, saved.case.id, today="2026-05-20")
    assert advice.to_dict()["remedy"]["amount"] == {"amount": "6000", "currency": "KRW"}
    with pytest.raises(CaseInputError) as info:
        services.new_case(book, {"order_id": "8190300000000022", "item_title": "x", "price": "1000",
                                 "order_date": "2026-05-01", "problem_kind": "missing_parts", "received_quantity": "one"})
    assert "problem.received_quantity" in info.value.fields


def test_compensation_is_recorded_without_losing_the_refund(seeded):
    services.record_dispute(seeded, "seed-a", outcome={"amount_refunded": "38,500원"})
    services.record_dispute(seeded, "seed-a", outcome={"compensation": "3000 KRW"})
    outcome = seeded.get("seed-a").dispute.outcome
    assert str(outcome.amount_refunded) == "KRW 38,500" and str(outcome.compensation) == "KRW 3,000"


def test_a_case_can_be_completed_with_what_the_advice_asks_for(seeded, tmp_path):
    from casebook.cli import main

    before = services.advise(seeded, "seed-b", today="2026-05-25")
    assert main(["-C", str(seeded.path), "edit", "seed-b", "--description-en", "The shirt is polyester, not linen.",
                 "--difference", "listed 100% linen, label says 100% polyester", "--promised-date", "2026-05-30"]) == 0
    case = seeded.get("seed-b")
    assert case.problem.description_en == "The shirt is polyester, not linen." and case.order.promised_date.isoformat() == "2026-05-30"
    assert "listed 100% linen, label says 100% polyester" in case.problem.differences
    assert "The shirt is polyester, not linen." in services.summarise(seeded, "seed-b", today="2026-05-25").message("en")
    assert before.score <= services.advise(seeded, "seed-b", today="2026-05-25").score
    assert main(["-C", str(seeded.path), "edit", "seed-b", "--received-date", "2099-01-01"]) == 1
    assert main(["-C", str(seeded.path), "edit", "seed-b", "--problem", "broken"]) == 1
    assert seeded.get("seed-b").problem.kind.value == "not_as_described", "a refused edit changes nothing"


def test_a_huge_amount_is_refused_in_korean_naming_the_amount_field(seeded):
    from casebook.field_errors import error_text

    with pytest.raises(CaseInputError) as info:
        services.record_dispute(seeded, "seed-a", requested_amount="1000000000000000")
    korean = error_text(info.value, "ko", paths=True)
    assert korean.startswith("요청 금액 (dispute.requested_amount.amount): 1000000000000000은 너무 큰 금액입니다"), korean
    assert "is too large" in error_text(info.value, "en") and "Amount asked for" in error_text(info.value, "en")


@pytest.mark.parametrize("shape", ["sections", "flat"])
def test_an_order_file_takes_amounts_as_the_flags_do(book, tmp_path, shape):
    if shape == "sections":
        text = """
order:
  order_id: "8190300000000077"
  item_title: "LED 스탠드"
  price: "₩38,500"
  order_date: 2026-03-02
problem:
  kind: duty_charged
  description: "Paid duty on delivery although the listing said tax included."
  duty_paid: "5,000원"
  tax_included: true
dispute:
  stage: opened
  opened_date: 2026-03-10
  requested: partial_refund
  requested_amount: "5,000원"
  outcome:
    amount_refunded: "US$12.50"
    compensation: 3000
"""
    else:
        text = """
order_id: "8190300000000077"
item_title: "LED 스탠드"
price: "38,500원"
order_date: 2026-03-02
problem_kind: duty_charged
duty_paid: "5,000원"
"""
    path = tmp_path / "order.yaml"
    path.write_text(text, encoding="utf-8")
    case = services.new_case_from_file(book, path).case
    assert str(case.order.price) == "KRW 38,500" and str(case.problem.duty_paid) == "KRW 5,000"
    if shape == "sections":
        assert str(case.dispute.requested_amount) == "KRW 5,000"
        assert str(case.dispute.outcome.amount_refunded) == "USD 12.50"
        assert str(case.dispute.outcome.compensation) == "KRW 3,000"


def test_an_unreadable_amount_in_an_order_file_names_its_field_in_korean(book, tmp_path):
    from casebook.field_errors import error_text

    path = tmp_path / "order.yaml"
    path.write_text('order: {order_id: "8190300000000078", item_title: x, price: "38,500원", order_date: 2026-03-02}\n'
                    'problem: {kind: duty_charged, description: duty, duty_paid: "5,000 won"}\n', encoding="utf-8")
    with pytest.raises(CaseInputError) as info:
        services.new_case_from_file(book, path)
    assert info.value.fields == ["problem.duty_paid"]
    assert "낸 관세·부가세 (problem.duty_paid): 5,000 won은 금액으로 읽을 수 없습니다" in error_text(info.value, "ko", paths=True)
    assert book.ids() == []


def test_an_aliexpress_order_number_copied_with_spaces_is_saved_as_its_digits(book):
    form = {"order_id": "8190 3000 0000 0091", "item_title": "x", "price": "1000", "order_date": "2026-05-01",
            "problem_kind": "damaged"}
    saved = services.new_case(book, form)
    assert saved.case.order.order_id == "8190300000000091"
    assert saved.case.id == "20260501-aliexpress-8190300000000091" and (book.path / saved.case.id / "case.json").exists()
    again = services.new_case(book, form | {"order_id": "8190300000000091"})
    assert not again.created and again.case.id == saved.case.id, "the same order, however it was typed"


def test_an_order_number_with_spaces_elsewhere_is_refused_saying_what_is_accepted(book):
    from casebook.field_errors import error_text

    form = {"platform": "temu", "order_id": "PO 211 3456", "item_title": "x", "price": "1000", "order_date": "2026-05-01",
            "problem_kind": "damaged"}
    with pytest.raises(CaseInputError) as info:
        services.new_case(book, form)
    assert info.value.fields == ["order.order_id"]
    korean = error_text(info.value, "ko", paths=True)
    assert "띄어쓰기는 쓸 수 없습니다" in korean and "영문, 숫자, 하이픈(-)으로 3~50자" in korean and "PO 211 3456" in korean
    assert "without spaces" in error_text(info.value, "en") and book.ids() == []
