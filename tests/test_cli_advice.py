"""`casebook advise --json` and `casebook summary --format txt` for scenarios beyond the guide's five cases.

Both languages show the warnings first, the remedy with its amount, and the
next steps most urgent first; the JSON gives ``remedy`` as ``{kind, amount}``
and ``warnings`` as a list.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.store import Casebook
from tests.test_i18n import raw_keys_in
from tests.test_scenarios import HERE, build, load


def cli(book: Path, *args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["-C", str(book), *args]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """A casebook holding a few scenarios, each under its file's number (s01, s13 …)."""
    path = tmp_path_factory.mktemp("cli") / "book"
    casebook = Casebook.init(path)
    for name in ("01", "05", "13", "19", "29"):
        spec_file = next(HERE.glob(f"{name}-*.yaml"))
        casebook.add(build(load(spec_file), f"s{name}"))
    spec = load(next(HERE.glob("13-*.yaml")))
    spec["case"]["evidence"] = []  # a pack copies real files; this one has none
    casebook.add(build(spec, "s13-no-files"))
    return path


TODAY = {"s01": "2026-03-24", "s05": "2026-04-10", "s13": "2026-03-20", "s19": "2026-03-25", "s29": "2026-03-28"}


def advise_json(book: Path, case_id: str) -> dict:
    return json.loads(cli(book, "advise", case_id, "--json", "--today", TODAY[case_id]))


def test_advise_json_gives_the_remedy_with_its_amount_and_the_warnings(book):
    missing = advise_json(book, "s13")
    assert missing["remedy"]["kind"] == "partial_refund"
    assert missing["remedy"]["amount"] == {"amount": "40000", "currency": "KRW"}
    assert missing["remedy"]["en"] == "a partial refund (KRW 40,000)" and missing["remedy"]["ko"] == "부분 환불 (금액 40,000원)"
    assert missing["warnings"] == []
    trap = advise_json(book, "s01")
    assert [w["key"] for w in trap["warnings"]] == ["close_dispute", "off_platform_payment"]
    assert all(w["severity"] == "problem" and w["text"]["ko"] and w["text"]["en"] for w in trap["warnings"])
    assert trap["next_step_keys"][:2] == ["step.keep_dispute_open", "step.stay_on_platform"]
    extension = advise_json(book, "s19")
    assert extension["remedy"] == {**extension["remedy"], "kind": "extension", "amount": None}
    assert extension["next_step_keys"] == ["step.act_now_extend"]
    assert extension["next_deadline"]["key"] == "protection_end" and extension["next_deadline"]["days_left"] == 1


def test_advise_json_names_the_payment_route_and_the_situation(book):
    kakao = advise_json(book, "s29")
    assert kakao["payment"]["key"] == "kakaopay" and "chargeback" not in [r["key"] for r in kakao["ladder"]]
    change = advise_json(book, "s05")
    assert change["situation"]["key"] == "change_of_mind" and change["return_paid_by"] == "buyer"
    assert {d["key"]: d["status"] for d in change["deadlines"]}["kr_return_90"] == "available"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_summary_txt_shows_warnings_then_the_remedy_then_steps_in_urgency_order(book, lang):
    text = cli(book, "summary", "s01", "--format", "txt", "--today", TODAY["s01"], "--lang", lang)
    warning = {"en": "warning: On 2026-03-21 the seller asked you to cancel", "ko": "주의: 2026-03-21에 판매자가 분쟁을"}[lang]
    asking = {"en": "Ask for: a full refund (KRW 23,900)", "ko": "요청: 전액 환불 (금액 23,900원)"}[lang]
    first = {"en": "  1. Do not cancel or close the dispute", "ko": "  1. 환불금이 들어오거나"}[lang]
    assert text.index(warning) < text.index(asking) < text.index(first)
    assert not raw_keys_in(text)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_summary_txt_acts_now_when_protection_ends_tomorrow(book, lang):
    text = cli(book, "summary", "s19", "--format", "txt", "--today", TODAY["s19"], "--lang", lang)
    act = {"en": "  1. Act today: buyer protection ends", "ko": "  1. 오늘 바로 하세요: 구매자 보호 기간이"}[lang]
    assert act in text and "  2. " not in text.split("\n\n")[0]
    assert {"en": "Ask for: an extension of buyer protection", "ko": "요청: 구매자 보호 기간 연장"}[lang] in text
    assert "wait up to" not in text and "기다리세요" not in text.split("\n\n")[0]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_summary_txt_of_missing_items_names_the_pro_rata_amount(book, lang):
    text = cli(book, "summary", "s13", "--format", "txt", "--today", TODAY["s13"], "--lang", lang)
    assert {"en": "Ask for: a partial refund (KRW 40,000)", "ko": "요청: 부분 환불 (금액 40,000원)"}[lang] in text
    assert {"en": "I ordered 3 and received 1.", "ko": "3개를 주문했는데 1개만 받았습니다."}[lang] in text
    assert not raw_keys_in(text)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_advise_text_for_a_change_of_mind_has_no_dispute_agency_or_card(book, lang):
    text = cli(book, "advise", "s05", "--today", TODAY["s05"], "--lang", lang)
    assert {"en": "90-day return for any reason", "ko": "90일 단순 변심 반품"}[lang] in text
    assert {"en": "not needed", "ko": "해당 없음"}[lang] in text
    assert "1372" not in text and {"en": "chargeback", "ko": "차지백"}[lang] not in text
    assert not raw_keys_in(text)


def test_export_writes_the_chinese_seller_message(book, tmp_path):
    out = cli(book, "summary", "s13-no-files", "--format", "zip", "--today", "2026-03-20", "--output", str(tmp_path / "p.zip"))
    assert "p.zip" in out
    import zipfile

    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        chinese = archive.read("seller-message-zh.txt").decode("utf-8")
        english = archive.read("seller-message-en.txt").decode("utf-8")
    assert "我订购了 3 件，只收到了 1 件。" in chinese and "KRW 40,000" in chinese
    assert "I ordered 3 and received 1." in english
