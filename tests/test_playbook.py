from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from casebook.store import Casebook
from casebook.errors import ConfigError
from casebook.models import Case
from casebook.playbook import Rules, advise, checklist, deadlines, deadlines_ics, next_deadline
from tests.helpers import order_data

KST = ZoneInfo("Asia/Seoul")
PT = ZoneInfo("America/Los_Angeles")


def at(day: str, hour: int = 12) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), KST)


def when_opened(case: Case) -> datetime:
    return datetime.combine(case.dispute.opened_date, time(9), KST)


def make(kind: str = "not_received", *, dispute: dict | None = None, messages: list | None = None,
         description: str = "The parcel has not arrived and tracking shows no update since the 10th.", **order) -> Case:
    data = {"id": "t", "order": order_data(**order), "problem": {"kind": kind, "description": description}}
    if dispute:
        data["dispute"] = dispute
    if messages:
        data["messages"] = messages
    return Case.model_validate(data)


def dated(case: Case, key: str, now: datetime | None = None, **kw):
    items = {d.key: d for d in deadlines(case, now=now or at("2026-03-05"), **kw)}
    return items[key]


# -- the guide's lessons (docs/domain.md, the five real cases) ----------------------------------------

def test_case_d_is_flagged_for_opening_a_dispute_without_contacting_the_seller(seeded):
    case = seeded.get("seed-d")
    advice = advise(case, now=when_opened(case))
    assert not advice.ready
    seller = next(c for c in advice.checks if c.key == "seller_contacted")
    assert not seller.ok and seller.blocking and "case D" in seller.text("en") and "사례 D" in seller.text("ko")


def test_case_b_is_flagged_for_insufficient_not_as_described_evidence(seeded):
    case = seeded.get("seed-b")
    advice = advise(case, now=when_opened(case))
    assert not advice.ready
    assert [c.key for c in advice.reasons] == ["evidence"]
    missing = [i.key for i in advice.checklist if i.required and not i.present]
    assert missing == ["listing"]


@pytest.mark.parametrize(("case_id", "refund_type"), [("seed-a", "full_refund"), ("seed-c", "late_delivery_refund"),
                                                      ("seed-e", "full_refund")])
def test_cases_a_c_e_come_out_ready_asking_for_what_the_guide_got(seeded, case_id, refund_type):
    case = seeded.get(case_id)
    advice = advise(case, now=when_opened(case))
    assert advice.ready and advice.score == 100, [c.text("en") for c in advice.reasons]
    assert advice.remedy == "full_refund" == case.dispute.requested.value
    assert advice.refund_type == refund_type


def test_case_c_tracking_evidence_is_recognised(seeded):
    items = {i.key: i for i in checklist(seeded.get("seed-c"))}
    assert items["tracking_history"].present and items["tracking_history"].required
    assert items["promised_date"].present


def test_tracking_counts_even_without_a_screenshot_when_events_are_saved(seeded):
    case = seeded.get("seed-c")
    case.evidence = [e for e in case.evidence if e.kind.value != "tracking_screenshot"]
    assert {i.key: i for i in checklist(case)}["tracking_history"].present
    case.shipments[0].events = []
    assert not {i.key: i for i in checklist(case)}["tracking_history"].present


def test_a_delivery_problem_without_tracking_is_not_ready():
    case = make("not_received", messages=[{"at": "2026-03-20T10:00:00+09:00", "channel": "seller_chat",
                                           "direction": "sent", "text": "Where is my parcel?"}])
    advice = advise(case, now=at("2026-03-20"))
    assert {c.key for c in advice.reasons} >= {"tracking", "evidence"}
    assert any("Check tracking now" in s for s in advice.steps("en"))
    assert any("배송 조회를 하고" in s for s in advice.steps("ko"))


