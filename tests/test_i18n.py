"""One catalogue, complete in both languages; no internal key ever reaches a shopper."""

from __future__ import annotations

import html.parser
import re
import string
import zipfile
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
