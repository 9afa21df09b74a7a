"""The playbook beyond the guide's five cases: one YAML file per situation in tests/scenarios/.

Each file holds a case (merged onto a plain AliExpress order) and ``today``,
and says what the advice must conclude::

    title: what this shows (the issue's bullet)
    today: 2026-03-20                  # noon in Seoul; or a full ISO time with an offset
    case: {order: {...}, problem: {...}, shipments: [...], messages: [...], evidence: [...], dispute: {...}}
    expect:
      situation: delivered_not_received   # what the advice treats the case as
      steps: [act_now_open, ...]          # every step, by catalogue key (without "step."), most urgent first
      steps_include: [...]  / steps_exclude: [...]
      remedy: {kind: partial_refund, amount: 7967 KRW}   # amount: null when none applies
      return_paid_by: buyer
      warnings: [close_dispute]           # exactly these, in this order ([] for none)
      deadlines: {kr_return_90: {status: available, day: 2026-05-30}, card_chargeback_120: not_applicable}
      ladder: [seller, platform, kca, wallet]      # the rungs that apply
      urgent: [protection_end]            # deadlines shown in the red banner (within two days)
      advice_en / advice_ko: {contains: [...], excludes: [...]}   # the terminal advice (steps, ladder, remedy)
      report_md: {contains: [...], excludes: [...]}   # the Markdown report (both languages)
      ready: false
      checks: {tracking: not_needed, evidence: fail}
      flags_include: [stalled] / flags_exclude: [likely_lost]   # tracking flags the advice read
      quiet_flags: true                   # every flag is a plain fact (severity info)
      compensation: 3000 KRW
      message_en / message_ko / seller_message / seller_message_zh: {contains: [...], excludes: [...]}

Evidence entries need only ``kind`` (and ``captured_at`` when it matters); the
rest is filled in. Every scenario is also checked for what must hold
everywhere: no negative day counts, no internal keys, no Korean prose in the
English message, the same number of steps in both languages.
"""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from casebook.examples import _dates_to_text
from casebook.i18n import LANGS
from casebook.models import Case
from casebook.playbook import advise
from casebook.settings import Settings
from casebook.summary import summarise
from tests.test_i18n import raw_keys_in

HERE = Path(__file__).parent / "scenarios"
FILES = sorted(HERE.glob("*.yaml"))

BASE_ORDER = {
    "platform": "aliexpress", "order_id": "8100000000000001", "store_name": "Example Store",
    "item_title": "USB-C charging cable", "price": {"amount": "23900", "currency": "KRW"},
    "payment_method": "Visa card", "order_date": "2026-03-02", "ship_date": "2026-03-04",
}
BASE_PROBLEM = {"description": "Calm factual description of the problem, with dates and numbers (2 of 3)."}


def load(path: Path) -> dict[str, Any]:
    return _dates_to_text(yaml.safe_load(path.read_text(encoding="utf-8")))


def build(spec: dict[str, Any], case_id: str) -> Case:
    """The scenario's case: its parts merged onto a plain order, evidence records filled in."""
    data = copy.deepcopy(spec["case"])
    data["id"] = case_id
    data["order"] = {**BASE_ORDER, **data.get("order", {})}
    data["problem"] = {**BASE_PROBLEM, **data.get("problem", {})}
    evidence = []
    for n, item in enumerate(data.get("evidence", []), start=1):
        kind = item["kind"]
        video = "video" in kind
        evidence.append({
            "id": f"E{n:02d}", "file": f"{n:02d}-{kind.replace('_', '-')}.{'mp4' if video else 'jpg'}",
            "sha256": hashlib.sha256(f"{case_id}-{n}".encode()).hexdigest(), "size": 1000,
            "mime": "video/mp4" if video else "image/jpeg", "added_at": "2026-01-01T00:00:00+00:00", **item,
        })
    data["evidence"] = evidence
    return Case.model_validate(data)


def moment(today: str) -> datetime:
    if "T" in today:
        return datetime.fromisoformat(today)
    return Settings().now(date.fromisoformat(today))


def scenario_id(path: Path) -> str:
    return path.stem


@pytest.fixture(scope="module", params=FILES, ids=scenario_id)
def run(request: pytest.FixtureRequest) -> dict[str, Any]:
    spec = load(request.param)
    case = build(spec, re.sub(r"[^a-z0-9-]", "-", request.param.stem.lower())[:60])
    now = moment(spec["today"])
    advice = advise(case, now=now)
    summary = summarise(case, now=now)
    return {"spec": spec, "case": case, "advice": advice, "summary": summary}


