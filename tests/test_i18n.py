"""One catalogue, complete in both languages; no internal key ever reaches a shopper."""

from __future__ import annotations

import html.parser
import re
import string
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path

import pytest

import casebook.models as models
from casebook import services
from casebook.i18n import LANGS, Text, catalogue, enum_key, label, money, particle, t
from casebook.rules import Rules
from tests.conftest import ROOT

SEEDS = ["seed-a", "seed-b", "seed-c", "seed-d", "seed-e"]
TODAY = {"seed-a": "2026-03-21", "seed-b": "2026-05-25", "seed-c": "2026-06-22", "seed-d": "2026-07-18",
         "seed-e": "2026-08-21"}
ENUMS = [value for value in vars(models).values() if isinstance(value, type) and issubclass(value, Enum)
         and value.__module__ == models.__name__]


def test_every_entry_has_both_languages_and_the_same_placeholders():
    formatter = string.Formatter()
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGS), key
        fields = {lang: {name for _, name, _, _ in formatter.parse(entry[lang]) if name} for lang in LANGS}
        assert fields["ko"] == fields["en"], f"{key}: {fields}"
        assert entry["ko"] != "" and entry["en"] != ""


def test_korean_entries_are_korean_and_english_entries_are_not():
    for key, entry in catalogue().items():
        if key.startswith(("enum.platform.", "enum.tracking_status", "sub_status.")) or entry["ko"] == entry["en"]:
            continue
        assert re.search(r"[가-힣]", entry["ko"]) or key.startswith("cli.dispute_stage"), key
        assert not re.search(r"[가-힣]", entry["en"].replace("분쟁", "").replace("개인통관고유부호", "")), key


def test_every_enum_member_has_a_label_in_both_languages():
    for enum in ENUMS:
        for member in enum:
            assert enum_key(member) in catalogue(), enum_key(member)
            assert label(member, "ko") and label(member, "en")


def test_every_rule_that_shoppers_see_has_its_words():
    rules = Rules.default()
    for key in rules.checklists["items"]:
        assert f"checklist.{key}" in catalogue() and f"checklist.{key}.why" in catalogue()
    for key in rules.deadlines:
        assert f"deadline.{key}" in catalogue()
    for kind in models.ProblemKind:
        assert f"strategy.{kind.value}" in catalogue()
    for rung in rules.guide["ladder"]["order"]:
        assert f"ladder.{rung}" in catalogue() and f"ladder.{rung}.when" in catalogue()


@pytest.mark.parametrize(("word", "pair", "expected"), [
    ("증거", "을/를", "를"), ("사진", "을/를", "을"), ("판매자", "이/가", "가"), ("택배사", "은/는", "는"),
    ("발송일", "을/를", "을"), ("전액 환불", "으로/로", "로"), ("사진", "으로/로", "으로"), ("카드사", "으로/로", "로"),
    ("DHL", "이/가", "이"), ("UPS", "이/가", "가"), ("AliExpress", "을/를", "를"), ("38,500원", "이/가", "이"),
    ("'XL'", "은/는", "은"), ("10", "을/를", "을"), ("2", "을/를", "를"), ("7", "으로/로", "로"),
])
def test_korean_particles_follow_the_word(word, pair, expected):
    assert particle(word, pair) == expected


# each digit as read in Korean: 영 일 이 삼 사 오 육 칠 팔 구 (10 십, 100 백: the last digit decides)
@pytest.mark.parametrize(("number", "after"), [
    ("0", ("이어야", "을", "으로")), ("1", ("이어야", "을", "로")), ("2", ("여야", "를", "로")), ("3", ("이어야", "을", "으로")),
    ("4", ("여야", "를", "로")), ("5", ("여야", "를", "로")), ("6", ("이어야", "을", "으로")), ("7", ("이어야", "을", "로")),
    ("8", ("이어야", "을", "로")), ("9", ("여야", "를", "로")), ("10", ("이어야", "을", "으로")), ("100", ("이어야", "을", "으로")),
    ("12", ("여야", "를", "로")), ("1.5", ("여야", "를", "로")),
])
def test_particles_after_a_number_follow_its_korean_reading(number, after):
    assert (particle(number, "이어야/여야"), particle(number, "을/를"), particle(number, "으로/로")) == after


