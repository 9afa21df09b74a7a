"""The Voila app as a shopper lives it (issue #14): Chromium, fonts-noto-cjk, no emoji font, locale ko-KR.

One Voila server for the module, serving the app as ``make app`` does
(preheated kernels); each test opens its own page. Every wait is for a
condition, with a generous timeout; nothing sleeps and then asserts.
"""

from __future__ import annotations

import re
import zipfile

import pytest

from casebook.examples import load_examples
from casebook.i18n import label
from casebook.models import ProblemKind
from casebook.store import Casebook
from tests.browser.conftest import serve_voila, success_screenshot
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

TABS = ".casebook-tabs .lm-TabBar-tab"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    book = Casebook.init(folder / "casebook")
    load_examples(book)
    with serve_voila(book.path, folder / "voila") as server:
        yield book, server


def open_app(page, server) -> None:
    page.goto(server.url + "/")
    page.locator(".casebook-app .casebook-tabs").wait_for(state="visible", timeout=120_000)


def choose(page, book: Casebook, case_id: str) -> None:
    """Pick a case in the app's own picker (above every step) and wait until its banner names it."""
    picker = page.locator(".casebook-app .casebook-case-header .casebook-picker select").first
    picker.select_option(label=f"{case_id} · {book.get(case_id).order.item_title}")
    page.locator(f".casebook-app .casebook-current-case[data-case='{case_id}']").first.wait_for(state="visible")


def tab(page, index: int, css: str) -> None:
    page.locator(TABS).nth(index).click()
    page.locator(css).wait_for(state="visible")


def test_a_double_click_on_save_creates_one_case(page, shared):
    book, server = shared
    open_app(page, server)
    tab(page, 1, ".casebook-log-order")
    form = page.locator(".casebook-log-order")
    form.locator(".casebook-field-order-id input").fill("8190000000000099")
    form.locator(".casebook-field-item-title input").fill("무선 충전기 (Wireless charger)")
    form.locator(".casebook-field-price input").fill("15,900원")
    form.locator(".casebook-field-order-date input").fill("2026-11-01")
    form.locator(".casebook-field-problem-kind select").select_option(label=label(ProblemKind.NOT_RECEIVED, "ko"))
    form.locator(".casebook-save").dblclick()
    form.locator(".casebook-status", has_text="저장했습니다").wait_for(state="attached")  # the app moves on
    page.locator(".casebook-tracking").wait_for(state="visible")  # the app moved on with the new case
    # one more round trip after both clicks: re-sort the overview and read its redrawn table
    tab(page, 0, ".casebook-overview")
    page.locator(".casebook-sort select").select_option(label="사례")
    page.locator(".casebook-overview-table tr", has_text="20261101-aliexpress-8190000000000099").first.wait_for()
    assert page.locator(".casebook-overview-table tr", has_text="8190000000000099").count() == 1
    frame = Casebook(book.path).to_frame()
    assert (frame["order_id"] == "8190000000000099").sum() == 1
    assert str(Casebook(book.path).get("20261101-aliexpress-8190000000000099").order.price) == "KRW 15,900"


def test_a_pasted_page_of_another_parcel_is_refused(page, shared):
    book, server = shared
    open_app(page, server)
    choose(page, book, "seed-c")
    tab(page, 2, ".casebook-tracking")
    panel = page.locator(".casebook-tracking")
    panel.locator(".casebook-flags .casebook-flag").first.wait_for(state="visible")
    success_screenshot(page, "02_check_tracking")
    panel.locator(".casebook-paste textarea").fill((ROOT / "examples/tracking/paste/silent-20-days.txt").read_text("utf-8"))
    panel.locator(".casebook-fetch").click()
    refused = panel.locator(".casebook-error", has_text="RR512004737CN")
    refused.wait_for(state="visible")
    assert "저장하지 않았습니다" in refused.inner_text() and "RR304182752CN" in refused.inner_text()
    panel.locator(".casebook-force").wait_for(state="visible")  # the shopper may confirm it is the same parcel
    assert Casebook(book.path).get("seed-c").shipments[0].snapshots == []


def _words(page, css: str) -> list[str]:
    return [text.strip() for text in page.locator(css).all_text_contents() if text.strip()]