def test_there_are_enough_scenarios():
    assert len(FILES) >= 30, [f.name for f in FILES]


def _step_names(advice) -> list[str]:
    return [key.removeprefix("step.") for key in advice.step_keys]


def test_situation_and_steps_in_urgency_order(run):
    expect, advice = run["spec"]["expect"], run["advice"]
    if "situation" in expect:
        assert advice.kind.value == expect["situation"]
    names = _step_names(advice)
    if "steps" in expect:
        assert names == expect["steps"], advice.steps("en")
    for name in expect.get("steps_include", []):
        assert name in names, (name, names)
    for name in expect.get("steps_exclude", []):
        assert name not in names, (name, names)
    if "ready" in expect:
        assert advice.ready is expect["ready"], [c.text("en") for c in advice.reasons]
    for key, state in expect.get("checks", {}).items():
        check = next(c for c in advice.checks if c.key.value == key)
        assert ("not_needed" if not check.applies else "ok" if check.ok else "fail") == state, check.text("en")


def test_remedy_and_amount(run):
    expect, advice = run["spec"]["expect"], run["advice"]
    if "remedy" not in expect:
        return
    remedy = advice.to_dict()["remedy"]
    assert remedy["kind"] == expect["remedy"]["kind"]
    amount = expect["remedy"].get("amount")
    if amount is None:
        assert remedy["amount"] is None
    else:
        value, currency = str(amount).split()
        assert remedy["amount"] == {"amount": value, "currency": currency}
    if "return_paid_by" in expect:
        assert (advice.return_paid_by.value if advice.return_paid_by else None) == expect["return_paid_by"]


def test_warnings(run):
    expect, advice = run["spec"]["expect"], run["advice"]
    assert [w.name for w in advice.warnings] == expect.get("warnings", [])
    for lang in LANGS:
        for warning in advice.warnings:
            assert warning.text(lang) in "\n".join(run["summary"].warnings[lang])


def test_deadlines(run):
    expect, advice = run["spec"]["expect"], run["advice"]
    dated = {d.key: d for d in advice.deadlines}
    for key, want in expect.get("deadlines", {}).items():
        want = want if isinstance(want, dict) else {"status": want}
        assert dated[key].status.value == want["status"], (key, dated[key].describe("en"))
        if "day" in want:
            assert dated[key].day.isoformat() == want["day"], key


def test_urgent_banner_and_advice_text(run):
    expect, advice = run["spec"]["expect"], run["advice"]
    if "urgent" in expect:
        assert [d.key for d in advice.urgent] == expect["urgent"]
    from casebook.views import advice_text

    for lang in LANGS:
        text = "\n".join(advice_text(advice, lang))
        for needle in expect.get(f"advice_{lang}", {}).get("contains", []):
            assert needle in text, (needle, text)
        for needle in expect.get(f"advice_{lang}", {}).get("excludes", []):
            assert needle not in text, (needle, text)


def test_report(run):
    rules = run["spec"]["expect"].get("report_md")
    if not rules:
        return
    from casebook.summary import report_markdown

    text = report_markdown(run["case"], now=moment(run["spec"]["today"]))
    for needle in rules.get("contains", []):
        assert needle in text, (needle, text)
    for needle in rules.get("excludes", []):
        assert needle not in text, (needle, text)


def test_tracking_flags_and_outcome(run):
    expect, advice = run["spec"]["expect"], run["advice"]
    flags = set(advice.context.timeline.keys)
    assert set(expect.get("flags_include", [])) <= flags, flags
    assert not set(expect.get("flags_exclude", [])) & flags, flags
    if expect.get("quiet_flags"):
        assert all(f.severity.value == "info" for f in advice.context.timeline.flags), advice.context.timeline.flags
    if "compensation" in expect:
        from casebook.views import advice_text

        value, currency = expect["compensation"].split()
        assert (str(advice.compensation.amount), advice.compensation.currency) == (value, currency)
        for lang in LANGS:
            assert advice.to_dict()["compensation"] == {"amount": value, "currency": currency}
            assert advice.compensation and advice.outcome_text(lang) in "\n".join(advice_text(advice, lang))


def test_ladder(run):
    expect, advice = run["spec"]["expect"], run["advice"]
    if "ladder" in expect:
        assert [r.key for r in advice.ladder if r.applies] == expect["ladder"]