def test_a_pair_may_be_written_in_either_order():
    assert particle("사진", "와/과") == particle("사진", "과/와") == "과"
    assert particle("증거", "여야/이어야") == "여야" and particle("6", "로/으로") == "으로"


@pytest.mark.parametrize(("word", "pair", "expected"), [
    # file names and acronyms: letter by letter, by the English letter names (피엔지, 디에이치엘, 엑스엘)
    ("random.png", "은/는", "는"), ("photo.JPG", "을/를", "를"), ("report.html", "으로/로", "로"), ("video.mp4", "이/가", "가"),
    ("scan.pdf", "은/는", "는"), ("video.webm", "을/를", "을"), ("pack.zip", "이/가", "이"), ("case.json", "은/는", "은"),
    ("png", "은/는", "는"), ("DHL", "이/가", "이"), ("UPS", "이/가", "가"), ("EMS", "을/를", "를"), ("CN", "으로/로", "으로"),
    ("XL", "은/는", "은"), ("KR", "으로/로", "로"), ("RA123456785CN", "이/가", "이"), ("4PX", "은/는", "는"),
    # ordinary words: as the loanword is written in Hangul
    ("book", "은/는", "은"), ("chat", "으로/로", "으로"), ("17TRACK", "으로/로", "으로"), ("SHEIN", "은/는", "은"),
    ("Amazon", "을/를", "을"), ("iPhone", "이/가", "이"), ("PayPal", "으로/로", "로"), ("file", "이/가", "이"),
    ("AliExpress", "을/를", "를"), ("Temu", "은/는", "는"), ("card", "으로/로", "로"), ("order", "이/가", "가"),
    ("page", "을/를", "를"), ("Cainiao", "와/과", "와"), ("ePacket", "은/는", "은"),
])
def test_particles_after_latin_words_follow_how_they_are_read(word, pair, expected):
    assert particle(word, pair) == expected


@pytest.mark.parametrize(("word", "pair", "expected"), [
    ("배송 약속일(또는 보장 일수)", "을/를", "을"), ("발송일 (예정)", "이/가", "이"), ("증거(사진)", "을/를", "를"),
    ("주문 화면 [캡처]", "으로/로", "으로"), ("(R)", "은/는", "은"), ("커피(coffee)", "를/을", "를"),
    ("약속일(또는 보장 일수(영업일))", "을/를", "을"),
])
def test_a_particle_after_a_parenthesis_follows_the_word_before_it(word, pair, expected):
    assert particle(word, pair) == expected


def test_a_check_digit_reads_as_a_korean_number():
    from casebook.tracking.numbers import parse

    assert parse("RA123456709CN").reason.message_ko == "중국우정 (국제등기우편, R) 검증번호가 맞지 않습니다. 6이어야 하는데 9입니다"
    assert parse("RA123456759CN").reason.message_ko == "중국우정 (국제등기우편, R) 검증번호가 맞지 않습니다. 4여야 하는데 9입니다"
    assert t("number.reason.checksum_mismatch", "ko", carrier="X", expected=6, got=9) == \
        "X 검증번호가 맞지 않습니다. 6이어야 하는데 9입니다"


def test_fields_rendered_with_a_parenthesis_or_a_file_name_pick_the_right_particle():
    assert t("deadline.cannot_compute", "ko", missing=Text("field.promised_by")("ko")) == \
        "배송 약속일(또는 보장 일수)을 알아야 계산할 수 있습니다"
    assert t("upload_error.empty", "ko", name="random.png") == "random.png는 빈 파일(0바이트)이라 보관할 수 없습니다"
    assert t("download.too_big", "ko", name="unboxing.mp4", size="80 MB", path="/x") == \
        "unboxing.mp4는 여기서 내려받기에 너무 큽니다(80 MB). casebook 폴더에 있습니다: /x"
    assert t("undo.evidence_done", "ko", id="E03", file="a.jpg", path="/t") == \
        "E03 증거(a.jpg)를 뺐습니다. 파일은 /t에 옮겨 두었습니다"
    assert "--tracking RA123456706CN으로 다시" in t("field_error.number_check_cli", "ko", number="RA123456709CN", suggestion="RA123456706CN")
    assert "--tracking 1234567892로 다시" in t("field_error.number_check_cli", "ko", number="1", suggestion="1234567892")