def test_harsh_words_and_capitals_lower_the_score_but_do_not_block():
    calm = advise(make(description="The left earbud does not charge after 3 hours in the case."), now=at("2026-03-20"))
    angry = advise(make(description="YOU ARE A SCAM SELLER, SEND MY MONEY BACK NOW!!"), now=at("2026-03-20"))
    tone = next(c for c in angry.checks if c.key == "description")
    assert not tone.ok and not tone.blocking and "scam" in tone.text("en") and "scam" in tone.text("ko")
    assert angry.score == calm.score - 15


# -- deadlines: every rule, with boundaries -----------------------------------------------------

def test_earliest_open_is_the_11th_day_after_shipping_day_10_is_too_early():
    case = make(ship_date="2026-03-03", messages=[{"at": "2026-03-04T10:00:00+09:00", "channel": "seller_chat",
                                                   "direction": "sent", "text": "Hello, where is it?"}])
    assert dated(case, "earliest_open").day == date(2026, 3, 13)
    day10 = advise(case, now=datetime.combine(date(2026, 3, 12), time(23, 0), PT))
    day11 = advise(case, now=datetime.combine(date(2026, 3, 13), time(0, 1), PT))
    assert not next(c for c in day10.checks if c.key == "window").ok
    assert next(c for c in day11.checks if c.key == "window").ok
    assert any("2026-03-13 16:00 KST" in s for s in day10.steps("en"))  # 00:00 PDT (UTC-7) on the 13th


def test_latest_open_is_15_days_after_receipt_or_after_protection_ends():
    received = make(ship_date="2026-03-03", received_date="2026-03-20", delivery_guarantee_days=30)
    assert dated(received, "latest_open").day == date(2026, 4, 4)
    waiting = make(ship_date="2026-03-03", delivery_guarantee_days=20)
    assert dated(waiting, "protection_end").day == date(2026, 3, 23)
    assert dated(waiting, "latest_open").day == date(2026, 4, 7)


def test_seller_reply_and_escalation_count_from_the_dispute_opening():
    case = make(ship_date="2026-03-03", dispute={"stage": "opened", "opened_date": "2026-03-15"})
    assert dated(case, "seller_reply").day == date(2026, 3, 20)
    assert dated(case, "auto_escalation").day == date(2026, 3, 22)
    assert dated(case, "earliest_open").status == "not_applicable"


def test_return_shipment_window_is_10_days_from_the_agreement():
    case = make(dispute={"stage": "negotiating", "opened_date": "2026-03-15", "requested": "return_and_refund",
                         "return_agreed_date": "2026-03-18"})
    assert dated(case, "return_shipment").day == date(2026, 3, 28)
    unknown = make(dispute={"stage": "negotiating", "opened_date": "2026-03-15", "requested": "return_and_refund"})
    assert dated(unknown, "return_shipment").status == "cannot_compute"


def test_korean_14_day_rule_applies_only_to_5_and_7_day_promises():
    short = make(ship_date="2026-03-03", delivery_guarantee_days=7)
    assert dated(short, "kr_late_delivery_14").day == date(2026, 3, 17)
    long = make(ship_date="2026-03-03", delivery_guarantee_days=15)
    assert dated(long, "kr_late_delivery_14").status == "not_applicable"


def test_korean_30_day_automatic_refund_stops_applying_once_received():
    case = make(ship_date="2026-03-03")
    assert dated(case, "kr_auto_refund_30").day == date(2026, 4, 2)
    assert dated(make(ship_date="2026-03-03", received_date="2026-03-10"), "kr_auto_refund_30").status == "not_applicable"


def test_90_day_return_and_120_day_chargeback_count_from_payment():
    case = make(payment_method="Visa card")
    assert dated(make("change_of_mind", payment_method="Visa card"), "kr_return_90").day == date(2026, 5, 30)
    assert dated(case, "card_chargeback_120").day == date(2026, 6, 29)
    assert dated(make(payment_method="KakaoPay money"), "card_chargeback_120").status == "not_applicable"
    assert dated(make(payment_method="PayPal"), "paypal_180").day == date(2026, 8, 28)