def test_switching_the_language_relabels_every_button(page, shared):
    book, server = shared
    open_app(page, server)
    choose(page, book, "seed-b")
    for index, css in enumerate((".casebook-overview", ".casebook-log-order", ".casebook-tracking", ".casebook-evidence",
                                 ".casebook-summary")):
        tab(page, index, css)  # every step built and on the page
        if index == 0:
            success_screenshot(page, "00_overview")
    controls = ".casebook-app button, .casebook-app .widget-label, .casebook-app .lm-TabBar-tabLabel"
    names = {"한국어", "English", "17TRACK"}
    korean = _words(page, controls)
    assert len(korean) > 40 and not [w for w in korean if w not in names and not re.search(r"[가-힣]", w)
                                     and re.search(r"[a-z]{3}", w)]
    page.locator(".casebook-language button", has_text="English").click()
    # the switch is one kernel round trip that relabels everything; wait (generously) until its last update is drawn
    page.wait_for_function("""([css, names]) => [...document.querySelectorAll(css)].every(
        e => names.includes(e.textContent.trim()) || !/[가-힣]/.test(e.textContent))""", arg=[controls, sorted(names)],
                           timeout=60_000)
    english = _words(page, controls)
    leftover = [w for w in english if w not in names and re.search(r"[가-힣]", w)]
    assert leftover == [] and len(english) == len(korean)
    options = [o for o in page.locator(".casebook-app select option").all_text_contents()
               if not re.match(r"[\w-]+\s·\s", o)]  # "id · name": cases and evidence are named in the shopper's words
    assert options and not [o for o in options if re.search(r"[가-힣]", o)]
    success_screenshot(page, "app")


def test_the_dispute_pack_downloads_from_voila_as_a_valid_zip(page, shared, tmp_path):
    book, server = shared
    open_app(page, server)
    choose(page, book, "seed-a")
    tab(page, 4, ".casebook-summary")
    page.locator(".casebook-summary .casebook-export-zip").click()
    link = page.locator(".casebook-summary a.casebook-download", has_text="seed-a-dispute-pack.zip")
    link.wait_for(state="visible")
    assert str(book.path) not in page.locator(".casebook-summary .casebook-links").inner_text()  # no server path
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "seed-a-dispute-pack.zip"
    with zipfile.ZipFile(saved) as pack:
        assert pack.testzip() is None and "manifest.json" in pack.namelist()


def test_at_390_px_nothing_is_cut_or_off_screen(browser, shared):
    book, server = shared
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_app(page, server)
        choose(page, book, "seed-c")
        for index, css in enumerate((".casebook-overview", ".casebook-log-order", ".casebook-tracking", ".casebook-evidence",
                                     ".casebook-summary")):
            tab(page, index, css)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{css}: {overflow} px wider than the screen"
            for control in (".casebook-case-header .casebook-picker", TABS, f"{css} button"):
                for box in (page.locator(control).nth(n).bounding_box() for n in range(page.locator(control).count())):
                    if box is not None and box["width"] > 0:
                        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, (css, control, box)
            if index == 0:
                table = page.locator(".casebook-overview-scroll").first  # the table scrolls inside its box
                assert table.evaluate("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto'")
                success_screenshot(page, "app-390")
            if index == 2:
                success_screenshot(page, "02_check_tracking-390")
    finally:
        context.close()


def test_checklist_states_read_as_words_and_colours_without_an_emoji_font(page, shared):
    book, server = shared
    # this machine has fonts-noto-cjk and no emoji font: a state carried by ✅/❌/⬜ alone would be a box
    open_app(page, server)
    choose(page, book, "seed-b")
    tab(page, 3, ".casebook-evidence")
    missing = page.locator(".casebook-evidence .casebook-item-missing .casebook-state").first
    present = page.locator(".casebook-evidence .casebook-item-present .casebook-state").first
    missing.wait_for(state="visible")
    assert missing.inner_text() == "없음" and present.inner_text() == "있음"
    assert missing.get_attribute("aria-label") == "없음" and present.get_attribute("aria-label") == "있음"
    colours = [s.evaluate("e => getComputedStyle(e).color") for s in (missing, present)]
    assert colours[0] != colours[1]
    item = page.locator(".casebook-evidence .casebook-item-missing").first.inner_text()
    assert not re.search(r"[\u2600-\u27bf\U0001f300-\U0001faff]", item), "a glyph alone must not carry the state"
