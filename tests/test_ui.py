"""Widget panels driven without a browser or a kernel (ipywidgets' comm falls back to a dummy)."""

from __future__ import annotations

import zipfile


from casebook.ui import CasebookApp, EvidencePanel, LogOrderPanel, OverviewPanel, SummaryPanel, TrackingPanel
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def upload(panel: EvidencePanel, *files: tuple[str, bytes]) -> None:
    panel.upload.set_state({"value": [{"name": name, "type": "application/octet-stream", "size": len(data),
                                       "content": memoryview(data), "last_modified": 0} for name, data in files]})


def fill_valid(panel: LogOrderPanel, **extra) -> None:
    panel.fill(order_id="8190000000000077", item_title="블루투스 스피커 (Bluetooth speaker)", price="19,900",
               order_date="2026-11-01", ship_date="2026-11-03", problem_kind="not_received",
               description="The parcel has not arrived after 20 days and tracking stopped on 11-06.", **extra)


def test_a_messy_tracking_number_gets_live_feedback_and_a_suggestion(book):
    panel = LogOrderPanel(book, lang="en")
    panel.inputs["tracking_number"].value = " ra 1234-5678 9 cn "
    feedback = panel.feedback["tracking_number"].value
    assert "expected 5, found 9" in feedback and "RA123456785CN" in feedback
    panel.inputs["tracking_number"].value = "ＲＡ１２３４５６７８５ＣＮ"
    assert "China Post" in panel.feedback["tracking_number"].value and "✓" in panel.feedback["tracking_number"].value


def test_saving_the_form_writes_the_case_to_disk(book):
    panel = LogOrderPanel(book, lang="ko")
    fill_valid(panel, tracking_number="ra123456785cn", domestic_number="630012345678")
    panel.save_button.click()
    assert panel.errors == [] and panel.saved_case_id == "20261101-aliexpress-8190000000000077"
    case = book.get(panel.saved_case_id)
    assert str(case.order.price) == "KRW 19,900" and case.order.item_title.startswith("블루투스")
    assert case.shipments[0].tracking_number == "RA123456785CN" and case.shipments[0].domestic_carrier == "kr.cjlogistics"
    assert "저장했습니다" in panel.status.value


def test_bad_fields_are_marked_next_to_the_field_and_nothing_is_saved(book):
    panel = LogOrderPanel(book, lang="en")
    fill_valid(panel)
    panel.fill(price="-3", received_date="2026-10-01")
    panel.save_button.click()
    assert book.ids() == []
    assert "is not an amount" in panel.feedback["price"].value
    panel.fill(price="3000")
    panel.save_button.click()
    assert "received_date 2026-10-01 is before" in panel.feedback["received_date"].value
    assert panel.errors and "fix the marked fields" in panel.error.value


def test_uploaded_bytes_become_evidence_and_the_checklist_updates(seeded):
    panel = EvidencePanel(seeded, "seed-b", lang="en")
    assert "casebook-item-missing' data-item='listing'" in panel.checklist.value
    panel.kind.value, panel.caption.value = "product_page_screenshot", "Listing says 100% linen"
    upload(panel, ("listing.png", (EXAMPLES / "cases/seed-c/evidence/order-promise.png").read_bytes()))
    panel.add_button.click()
    assert panel.errors == []
    assert "casebook-item-present' data-item='listing'" in panel.checklist.value
    assert seeded.get("seed-b").evidence[-1].caption == "Listing says 100% linen"
    assert "intact" in panel.integrity.value and len(panel.thumbnails.children) == 2


def test_a_bad_upload_is_reported_and_the_good_ones_still_added(seeded):
    panel = EvidencePanel(seeded, "seed-d", lang="en")
    panel.kind.value = "size_photo"
    upload(panel, ("empty.jpg", b""), ("ruler.jpg", (EXAMPLES / "cases/seed-a/evidence/broken-cup.jpg").read_bytes()))
    panel.add_button.click()
    assert "empty.jpg" in panel.error.value and "empty" in panel.errors[0]
    assert [e.kind.value for e in seeded.get("seed-d").evidence] == ["defect_photo", "size_photo"]