REFUNDED = {"stage": "refund_paid", "opened_date": "2026-03-20", "requested": "full_refund",
            "outcome": {"amount_refunded": {"amount": "23900", "currency": "KRW"}, "decided_date": "2026-03-25"}}
REFUSED = {"stage": "closed", "opened_date": "2026-03-20", "requested": "full_refund",
           "outcome": {"amount_refunded": {"amount": "0", "currency": "KRW"}, "decided_date": "2026-03-25"}}


@pytest.mark.parametrize(("kind", "order", "extra", "today", "expected"), [
    # the route for a change of mind, received or not yet recorded
    ("change_of_mind", {"received_date": "2026-03-14"}, {}, "2026-04-10", "available"),
    ("change_of_mind", {}, {}, "2026-04-10", "available"),
    ("change_of_mind", {"received_date": "2026-03-14"}, {}, "2026-06-10", "past"),
    # nothing to send back: the item never arrived
    ("not_received", {}, {}, "2026-04-10", "not_applicable"),
    ("not_received", {}, {"dispute": REFUSED}, "2026-04-10", "not_applicable"),
    ("late_delivery", {}, {}, "2026-04-10", "not_applicable"),
    # an item in hand with a fault: the dispute is the route while it can still be opened
    ("damaged", {"received_date": "2026-03-14"}, {}, "2026-03-20", "not_applicable"),
    ("wrong_size", {"received_date": "2026-03-14"}, {"dispute": {"stage": "opened", "opened_date": "2026-03-16"}},
     "2026-03-20", "not_applicable"),
    # ... and the 90-day return is the way left once the dispute cannot help
    ("damaged", {"received_date": "2026-03-14"}, {}, "2026-04-10", "available"),  # its window passed (03-29 PT)
    ("wrong_size", {"received_date": "2026-03-14"}, {"dispute": REFUSED}, "2026-03-28", "available"),
    ("duty_charged", {"received_date": "2026-03-14"}, {"duty_paid": {"amount": "21000", "currency": "KRW"}},
     "2026-03-20", "available"),  # duty on an ordinary listing comes back only for an item returned unchanged
    # the money is back: nothing to return for
    ("damaged", {"received_date": "2026-03-14"}, {"dispute": REFUNDED}, "2026-03-28", "not_applicable"),
    ("change_of_mind", {"received_date": "2026-03-14"}, {"dispute": REFUNDED}, "2026-03-28", "not_applicable"),
    ("wrong_size", {"received_date": "2026-03-14"}, {"dispute": {**REFUSED, "outcome": REFUNDED["outcome"]}},
     "2026-03-28", "not_applicable"),  # closed with a full refund
    # another marketplace: AliExpress Korea's commitment is not theirs
    ("change_of_mind", {"received_date": "2026-03-14", "platform": "temu"}, {}, "2026-04-10", "not_applicable"),
])
def test_the_90_day_return_applies_to_a_change_of_mind_or_an_item_in_hand_the_dispute_cannot_help(
        kind, order, extra, today, expected):
    extra = dict(extra)
    data = {"id": "t", "order": order_data(**{"order_date": "2026-03-02", "ship_date": "2026-03-04",
                                              "delivery_guarantee_days": 20, **order}),
            "problem": {"kind": kind, "description": "A calm description of the problem, with its dates.",
                        **({"duty_paid": extra.pop("duty_paid")} if "duty_paid" in extra else {})}, **extra}
    case = Case.model_validate(data)
    assert dated(case, "kr_return_90", now=at(today)).status == expected


