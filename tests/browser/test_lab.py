from __future__ import annotations

import re
import time

import pytest

from casebook.i18n import label
from casebook.models import EvidenceKind, ProblemKind
from casebook.store import Casebook
from tests.browser.conftest import open_notebook, success_screenshot
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def wait_until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError("condition not met in time")


def pick(panel, book: Casebook, case_id: str) -> None:
    """Choose the case in the step's own picker (notebooks 02-04) and wait until the banner names it."""
    panel.locator(".casebook-picker select").select_option(label=f"{case_id} · {book.get(case_id).order.item_title}")
    panel.locator(f".casebook-current-case[data-case='{case_id}']").wait_for(state="visible")


def test_log_an_order_in_jupyterlab_with_a_korean_title_and_a_messy_number(page, jupyterlab, casebook):
    open_notebook(page, jupyterlab, "01_log_order")
    form = page.locator(".casebook-log-order")
    form.wait_for(state="visible", timeout=90_000)
    form.locator(".casebook-field-order-id input").fill("8190000000000099")
    form.locator(".casebook-field-item-title input").fill("무선 충전기 (Wireless charger)")
    form.locator(".casebook-field-price input").fill("15,900원")  # as a Korean shopper types it
    form.locator(".casebook-field-order-date input").fill("2026-11-01")
    form.locator(".casebook-field-problem-kind select").select_option(label=label(ProblemKind.NOT_RECEIVED, "ko"))
    form.locator(".casebook-field-description textarea").fill("The parcel has not arrived; tracking stopped on 11-05.")
    form.locator(".casebook-field-tracking-number input").fill("ra 1234 5678 9 cn")
    form.locator(".casebook-field-tracking-number input").press("Tab")
    suggestion = form.locator(".casebook-feedback-tracking-number .casebook-suggestion")
    suggestion.wait_for(state="visible")
    assert "RA123456785CN" in suggestion.inner_text()
    success_screenshot(page, "01_log_order")
    form.locator(".casebook-field-tracking-number input").fill("RA123456785CN")
    form.locator(".casebook-save").click()
    page.locator(".casebook-status", has_text="저장했습니다").wait_for(state="visible")
    book = Casebook(casebook.path)
    case = book.get("20261101-aliexpress-8190000000000099")
    assert case.order.item_title == "무선 충전기 (Wireless charger)" and str(case.order.price) == "KRW 15,900"
    assert case.shipments[0].tracking_number == "RA123456785CN"


def test_korean_labels_render_as_hangul_not_boxes(page, jupyterlab):
    open_notebook(page, jupyterlab, "01_log_order")
    page.locator(".casebook-log-order").wait_for(state="visible", timeout=90_000)
    # Two different Hangul syllables in the page's own font: with no Hangul font both render as the same box (tofu).
    page.evaluate("""() => {
        for (const [id, text] of [['cb-ga', '가'], ['cb-hih', '힣']]) {
            const el = document.createElement('span'); el.id = id; el.textContent = text;
            el.style.cssText = 'font-size:48px;position:fixed;top:10px;left:' + (id === 'cb-ga' ? 10 : 90) + 'px;background:#fff;color:#000;z-index:99999';
            document.body.appendChild(el);
        }
    }""")
    from io import BytesIO

    from PIL import Image, ImageChops

    first = Image.open(BytesIO(page.locator("#cb-ga").screenshot())).convert("L")
    second = Image.open(BytesIO(page.locator("#cb-hih").screenshot())).convert("L").resize(first.size)
    assert first.getextrema()[0] < 100, "the glyph area must hold dark pixels (text), not be uniform"
    assert ImageChops.difference(first, second).getbbox() is not None, "different syllables render identically: tofu boxes"
    label = page.locator(".casebook-log-order .widget-label", has_text="주문번호").first
    shot = Image.open(BytesIO(label.screenshot())).convert("L")
    assert shot.getextrema()[0] < 120 and shot.getextrema()[1] > 200, "the Korean label is not uniform"


def test_upload_an_image_and_see_it_in_the_checklist(page, jupyterlab, casebook):
    open_notebook(page, jupyterlab, "03_collect_evidence")
    panel = page.locator(".casebook-evidence")
    panel.wait_for(state="visible", timeout=90_000)
    pick(panel, casebook, "seed-a")
    panel.locator(".casebook-kind select").select_option(label=label(EvidenceKind.LABEL_PHOTO, "ko"))
    panel.locator(".casebook-caption input").fill("브랜드 라벨 · brand label")
    with page.expect_file_chooser() as chooser:
        panel.locator(".casebook-upload").click()
    chooser.value.set_files(str(ROOT / "examples/cases/seed-b/evidence/shirt.jpg"))
    page.locator(".casebook-upload", has_text="(1)").wait_for(state="visible")
    panel.locator(".casebook-add").click()
    page.locator(".casebook-status", has_text="1개를 추가했습니다").wait_for(state="visible")
    success_screenshot(page, "03_collect_evidence")
    case = Casebook(casebook.path).get("seed-a")
    assert case.evidence[-1].kind.value == "label_photo" and case.evidence[-1].original_name == "shirt.jpg"
    assert panel.locator(".casebook-item-present").count() >= 2


def test_export_the_dispute_pack_from_the_summary_notebook(page, jupyterlab, casebook):
    open_notebook(page, jupyterlab, "04_dispute_summary")
    panel = page.locator(".casebook-summary")
    panel.wait_for(state="visible", timeout=90_000)
    pick(panel, casebook, "seed-a")
    from playwright.sync_api import expect

    expect(panel.locator(".casebook-message textarea")).to_have_value(re.compile("order 8190012345678901"), timeout=60_000)
    panel.locator(".casebook-export-zip").click()
    page.locator(".casebook-links a.casebook-download", has_text="dispute-pack.zip").wait_for(state="visible")
    success_screenshot(page, "04_dispute_summary")
    pack = casebook.path / "exports" / "seed-a-dispute-pack.zip"
    wait_until(pack.exists)
    import zipfile

    assert "manifest.json" in zipfile.ZipFile(pack).namelist()


def test_a_report_with_hostile_case_data_runs_no_script(page, casebook, tmp_path):
    from casebook.summary import report_html

    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>{{ 7*7 }}"
    case = casebook.get("seed-a")
    case.problem.description = hostile
    case.messages[0].text = hostile
    case.notes = hostile
    casebook.save(case)
    target = tmp_path / "report.html"
    target.write_text(report_html(casebook.get("seed-a"), book=casebook), encoding="utf-8")
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(target.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert dialogs == [] and errors == []
    assert page.locator("script").count() == 0
    assert hostile in page.locator("body").inner_text()