@pytest.mark.parametrize(("key", "values", "en", "ko"), [
    ("deadline.left", {"days": 1}, "1 day left", "1일 남음"),
    ("deadline.left", {"days": 3}, "3 days left", "3일 남음"),
    ("deadline.ago", {"days": 1}, "1 day ago", "1일 지남"),
    ("deadline.from_in", {"when": "2026-07-03", "days": 1}, "from 2026-07-03 (in 1 day)", "2026-07-03부터 (1일 후)"),
    ("flag.stalled", {"days": 1}, "No update for 1 day: message the seller", "1일째 업데이트가 없습니다. 판매자에게 문의하세요"),
    ("ui.logged", {"n": 1}, "Logged; 1 message with the seller", "기록했습니다. 판매자와 주고받은 메시지는 1건입니다"),
    ("cli.messages_logged", {"id": "c", "n": 1, "seller": 1}, "c: 1 message logged (1 with the seller)",
     "c: 메시지 1건 기록 (판매자와 1건)"),
    ("cli.verify_ok", {"id": "c", "n": 1}, "c: OK (1 file verified)", "c: 이상 없음 (파일 1개 확인)"),
    ("message.attached_files", {"n": 2}, "I have attached 2 files showing the problem.", "문제를 보여 주는 파일 2개를 첨부했습니다."),
    ("paste.skipped", {"n": 1}, "1 line without a date (headings, the number) was skipped",
     "날짜가 없는 1줄(제목, 번호 등)은 건너뛰었습니다"),
    ("tracking_check.after_today", {"n": 1, "date": "2026-06-01"},
     "1 event is dated after today (2026-06-01): check the page's dates and time zone",
     "1개 기록이 오늘(2026-06-01) 이후 날짜입니다. 화면의 날짜와 시간대를 확인하세요"),
    ("report.message_count", {"n": 2}, "2 messages", "2건"),
    ("report.file_count", {"n": 1}, "1 file", "1개"),
    ("message.steps_left_out", {"n": 1}, "(1 earlier message not listed; see the chat history)",
     "(이전 메시지 1건은 대화 기록을 참고해 주세요)"),
    ("step.missing_items", {"missing": 1, "amount": "KRW 780"},
     "Ask the seller either to send the 1 missing item or to refund KRW 780 for it; keep the dispute open until you have "
     "one or the other.", "판매자에게 빠진 1개를 보내 주거나, 그 금액인 KRW 780을 환불해 달라고 요청하세요. 둘 중 하나를 받을 때까지 분쟁을 닫지 마세요."),
])
def test_counts_read_naturally_in_both_languages(key, values, en, ko):
    assert (t(key, "en", **values), t(key, "ko", **values)) == (en, ko)


def test_plural_picks_one_only_for_exactly_one():
    from casebook.i18n import plural

    assert [plural(n, "# day|# days") for n in (0, 1, 2, "1", "1.0", 1.5, -1)] == \
        ["0 days", "1 day", "2 days", "1 day", "1.0 day", "1.5 days", "-1 day"]
    assert plural("n/a", "# day|# days") == "n/a days"


def test_no_english_entry_writes_a_count_as_s_in_brackets():
    assert not [key for key, entry in catalogue().items() if "(s)" in entry["en"]]


def test_show_counts_messages_and_evidence_with_their_counter_words(seeded):
    ko = _cli(seeded.path, "show", "seed-c", "--lang", "ko").splitlines()
    en = _cli(seeded.path, "show", "seed-c", "--lang", "en").splitlines()
    assert "  연락 기록: 4건" in ko and "  증거: 3개" in ko
    assert "  Communication log: 4 messages" in en and "  Evidence: 3 files" in en