def test_a_change_of_mind_has_no_dispute_deadlines_nor_a_chargeback():
    case = make("change_of_mind", received_date="2026-03-14", payment_method="Visa card",
                description="I ordered the wrong colour by mistake and would like to return it unused.")
    items = {d.key: d for d in deadlines(case, now=at("2026-04-10"))}
    applicable = sorted(key for key, d in items.items() if d.status != "not_applicable")
    assert applicable == ["kr_return_90"]
    not_yet = make("change_of_mind", payment_method="Visa card", description="I no longer need it; it is on its way.")
    applicable = sorted(d.key for d in deadlines(not_yet, now=at("2026-03-08")) if d.status != "not_applicable")
    assert "earliest_open" not in applicable and "protection_end" not in applicable and "latest_open" not in applicable


def test_a_refunded_case_has_no_chargeback_or_paypal_deadline():
    for payment, key in (("Visa card", "card_chargeback_120"), ("PayPal", "paypal_180")):
        case = make(payment_method=payment, dispute=REFUNDED)
        assert dated(case, key, now=at("2026-03-28")).status == "not_applicable"


def _duty_case(tax_included: bool | None, evidence: list[str] = ()) -> Case:
    problem = {"kind": "duty_charged", "description": "The courier collected KRW 28,600 of duty and VAT on delivery.",
               "duty_paid": {"amount": "28600", "currency": "KRW"}}
    if tax_included is not None:
        problem["tax_included"] = tax_included
    files = [{"id": f"E{n:02d}", "kind": kind, "file": f"{n}.jpg", "sha256": "0" * 64, "size": 1, "mime": "image/jpeg",
              "added_at": "2026-03-15T00:00:00+00:00"} for n, kind in enumerate(evidence, start=1)]
    return Case.model_validate({"id": "t", "order": order_data(received_date="2026-03-14"), "problem": problem,
                                "evidence": files})


def test_duty_charged_asks_for_the_duty_receipt_and_the_tax_included_listing_not_customs_hold_papers():
    items = checklist(_duty_case(True))
    assert [(i.key, i.required) for i in items] == [("duty_receipt", True), ("listing_tax_included", True),
                                                    ("order_record", False)]
    assert "customs" not in [i.key for i in items]
    assert items[0].label("ko") == "관세 납부 영수증 또는 납부 확인서" and "tax" in items[1].label("en").lower()
    # an ordinary listing promised nothing: no "tax included" screenshot is asked for
    assert [i.key for i in checklist(_duty_case(False))] == ["duty_receipt", "order_record"]
    # the description saying "tax included" counts as the listing's promise
    said = _duty_case(None)
    said = said.model_copy(update={"problem": said.problem.model_copy(
        update={"description": "The listing said tax included, yet I paid KRW 28,600 on delivery."})})
    assert "listing_tax_included" in [i.key for i in checklist(said)]
    done = {i.key: i.present for i in checklist(_duty_case(True, ["customs_document", "product_page_screenshot"]))}
    assert done == {"duty_receipt": True, "listing_tax_included": True, "order_record": False}


def test_an_unknown_checklist_condition_is_a_config_error():
    import copy
    from dataclasses import replace

    tables = copy.deepcopy(Rules.default().checklists)
    tables["items"]["duty_receipt"]["applies"] = "sometimes"
    rules = replace(Rules.default(), checklists=tables)
    with pytest.raises(ConfigError, match="sometimes"):
        checklist(_duty_case(True), rules)


def test_a_platform_deadline_at_midnight_pacific_is_shown_correctly_in_korea():
    case = make(ship_date="2026-03-03", received_date="2026-03-16")  # latest_open: 2026-03-31 (PDT, UTC-7)
    item = dated(case, "latest_open")
    assert item.due == datetime(2026, 3, 31, 23, 59, 59, tzinfo=PT)
    assert item.due_local.isoformat() == "2026-04-01T15:59:59+09:00"
    winter = dated(make(order_date="2026-01-01", ship_date="2026-01-02", received_date="2026-01-05"), "latest_open",
                   now=at("2026-01-05"))
    assert winter.due_local.isoformat() == "2026-01-21T16:59:59+09:00"  # PST is UTC-8 in January


