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