def test_an_aside_never_nests_brackets():
    from casebook.i18n import aside

    assert aside("LP00068434402473", "Cainiao (AliExpress Standard Shipping)") == \
        "LP00068434402473 (Cainiao, AliExpress Standard Shipping)"
    assert aside("Cainiao", "Cainiao (AliExpress Standard)") == "Cainiao (AliExpress Standard)"
    assert aside("Cainiao", "cainiao") == "Cainiao" and aside("RA123456785CN", "") == "RA123456785CN"
    assert aside("x", "a (b (c))") == "x (a, b, c)"


def test_carrier_names_are_shown_without_nested_brackets():
    from casebook.tracking.numbers import parse

    assert parse("EE123456785KR").best.name_ko == "우체국 (국제특급우편, EMS)"
    assert parse("RA123456785CN").summary("en") == "RA123456785CN  OK  China Post (Letter Post Registered) · check digit ok"
    assert parse("LP00068434402473").summary("ko") == "LP00068434402473  정상  차이냐오 (알리익스프레스 스탠다드) · 검증번호 없음"


def test_the_messages_tracking_line_has_one_level_of_brackets(seeded):
    from casebook.summary import summarise

    case = seeded.get("seed-c")
    case.shipments[0].tracking_number = "LP00068434402473"
    summary = summarise(case, now=datetime(2026, 6, 22, 3, tzinfo=timezone.utc))
    assert "- Tracking number: LP00068434402473 (Cainiao, AliExpress Standard Shipping)\n" in summary.message("en")
    assert "- 운송장 번호: LP00068434402473 (차이냐오, 알리익스프레스 스탠다드)\n" in summary.message("ko")
    assert "- 운송장 번호: RR304182752CN (중국우정, 국제등기우편, R)\n" in summarise(seeded.get("seed-c")).message("ko")


def test_an_item_with_brackets_and_its_option_never_nest_brackets(seeded):
    from casebook.summary import report_markdown, seller_first_message, summarise
    from casebook.views import case_html

    case = seeded.get("seed-d")  # 캔버스 스니커즈 (Canvas sneakers), option "White, EU 40 (250 mm)"
    now = datetime(2026, 7, 18, 3, tzinfo=timezone.utc)
    assert "- 상품: 캔버스 스니커즈 (Canvas sneakers) (White, EU 40, 250 mm)\n" in summarise(case, now=now).message("ko")
    assert seller_first_message(case, now=now).startswith(
        "Hello,\n\nI am writing about order 8190045678901234 (캔버스 스니커즈, Canvas sneakers, White, EU 40, 250 mm): "
        "wrong size received.\n")
    assert "| Item · 상품 | 캔버스 스니커즈 (Canvas sneakers) (White, EU 40, 250 mm) |" in report_markdown(case, now=now)
    assert "캔버스 스니커즈 (Canvas sneakers) (White, EU 40, 250 mm)</td>" in case_html(case, "ko")


@pytest.mark.parametrize(("caption", "kind", "shown"), [
    ("상품 페이지: 100% 린넨이라고 되어 있음", models.EvidenceKind.PRODUCT_PAGE_SCREENSHOT, "100% 린넨이라고 되어 있음"),
    ("Order page: item and amount paid", models.EvidenceKind.ORDER_PAGE_SCREENSHOT, "item and amount paid"),
    ("Tracking page: last update 2026-06-09", models.EvidenceKind.TRACKING_SCREENSHOT, "last update 2026-06-09"),
    ("Video: LED never lights", models.EvidenceKind.DEFECT_VIDEO, "LED never lights"),
    ("주문 화면: 옵션 확인", models.EvidenceKind.ORDER_PAGE_SCREENSHOT, "옵션 확인"),
    ("Order 2: the second box", models.EvidenceKind.ORDER_PAGE_SCREENSHOT, "Order 2: the second box"),
    ("Listing says 100% linen", models.EvidenceKind.PRODUCT_PAGE_SCREENSHOT, "Listing says 100% linen"),
    ("https://example.com/item", models.EvidenceKind.PRODUCT_PAGE_SCREENSHOT, "https://example.com/item"),
    ("상품 페이지:", models.EvidenceKind.PRODUCT_PAGE_SCREENSHOT, "상품 페이지:"),
])
def test_a_caption_does_not_repeat_its_kinds_label(caption, kind, shown):
    from casebook.i18n import without_label

    assert without_label(caption, kind) == shown