def test_days_left_is_counted_in_the_shoppers_time_zone():
    case = make(ship_date="2026-03-03", received_date="2026-03-16")
    just_before = dated(case, "latest_open", now=datetime(2026, 4, 1, 15, 0, tzinfo=KST))
    just_after = dated(case, "latest_open", now=datetime(2026, 4, 1, 16, 0, tzinfo=KST))
    assert (just_before.status, just_before.days_left) == ("upcoming", 0)
    assert just_after.status == "past"


def test_without_a_ship_date_the_tool_says_what_it_needs():
    case = make(ship_date=None)
    item = dated(case, "earliest_open")
    assert item.status == "cannot_compute" and item.missing == "ship_date"
    assert "cannot be computed until the ship date is known" in item.describe("en")
    assert "발송일" in item.describe("ko")
    window = next(c for c in advise(case, now=at("2026-03-05")).checks if c.key == "window")
    assert not window.ok and "ship date" in window.text("en") and "발송일을 알아야" in window.text("ko")


def test_next_deadline_is_the_soonest_one_ahead():
    items = deadlines(make(ship_date="2026-03-03", delivery_guarantee_days=7), now=at("2026-03-05"))
    upcoming = next_deadline(items)
    assert upcoming.key == "protection_end" and upcoming.day == date(2026, 3, 10)
    assert all(d.due >= upcoming.due for d in items if d.status == "upcoming" and not d.opens)


def test_the_ics_file_parses_and_holds_every_dated_deadline():
    case = make(ship_date="2026-03-03", payment_method="Visa", delivery_guarantee_days=20)
    items = deadlines(case, now=at("2026-03-05"))
    calendar = Calendar.from_ical(deadlines_ics(case, items))
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    dated_keys = {d.key for d in items if d.due_local is not None}
    assert {uid.split("@")[0].removeprefix("t-") for uid in events} == dated_keys
    latest = events["t-latest_open@casebook"]
    assert latest.decoded("dtstart") == next(d for d in items if d.key == "latest_open").due_local.date()
    assert list(latest.walk("VALARM"))


# -- overrides and advice details ------------------------------------------------------------------

def test_rules_can_be_overridden_from_the_casebook_settings(book):
    (book.path / "casebook.toml").write_text('[rules.deadlines.latest_open]\ndays = 20\n', encoding="utf-8")
    rules = Casebook(book.path).settings.rules
    case = make(ship_date="2026-03-03", received_date="2026-03-16")
    assert dated(case, "latest_open", rules=rules).day == date(2026, 4, 5)
    assert dated(case, "latest_open").day == date(2026, 3, 31), "the bundled default is untouched"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"deadlines": {"latest_opne": {"days": 3}}}, "rules.deadlines.latest_opne: unknown key"),
    ({"deadlines": {"latest_open": {"days": "twenty"}}}, "expected int"),
    ({"deadlinez": {}}, "unknown rule table"),
])
def test_a_bad_override_is_a_clear_error(overrides, message):
    with pytest.raises(ConfigError, match=message):
        Rules.load(overrides)


def test_steps_are_bilingual_and_the_ladder_offers_chargeback_only_for_cards(seeded):
    case = seeded.get("seed-d")
    advice = advise(case, now=when_opened(case))
    assert len(advice.steps("en")) == len(advice.steps("ko")) >= 1
    assert [r.key for r in advice.ladder] == ["seller", "platform", "kca", "chargeback"]
    assert next(r for r in advice.ladder if r.key == "chargeback").applies  # Visa card
    kakao = seeded.get("seed-b")
    rungs = {r.key: r for r in advise(kakao, now=when_opened(kakao)).ladder}
    assert "chargeback" not in rungs and rungs["wallet"].label("en") == "KakaoPay customer service"