@pytest.mark.parametrize("what", ["message_en", "message_ko", "seller_message", "seller_message_zh"])
def test_messages(run, what):
    expect, summary = run["spec"]["expect"], run["summary"]
    rules = expect.get(what)
    if not rules:
        return
    text = {"message_en": summary.message_en, "message_ko": summary.message_ko, "seller_message": summary.seller_message,
            "seller_message_zh": summary.seller_message_zh}[what]
    if rules.get("absent"):
        assert text is None
        return
    assert text is not None, f"no {what}"
    for needle in rules.get("contains", []):
        assert needle in text, (needle, text)
    for needle in rules.get("excludes", []):
        assert needle not in text, (needle, text)


NEGATIVE = re.compile(r"(?<![\w\-–])-\d+\s*(?:days?|일)|passed -|-\d+일")


def test_what_holds_in_every_scenario(run):
    advice, summary, case = run["advice"], run["summary"], run["case"]
    assert len(advice.steps("en")) == len(advice.steps("ko")) >= 1
    outputs = {
        **{f"preview {lang}": summary.preview(lang) for lang in LANGS},
        **{f"advice {lang}": "\n".join(advice.steps(lang) + [c.text(lang) for c in advice.checks]
                                       + [d.describe(lang) for d in advice.deadlines]
                                       + [r.label(lang) + r.when(lang) for r in advice.ladder]) for lang in LANGS},
        "seller zh": summary.seller_message_zh or "",
    }
    for where, text in outputs.items():
        assert not NEGATIVE.search(text), (where, NEGATIVE.search(text))
        assert not raw_keys_in(text), (where, raw_keys_in(text))
    english = summary.message_en.replace(case.order.item_title, "")
    english = english.replace(case.order.option or "\0", "")
    assert not re.search(r"[가-힣]{2,}", english), re.findall(r".{20}[가-힣]+.{20}", english)
    if summary.seller_message:
        assert not re.search(r"[가-힣]{2,}", summary.seller_message.replace(case.order.item_title, ""))


# -- the guide's own cases through the same engine ---------------------------------------------------------

def test_case_d_is_offered_the_90_day_return_and_never_a_chargeback_after_120_days(seeded):
    case = seeded.get("seed-d")
    decided = advise(case, now=moment("2026-07-28"))
    names = _step_names(decided)
    assert names.index("appeal_or_escalate") < names.index("return_any_reason_fallback") < names.index("chargeback")
    assert "2026-10-03" in " ".join(decided.steps("en"))  # 90 days after the 2026-07-05 order
    late = advise(case, now=moment("2026-11-30"))  # 28 days after the card limit (2026-11-02)
    assert "chargeback" not in _step_names(late) and "return_any_reason_fallback" not in _step_names(late)
    assert not next(r for r in late.ladder if r.key == "chargeback").applies
    message = summarise(case, now=moment("2026-11-30"))
    assert "card issuer" not in message.message_en and "카드사" not in message.message_ko


def test_case_e_shows_its_compensation_in_the_advice_the_preview_and_the_report(seeded):
    from casebook.summary import report_html, report_markdown
    from casebook.views import advice_text

    case = seeded.get("seed-e")
    now = moment("2026-08-28")
    advice = advise(case, now=now)
    assert advice.compensation is not None and advice.compensation.amount == 3000
    assert "Refunded KRW 45,900, plus KRW 3,000 compensation" in advice_text(advice, "en")
    assert "45,900원 환불, 보상 3,000원 추가" in advice_text(advice, "ko")
    assert advice.to_dict()["compensation"] == {"amount": "3000", "currency": "KRW"}
    assert "KRW 3,000" in report_html(case, book=seeded, now=now) and "KRW 3,000" in report_markdown(case, now=now)
    # its video says it was taken in March, five months before the August order: questioned
    assert [w.name for w in advice.warnings] == ["evidence_before_order"]


def test_the_guide_cases_keep_their_outcomes(seeded):
    kinds = {cid: advise(seeded.get(cid), now=moment(day)).remedy.value for cid, day in
             [("seed-a", "2026-03-21"), ("seed-b", "2026-05-25"), ("seed-c", "2026-06-22"), ("seed-e", "2026-08-21")]}
    assert kinds == {"seed-a": "full_refund", "seed-b": "partial_refund", "seed-c": "full_refund", "seed-e": "full_refund"}
    b = advise(seeded.get("seed-b"), now=moment("2026-05-25"))
    assert b.to_dict()["remedy"]["amount"] == {"amount": "8000", "currency": "KRW"}