def test_the_evidence_list_says_the_label_once(seeded):
    from casebook.summary import summarise

    picture = ROOT / "examples/cases/seed-c/evidence/order-promise.png"
    services.add_evidence(seeded, "seed-b", picture, "product_page_screenshot", "상품 페이지: 100% 린넨이라고 되어 있음")
    summary = summarise(seeded.get("seed-b"), now=datetime(2026, 5, 25, 3, tzinfo=timezone.utc))
    assert "2. 상품 페이지 캡처: 100% 린넨이라고 되어 있음 (02-product-page-screenshot.png)\n" in summary.message("ko")
    assert "상품 페이지 캡처: 상품 페이지" not in summary.message("ko")
    seeded_c = summarise(seeded.get("seed-c"), now=datetime(2026, 6, 22, 3, tzinfo=timezone.utc))
    assert "1. Tracking screenshot: last update 2026-06-09, arrived in Korea (01-tracking-screenshot.png)\n" in \
        seeded_c.message("en")


def test_rendered_korean_picks_particles_and_writes_won():
    assert t("check.window.unknown", "ko", missing=Text("field.ship_date")("ko")).startswith("발송일을 알아야")
    assert t("check.window.unknown", "ko", missing=Text("field.opened_date")("ko")).startswith("분쟁 신청일을")
    assert money(Decimal("38500"), "KRW", "ko") == "38,500원" and money(Decimal("38500"), "KRW", "en") == "KRW 38,500"
    assert money(Decimal("19.8"), "USD", "ko") == "19.80달러"
    assert t("message.request_full", "ko", total=models.Money(amount=Decimal("38500"), currency="KRW")) == \
        "38,500원 전액 환불을 요청합니다."
    step = Text("step.open_dispute", date="2026-04-01 15:59 KST", days=12, remedy=models.Remedy.FULL_REFUND)
    assert step("ko").endswith("전액 환불을 요청하세요.") and "asking for a full refund" in step("en")
    assert Text("message.request_return", total="1원", payer=models.Payer.SELLER)("ko").endswith("판매자가 부담해 주시기 바랍니다.")


# -- no raw key in anything a shopper reads ----------------------------------------------------------------

def _raw_keys() -> set[str]:
    """Internal names that must never be shown: enum values, rule keys, catalogue keys, sub-statuses."""
    names: set[str] = set()
    for enum in ENUMS:
        names |= {m.value for m in enum}
    rules = Rules.default()
    names |= set(rules.checklists["items"]) | set(rules.deadlines) | set(rules.timeline)
    names |= {k.split(".", 1)[1] for k in catalogue() if k.startswith("sub_status.")}
    names |= set(catalogue())
    # only names that cannot be ordinary words: snake_case, CamelCase, dotted keys
    return {n for n in names if "_" in n or "." in n or re.search(r"[a-z][A-Z]", n)}


RAW = re.compile("|".join(sorted((re.escape(k) for k in _raw_keys()), key=len, reverse=True)))