def test_an_unopened_case_is_told_to_open_the_dispute_before_the_last_day():
    case = make("damaged", ship_date="2026-03-03", received_date="2026-03-16",
                messages=[{"at": "2026-03-16T20:00:00+09:00", "channel": "seller_chat", "direction": "sent",
                           "text": "The cup arrived broken."}])
    advice = advise(case, now=at("2026-03-20"))
    # the last platform day is 2026-03-31 Pacific, which ends 2026-04-01 15:59 in Seoul
    assert any("by 2026-04-01 15:59 KST (12 days left)" in s for s in advice.steps("en")), advice.steps("en")
    assert any("2026-04-01 15:59 KST까지(12일 남음)" in s for s in advice.steps("ko")), advice.steps("ko")
    assert advice.expected_days == (7, 30) and advice.refund_days == (7, 15)


def test_advise_on_the_command_line_in_both_languages(seeded, capsys):
    from casebook.cli import main

    assert main(["-C", str(seeded.path), "advise", "seed-b", "--today", "2026-05-25", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "not ready" in out and "Product page" in out
    assert main(["-C", str(seeded.path), "advise", "seed-a", "--today", "2026-03-21"]) == 0
    assert "준비도 100/100: 보낼 준비 완료" in capsys.readouterr().out
    assert main(["-C", str(seeded.path), "advise", "seed-a", "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["case_id"] == "seed-a"


def test_deadlines_on_the_command_line_write_an_ics(seeded, tmp_path, capsys):
    from casebook.cli import main

    target = tmp_path / "d.ics"
    assert main(["-C", str(seeded.path), "deadlines", "seed-c", "--today", "2026-06-15", "--ics", str(target)]) == 0
    assert "다음 기한" in capsys.readouterr().out
    assert Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert main(["-C", str(seeded.path), "deadlines", "seed-c", "--today", "15/06/2026"]) == 1


def test_the_casebook_settings_choose_language_and_time_zone(seeded, capsys):
    from casebook.cli import main

    config = seeded.path / "casebook.toml"
    config.write_text('[casebook]\ntimezone = "America/Los_Angeles"\nlanguage = "en"\n', encoding="utf-8")
    assert main(["-C", str(seeded.path), "deadlines", "seed-c", "--today", "2026-06-15"]) == 0
    out = capsys.readouterr().out
    assert "Next deadline" in out and "PDT" in out and "KST" not in out
    assert main(["-C", str(seeded.path), "deadlines", "seed-c", "--today", "2026-06-15", "--lang", "ko", "--tz", "Asia/Seoul"]) == 0
    assert "다음 기한" in capsys.readouterr().out
    config.write_text('[casebook]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    assert main(["-C", str(seeded.path), "advise", "seed-c"]) == 1
    assert "IANA name" in capsys.readouterr().err


def test_a_fresh_notebook_casebook_gets_the_examples_and_a_cli_one_starts_empty(tmp_path):
    from casebook.services import open_casebook
    from casebook.steps import open_casebook as notebook_casebook

    assert notebook_casebook(tmp_path / "fresh").ids() == ["seed-a", "seed-b", "seed-c", "seed-d", "seed-e"]
    assert open_casebook(tmp_path / "empty").ids() == []


def test_timeline_thresholds_are_part_of_the_rules_and_overridable(book):
    (book.path / "casebook.toml").write_text("[rules.timeline]\nstalled_days = 3\n", encoding="utf-8")
    assert Casebook(book.path).settings.rules.timeline["stalled_days"] == 3
    assert Rules.load().timeline["stalled_days"] == 7
    with pytest.raises(ConfigError, match="rules.timeline.stale_days"):
        Rules.load({"timeline": {"stale_days": 3}})


def test_an_item_in_hand_can_be_disputed_before_the_11th_day():
    """The 10-day wait is for parcels still on the way; a broken item that arrived is disputed at once."""
    case = make("damaged", ship_date="2026-03-03", received_date="2026-03-05",
                description="The glass lid arrived shattered; photos of the box and the lid are attached.")
    assert dated(case, "earliest_open", now=at("2026-03-06")).status == "not_applicable"
    window = next(c for c in advise(case, now=at("2026-03-06")).checks if c.key == "window")
    assert window.ok, window.text("en")
    waiting = make(ship_date="2026-03-03")
    assert not next(c for c in advise(waiting, now=at("2026-03-06")).checks if c.key == "window").ok


# -- a seller's traps: which words, and the quote around them ------------------------------------------------

@pytest.mark.parametrize(("text", "kinds"), [
    ("通过微信退款", ["off_platform_payment"]),
    ("亲，我们可以通过微信退款给您，请加我微信 abc123", ["off_platform_payment", "off_platform_contact"]),
    ("我们用支付宝直接退款给你", ["off_platform_payment"]),
    ("退款到你的银行卡，请告诉我卡号", ["off_platform_payment"]),
    ("We will refund you via WeChat, please add me", ["off_platform_payment"]),
    ("I can send the money back through Alipay", ["off_platform_payment"]),
    ("Please pay with PayPal friends and family", ["off_platform_payment"]),
    ("카톡으로 환불해 드릴게요", ["off_platform_payment"]),
    ("환불은 카톡으로 해드릴게요", ["off_platform_payment"]),
    ("계좌로 환불해 드리겠습니다", ["off_platform_payment"]),
    ("위챗으로 보상해 드릴게요", ["off_platform_payment"]),
    ("Please add me on WeChat, the refund will come from AliExpress as usual", ["off_platform_contact"]),
    ("亲，请加我微信 abc12345，我们私下解决。", ["off_platform_contact"]),
    ("We have shipped a replacement today; the tracking number is below.", []),
    ("Please cancel the dispute and I will refund you directly", ["close_dispute", "off_platform_payment"]),
])
def test_off_platform_payment_is_caught_in_chinese_korean_and_english(text, kinds):
    from casebook.situation import CONDUCT, conduct_spans

    assert [name for name in CONDUCT if name in conduct_spans(text)] == kinds


def test_the_warning_quotes_the_words_that_set_it_off(book):
    from casebook import services
    from casebook.situation import excerpt, seller_conduct

    long = ("Hello my friend, thank you for your order and your patience. We are very sorry for the delay of the parcel, "
            "the logistics company had a problem in the warehouse. We can give you the full money back through Alipay, "
            "just send me your account.")
    assert excerpt(long, long.index("money"), long.index("Alipay") + 6) == \
        "…We can give you the full money back through Alipay, just send me your account."
    middle = "Some words first. " * 6 + "Then we refund you through WeChat today. " + "And more words after it. " * 6
    assert excerpt(middle, middle.index("refund"), middle.index("WeChat") + 6) == \
        "…first. Then we refund you through WeChat today. And more words after it. And more…"
    assert excerpt("short and whole", 0, 5) == "short and whole"
    assert len(excerpt("x" * 300, 150, 155)) == 90
    case_id = services.new_case(book, {
        "order_id": "8100000000000077", "item_title": "charger", "price": "23900", "order_date": "2026-03-02",
        "problem_kind": "defective"}, today="2026-03-18").case_id
    services.log_message(book, case_id, "亲爱的顾客，非常抱歉给您带来不便。我们已经和工厂核实过了，这批充电器可能有问题。为了尽快解决问题，我们可以通过微信退款给您。",
                         direction="received", at="2026-03-16T11:00+09:00")
    alerts = seller_conduct(book.get(case_id))
    assert [a.name for a in alerts] == ["off_platform_payment"]
    assert alerts[0].text("ko") == (
        "2026-03-16에 판매자가 알리익스프레스 밖에서 결제나 환불을 하자고 했습니다(\"亲爱的顾客，非常抱歉给您带来不便。我们已经和工厂核实过了，"
        "这批充电器可能有问题。为了尽快解决问题，我们可以通过微信退款给您。\"). 플랫폼 밖 결제는 보호받지 못하니 거절하고 모든 처리를 주문 안에서 하세요.")