def test_export_buttons_write_the_files(seeded, tmp_path):
    out = tmp_path / "out"
    panel = SummaryPanel(seeded, "seed-c", output_dir=out, lang="en", today="2026-06-22")
    assert "Readiness: 100/100" in panel.readiness.value and "Order 8190034567890123" not in panel.message.value[:5]
    for fmt in ("txt", "html", "zip", "ics"):
        panel.buttons[fmt].click()
    assert panel.errors == []
    assert {p.name for p in out.iterdir()} == {"seed-c-message-en.txt", "seed-c-message-ko.txt", "seed-c-report.html",
                                               "seed-c-dispute-pack.zip", "seed-c-deadlines.ics"}
    assert zipfile.ZipFile(out / "seed-c-dispute-pack.zip").testzip() is None
    panel.message_lang.value = "ko"
    assert "요청 사항" in panel.message.value


def test_case_d_shows_the_first_seller_message_instead(seeded, tmp_path):
    panel = SummaryPanel(seeded, "seed-d", output_dir=tmp_path, lang="en")
    assert panel.message.value.startswith("Hello,\n\nI am writing about order 8190045678901234")


def test_a_failing_callback_shows_its_error_in_the_panel(seeded, tmp_path, monkeypatch):
    panel = SummaryPanel(seeded, "seed-a", output_dir=tmp_path, lang="en")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("casebook.summary.build_pack", broken)
    panel.buttons["zip"].click()  # ipywidgets would swallow this; the panel must not
    assert panel.errors == ["RuntimeError: disk on fire"]
    assert "disk on fire" in panel.error.value and "Something went wrong" in panel.error.value


def test_tracking_panel_imports_a_paste_and_flags_trouble(seeded):
    panel = TrackingPanel(seeded, "seed-c", lang="en", today="2026-06-22")
    assert "casebook-flag-stalled" in panel.flags.value and "casebook-flag-past_promised" in panel.flags.value
    panel.paste.value = "2026-06-21 10:00:00 [Incheon, KR] Import customs clearance in progress"
    panel.fetch_button.click()
    assert panel.errors == []
    assert "casebook-flag-at_customs" in panel.flags.value and bytes(panel.plot.value).startswith(b"\x89PNG")
    assert len(seeded.get("seed-c").shipments[0].snapshots) == 1


def test_tracking_panel_says_where_the_token_comes_from(seeded):
    panel = TrackingPanel(seeded, "seed-c", lang="en")
    panel.provider.value = "17track"
    assert "SEVENTEENTRACK_TOKEN" in panel.note.value
    panel.fetch_button.click()
    assert "SEVENTEENTRACK_TOKEN" in panel.error.value


def test_overview_sorts_escapes_and_opens_a_case(seeded):
    case = seeded.get("seed-b")
    case.order.item_title = "<script>alert(1)</script>"
    seeded.save(case)
    opened = []
    panel = OverviewPanel(seeded, lang="en", on_open=opened.append, today="2026-05-25")
    assert "<script>" not in panel.table.value and "&lt;script&gt;" in panel.table.value
    panel.sort.value = "readiness"
    assert list(panel.frame["id"])[0] == "seed-d"  # lowest readiness first
    panel.picker.value = "seed-c"
    panel.open_button.click()
    assert opened == ["seed-c"]


def test_the_app_chains_the_steps(book, tmp_path):
    app = CasebookApp(book, output_dir=tmp_path, lang="en")
    app.next.click()
    assert app.tabs.selected_index == 1
    app.next.click()
    assert app.tabs.selected_index == 1 and "Pick or save a case first" in app.error.value
    fill_valid(app.log, tracking_number="RA123456785CN")
    app.log.save_button.click()
    assert app.case_id and app.tabs.selected_index == 2 and app.tracking.case_id == app.case_id
    app.next.click(), app.next.click()
    assert app.tabs.selected_index == 4 and "8190000000000077" in app.summary.message.value
    app.back.click()
    assert app.tabs.selected_index == 3
    app.language.value = "ko"
    assert app.tabs.titles[1] == "주문 기록" and app.log.save_button.description == "사례 저장"


def test_the_evidence_panel_shows_a_kind_mismatch(seeded):
    # a mismatch was a warning; since issue #13 it is refused, and the panel shows why
    panel = EvidencePanel(seeded, "seed-a", lang="en")
    panel.kind.value = "defect_photo"
    upload(panel, ("notes.txt", "메모: 금이 간 곳 두 군데".encode()))
    panel.add_button.click()
    assert panel.errors and "text/plain" in panel.errors[-1] and "notes.txt" in panel.errors[-1]
    assert len(seeded.get("seed-a").evidence) == 5