class _Visible(html.parser.HTMLParser):
    """The text a browser shows (no tags, attributes, styles or scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(markup: str) -> str:
    parser = _Visible()
    parser.feed(markup)
    return " ".join(parser.parts)


def raw_keys_in(text: str) -> list[str]:
    found = []
    for match in RAW.finditer(text):
        before, after = text[match.start() - 1: match.start()], text[match.end(): match.end() + 1]
        if re.match(r"[\w.-]", before) or re.match(r"[\w-]", after):
            continue  # part of a longer word, a file name or a URL
        found.append(match.group())
    return found


def _cli(book: Path, *args: str) -> str:
    from casebook.cli import main
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(["-C", str(book), *args])
    return out.getvalue()


@pytest.mark.parametrize("lang", LANGS)
def test_no_rendered_output_of_the_five_guide_cases_shows_an_internal_key(seeded, tmp_path, lang):
    from casebook.ui import CasebookApp, EvidencePanel, LogOrderPanel, OverviewPanel, SummaryPanel, TrackingPanel

    book = services.open_casebook(seeded.path, language=lang)
    outputs: dict[str, str] = {
        "list": _cli(seeded.path, "list", "--lang", lang),
        "overview panel": visible(OverviewPanel(book, today="2026-06-01").table.value),
        "log panel": " ".join(label for name in ("platform", "problem_kind")
                              for label, _ in LogOrderPanel(book).inputs[name].options),
    }
    for case_id in SEEDS:
        today = TODAY[case_id]
        outputs[f"cli show {case_id}"] = _cli(seeded.path, "show", case_id, "--lang", lang)
        for command in (["advise", case_id], ["deadlines", case_id], ["summary", case_id], ["track", "--case", case_id]):
            outputs[f"cli {' '.join(command)}"] = _cli(seeded.path, *command, "--today", today, "--lang", lang)
        exported = services.export(book, case_id, tmp_path / case_id / lang, today=today)
        for what, path in exported.files.items():
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    for name in archive.namelist():
                        if not name.startswith("evidence/"):
                            text = archive.read(name).decode("utf-8")
                            outputs[f"{case_id} pack {name}"] = visible(text) if name.endswith(".html") else text
            elif path.suffix != ".ics":
                text = path.read_text(encoding="utf-8")
                outputs[f"{case_id} {what}"] = visible(text) if path.suffix == ".html" else text
        summary = SummaryPanel(book, case_id, output_dir=tmp_path / "panel", today=today)
        outputs[f"{case_id} summary panel"] = visible(summary.readiness.value) + summary.message.value
        outputs[f"{case_id} evidence panel"] = visible(EvidencePanel(book, case_id).checklist.value)
        tracking = TrackingPanel(book, case_id, today=today)
        outputs[f"{case_id} tracking panel"] = visible(tracking.flags.value + tracking.table.value)
        outputs[f"{case_id} advice html"] = visible(services.advise(book, case_id, today=today)._repr_html_())
        app = CasebookApp(book, case_id=case_id, output_dir=tmp_path / "app", today=today)
        app.select(case_id)
        outputs[f"{case_id} app"] = visible(app.heading.value) + " ".join(app.tabs.titles)
    leaks = {where: raw_keys_in(text) for where, text in outputs.items()}
    leaks = {where: keys for where, keys in leaks.items() if keys}
    assert not leaks, leaks
    assert sum(len(text) for text in outputs.values()) > 50_000, "the scan must have seen real output"


def test_the_scanner_catches_a_raw_key():
    assert raw_keys_in("Ask for full_refund now") == ["full_refund"]
    assert raw_keys_in("상태: InTransit_Departure") == ["InTransit_Departure"]
    assert raw_keys_in("see 01-defect-photo.jpg and seed-a-report.html") == []


def _control_words(widget) -> list[str]:
    """The words on a widget tree's controls: button and label texts, descriptions, options, placeholders, tab titles."""
    import ipywidgets as w

    found: list[str] = []
    if isinstance(widget, w.Button):
        found.append(widget.description)
    if isinstance(widget, w.Label):
        found.append(widget.value)
    if isinstance(widget, (w.Dropdown, w.ToggleButtons)):
        found += [str(label) for label in widget._options_labels]
    if isinstance(widget, (w.Dropdown, w.Text, w.Textarea, w.FileUpload, w.Checkbox)):
        found += [widget.description, getattr(widget, "placeholder", "")]
    if isinstance(widget, w.HTML):
        found.append(visible(widget.value))
    if isinstance(widget, w.Tab):
        found += list(widget.titles)
    for child in getattr(widget, "children", ()):
        found += _control_words(child)
    return [text for text in found if text]


@pytest.mark.parametrize("lang", LANGS)
def test_no_control_message_or_error_of_the_panels_and_the_cli_shows_an_internal_key(seeded, tmp_path, lang):
    """The case pickers, banners, empty states, downloads, undo, guard-rail refusals and field errors (issue #14)."""
    from casebook.errors import CaseInputError
    from casebook.field_errors import error_text
    from casebook.store import Casebook
    from casebook.ui import CasebookApp, EvidencePanel, LogOrderPanel, OverviewPanel, SummaryPanel, TrackingPanel

    book = services.open_casebook(seeded.path, language=lang)
    outputs: dict[str, str] = {}
    for case_id in SEEDS:
        today = TODAY[case_id]
        app = CasebookApp(book, case_id=case_id, output_dir=tmp_path / "app", today=today)
        for index in range(5):
            app.tabs.selected_index = index  # every step built
        app.summary.buttons["zip"].click()
        app.summary.buttons["ics"].click()
        outputs[f"{case_id} app controls"] = " | ".join(_control_words(app.widget))
    tracking = TrackingPanel(book, "seed-c", today="2026-06-22")
    tracking.paste.value = (ROOT / "examples/tracking/paste/silent-20-days.txt").read_text(encoding="utf-8")
    tracking.fetch_button.click()  # refused: another parcel
    outputs["refused"] = visible(tracking.error.value)
    tracking.force.value = True
    tracking.fetch_button.click()
    outputs["forced"] = visible(tracking.flags.value + tracking.status.value)
    tracking.undo_button.click()
    outputs["undone"] = visible(tracking.status.value)
    evidence = EvidencePanel(book, "seed-a")
    evidence.remove_which.value = "E02"
    evidence.remove_button.click()
    outputs["evidence removed"] = visible(evidence.status.value)
    outputs["evidence controls"] = " | ".join(_control_words(evidence.widget))
    empty = Casebook.init(tmp_path / "empty")
    empty_book = services.open_casebook(empty.path, language=lang)
    for panel in (OverviewPanel(empty_book), TrackingPanel(empty_book), EvidencePanel(empty_book), SummaryPanel(empty_book),
                  LogOrderPanel(empty_book)):
        outputs[f"empty {type(panel).__name__}"] = " | ".join(_control_words(panel.widget))
    form = LogOrderPanel(book, today="2026-11-30")
    form.fill(order_id="8190000000000123", item_title="x", price="12,34", order_date="2026-12-24", ship_date="2026-11-01",
              received_date="2026-10-01", tracking_number="RA123456789CN", problem_kind="damaged")
    form.save_button.click()
    outputs["form errors"] = visible(form.error.value) + " | ".join(visible(f.value) for f in form.feedback.values())
    for bad in ({"item_title": "", "quantity": 0}, {"order_date": "2026-02-30"}, {"currency": "WON"}):
        try:
            services.new_case(book, {"order_id": "8190000000000124", "item_title": "x", "price": "1", "order_date": "2026-05-01",
                                     "problem_kind": "damaged"} | bad, today="2026-11-30")
        except CaseInputError as error:
            outputs[f"error {bad}"] = error_text(error, lang)
    outputs["cli undo"] = _cli(seeded.path, "track", "--undo", "seed-c", "--lang", lang)
    outputs["cli remove"] = _cli(seeded.path, "evidence", "remove", "seed-a", "E03", "--lang", lang)
    outputs["cli refused"] = _cli(seeded.path, "track", "--case", "seed-c", "--paste",
                                  str(ROOT / "examples/tracking/paste/silent-20-days.txt"), "--lang", lang)
    leaks = {where: raw_keys_in(text) for where, text in outputs.items()}
    leaks = {where: keys for where, keys in leaks.items() if keys}
    assert not leaks, leaks
    if lang == "en":
        korean = {where: re.findall(r"[가-힣]+", text.replace("한국어", "")) for where, text in outputs.items()
                  if "controls" not in where}  # controls name the shopper's own cases and files
        assert not {where: words for where, words in korean.items() if words}, korean
