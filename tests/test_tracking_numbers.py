from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import TrackingNumberError
from casebook.tracking import Reason, extract, normalise, parse, suggest
from casebook.tracking.numbers import check_digit
from tests.conftest import ROOT, SHARED

CORPUS = SHARED / "conformance" / "tracking_number_data" / "couriers"
COVERED = {"s10": "un.upu.s10", "yunexpress": "cn.yunexpress", "dhl": "de.dhl", "fedex": "us.fedex",
           "ups": "us.ups", "usps": "us.usps"}
S10 = {"name": "s10", "weightings": [8, 6, 4, 2, 3, 5, 9, 7]}


# -- conformance ------------------------------------------------------------------

def corpus_rows():
    if not CORPUS.is_dir():
        return []
    rows = []
    for courier, key in COVERED.items():
        spec = json.loads((CORPUS / f"{courier}.json").read_text(encoding="utf-8"))
        for entry in spec["tracking_numbers"]:
            rows += [(courier, key, entry["name"], n, True) for n in entry["test_numbers"]["valid"]]
            rows += [(courier, key, entry["name"], n, False) for n in entry["test_numbers"]["invalid"]]
    return rows


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"conformance corpus not found at {CORPUS} (../shared is absent in a fresh clone)")
def test_conformance_corpus_every_covered_courier_scores_100_percent():
    results: Counter[tuple[str, str]] = Counter()
    failures = []
    for courier, key, name, number, expect_valid in corpus_rows():
        parsed = parse(number)
        valid_for_courier = any(c.carrier == key and c.valid for c in parsed.candidates)
        ok = valid_for_courier == expect_valid
        results[(courier, "pass" if ok else "fail")] += 1
        if not ok:
            failures.append(f"{courier}/{name}: {number!r} expected {'valid' if expect_valid else 'invalid'}")
    report = ", ".join(f"{c}: {results[(c, 'pass')]}/{results[(c, 'pass')] + results[(c, 'fail')]}" for c in COVERED)
    print(f"conformance per courier: {report}")
    assert not failures, "\n".join(failures)
    assert sum(results.values()) >= 100


# -- table-driven: Chinese and Korean forms ----------------------------------------

@pytest.mark.parametrize(
    ("text", "carrier", "source"),
    [
        ("LP00068434402473", "cn.cainiao", "hdnpt/geartrack#10"),
        ("CNFR9010481599571HD", "cn.cainiao", "hdnpt/geartrack-website#50"),
        ("63590000017347601815002", "cn.cainiao", "modship/parcel-tracker api-notes"),
        ("YT2229521272164446", "cn.yunexpress", "jkeen yunexpress.json"),
        ("4PX3001794604846CN", "cn.4px", "itsvic-dev/deliveries#147"),
        ("VR344217874YP", "cn.yanwen", "norkator/paketin-seuranta#66"),
        ("AC550032883YN", "cn.yanwen", "hdnpt/geartrack-website#51"),
        ("RR123456785CN", "un.upu.s10", "S10 worked example"),
        ("EE123456785KR", "un.upu.s10", "Korea Post EMS form (speshase/spes)"),
    ],
)
def test_sourced_chinese_and_international_examples(text, carrier, source):
    parsed = parse(text)
    assert parsed.valid, source
    assert parsed.carrier == carrier, source


@pytest.mark.parametrize(
    ("text", "carriers"),
    [
        ("630012345678", {"kr.cjlogistics", "kr.hanjin", "kr.lotte"}),  # 12 digits
        ("6090123456789", {"kr.epost"}),  # 13 digits
        ("12345678901", {"kr.logen", "kr.lotte"}),  # 11 digits
    ],
)
def test_korean_domestic_numbers_are_recognised_by_length_only(text, carriers):
    parsed = parse(text, prefer_korean=True)
    assert parsed.valid and parsed.carrier in carriers
    assert set(parsed.carriers) >= carriers
    for candidate in parsed.candidates:
        if candidate.carrier.startswith("kr."):
            assert candidate.checksum is None, "no published Korean check digit: never claim one"


def test_s10_parts_are_decoded_with_korean_names():
    parsed = parse("EE209177345KR")
    assert parsed.parts["service"] == "EMS" and parsed.parts["country_code"] == "KR"
    assert parsed.parts["operator"] == "Korea Post" and "우체국" in parsed.parts["operator_ko"]
    china = parse("RA123456785CN")
    assert china.parts["operator"] == "China Post" and china.parts["seventeentrack_code"] == "3011"
    assert china.urls["17track"].endswith("RA123456785CN")


# -- normalisation and reasons ----------------------------------------------------------

@pytest.mark.parametrize(
    "messy",
    ["ra123456785cn", " RA 1234 5678 5 CN ", "RA-1234-5678-5-CN", "ＲＡ１２３４５６７８５ＣＮ", "RA\u200b123456785CN\ufeff",
     "RA\u3000123456785\u00a0CN", "RA–123456785—CN"],
)
def test_messy_input_normalises_to_the_same_valid_number(messy):
    parsed = parse(messy)
    assert parsed.number == "RA123456785CN" and parsed.valid and parsed.input == messy


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", Reason.EMPTY),
        ("   ", Reason.EMPTY),
        ("RA12345", Reason.TOO_SHORT),
        ("9" * 60, Reason.TOO_LONG),
        ("RA1234567€5CN", Reason.BAD_CHARACTERS),
        ("운송장1234567890", Reason.BAD_CHARACTERS),
        ("RA123456789CN", Reason.CHECKSUM_MISMATCH),
        ("RB123456785XX", Reason.UNKNOWN_COUNTRY),
        ("ZZZZZZZZZZZZ", Reason.UNKNOWN_PATTERN),
    ],
)
def test_every_invalid_input_gets_a_structured_reason(text, reason):
    parsed = parse(text)
    assert not parsed.valid and parsed.reason is not None
    assert parsed.reason.code == reason
    assert parsed.reason.message and parsed.reason.message_ko


def test_the_guides_own_example_is_caught_and_corrected_first():
    parsed = parse("RA123456789CN")
    assert parsed.reason.code == Reason.CHECKSUM_MISMATCH
    assert (parsed.reason.expected, parsed.reason.got) == ("5", "9")
    assert parsed.suggestions[0] == "RA123456785CN"
    assert all(parse(s).valid for s in parsed.suggestions)


def test_look_alike_letters_are_suggested():
    assert "RA123456785CN" in suggest("RA1234S6785CN")
    assert "RA123456785CN" in suggest("RA12345678SCN")


def test_a_swapped_pair_is_suggested():
    assert "RA123456785CN" in suggest("RA123465785CN")


def test_a_valid_number_has_no_suggestions():
    assert parse("RA123456785CN").suggestions == []


def test_non_text_input_raises_the_packages_own_error():
    with pytest.raises(TrackingNumberError):
        parse(12345)  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------------

countries = st.sampled_from(["CN", "KR", "US", "GB", "HK", "SG", "JP", "DE"])
services = st.sampled_from("ELRCHUV").flatmap(lambda a: st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ").map(lambda b: a + b))


@st.composite
def s10_numbers(draw):
    serial = draw(st.text("0123456789", min_size=8, max_size=8))
    return draw(services) + serial + check_digit(serial, S10) + draw(countries)


@given(s10_numbers())
def test_any_generated_s10_number_round_trips(number):
    parsed = parse(number.lower())
    assert parsed.valid and parsed.number == number and parsed.carrier == "un.upu.s10" and parsed.checksum_ok


def s10_remainder(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, [8, 6, 4, 2, 3, 5, 9, 7])) % 11


@given(s10_numbers(), st.integers(2, 10), st.integers(1, 9))
def test_any_single_digit_change_to_an_s10_number_is_caught_unless_the_standard_cannot(number, position, delta):
    """S10 maps weighted-sum remainders 0 and 6 both to check digit 5 (UPU S10), so exactly
    those changes are undetectable by any implementation; every other change is caught."""
    digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + digit + number[position + 1 :]
    caught = not any(c.valid and c.carrier == "un.upu.s10" for c in parse(changed).candidates)
    undetectable = position < 10 and {s10_remainder(number[2:10]), s10_remainder(changed[2:10])} == {0, 6}
    assert caught != undetectable


def test_the_s10_standard_collision_is_real_and_documented():
    a, b = "RA000000005CN", "RA010000005CN"  # one digit apart; remainders 0 and 6; both check digit 5
    assert (s10_remainder(a[2:10]), s10_remainder(b[2:10])) == (0, 6)
    assert parse(a).valid and parse(b).valid


@given(st.text("0123456789", min_size=9, max_size=9))
def test_any_single_digit_change_to_a_ups_number_is_caught(body):
    serial = "AB12" + "CD" + body[:7] + "EF"
    from casebook.tracking.registry import default_registry

    ups = next(p for p in default_registry().carriers["us.ups"].patterns if p.name == "UPS")
    number = "1Z" + serial[:15] + check_digit(serial[:15], ups.checksum)
    assert parse(number).carrier == "us.ups"
    for i in range(2, len(number) - 1):
        if number[i].isdigit():
            changed = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
            assert not any(c.valid and c.carrier == "us.ups" for c in parse(changed).candidates)


@given(st.text("0123456789", min_size=14, max_size=14))
def test_any_cainiao_lp_number_round_trips(digits):
    parsed = parse(f"lp {digits[:7]} {digits[7:]}")
    assert parsed.valid and parsed.number == "LP" + digits and parsed.carrier == "cn.cainiao"


@settings(max_examples=300)
@given(st.text())
def test_parse_never_raises_on_arbitrary_unicode(text):
    parsed = parse(text)
    assert parsed.valid or parsed.reason is not None
    parsed.suggestions  # noqa: B018 - computing them must not raise either
    parsed._repr_html_()


def test_normalise_folds_full_width_and_drops_separators():
    assert normalise("ｌｐ－０００ ６８") == "LP00068"


# -- extract -------------------------------------------------------------------------

TEXTS = ROOT / "examples" / "text"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("korean-order-page.txt", [("LP00068434402473", "cn.cainiao"), ("630012345678", "kr.cjlogistics")]),
        ("english-email.txt", [("RR304182752CN", "un.upu.s10")]),
        ("chat-log.txt", [("YT2229521272164446", "cn.yunexpress"), ("6090123456789", "kr.epost"),
                          ("LX582033911CN", "un.upu.s10"), ("EE209177345KR", "un.upu.s10")]),
    ],
)
def test_extract_finds_every_number_in_realistic_pasted_text(name, expected):
    found = extract((TEXTS / name).read_text(encoding="utf-8"))
    assert [(f.number, f.parsed.carrier) for f in found] == expected


def test_extract_ignores_order_ids_phone_numbers_and_dates():
    text = (
        "주문번호 8190012345678901\nOrder ID: 3046123456789012345\n연락처 010-1234-5678\n전화: 02-345-6789\n"
        "Order no. 819001234567890\n2026-03-02 12:30\n+82 10 9876 5432\ninvoice 20260302123456\n"
    )
    assert extract(text) == []


@pytest.mark.parametrize("text", [
    "Tracking updated 2026112010",  # YYYYMMDDHH
    "운송장 조회 시각 2026112010",
    "Tracking number: LP00068434402473\n2026112010 [Shenzhen, CN] Accepted by carrier",  # the line below a label
    "tracking 202611201030", "tracking 20261120103015",  # ...HHMM, ...HHMMSS
    "DHL tracking 2026-11-20 10:30",  # read as one run "2026112010"
    "tracking 20-11-2026 10:30", "tracking 11-20-2026 10:30",  # day first, month first
])
def test_extract_ignores_date_and_time_shaped_digit_runs(text):
    numbers = [f.number for f in extract(text)]
    assert not [n for n in numbers if n.isdigit()], numbers
    assert numbers in ([], ["LP00068434402473"])


def test_a_date_shaped_run_is_only_skipped_in_free_text_and_real_numbers_still_count():
    assert parse("2026112010").valid  # typed on purpose: a CJ-length number, checked as it is
    assert [f.number for f in extract("CJ대한통운 운송장 6300123456\n조회 2026-11-20 10:30")] == ["6300123456"]
    assert [f.number for f in extract("tracking 2026134510")] == ["2026134510"]  # month 13: not a date


def test_extract_takes_a_digits_only_number_labelled_on_the_line_above():
    found = extract("운송장번호\n630012345678\n")
    assert [f.number for f in found] == ["630012345678"]


# -- display and CLI -----------------------------------------------------------------------

def test_html_shows_number_carrier_validity_and_links_escaped():
    html = parse("RA123456785CN")._repr_html_()
    assert "RA123456785CN" in html and "China Post" in html and "17track" in html and "valid" in html
    bad = parse("<b>RA123456789CN")._repr_html_()
    assert "<b>RA" not in bad


def cli(*args):
    return subprocess.run([sys.executable, "-m", "casebook.cli", *args], capture_output=True, text=True, timeout=60)


def test_cli_json_has_the_documented_keys_and_exit_code():
    result = cli("track-number", "--json", "RA123456789CN", "LP00068434402473")
    assert result.returncode == 1  # one of them is invalid
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    for obj in (first, second):
        assert {"input", "number", "valid", "carriers", "reason", "suggestions", "urls"} <= set(obj)
    assert first["valid"] is False and first["suggestions"][0] == "RA123456785CN"
    assert first["reason"]["code"] == "checksum_mismatch"
    assert second["valid"] is True and second["carriers"][0]["key"] == "cn.cainiao"


def test_cli_one_line_per_number_in_korean():
    result = cli("track-number", "--lang", "ko", "RA123456785CN")
    assert result.returncode == 0 and result.stdout.count("\n") == 1 and "검증번호 일치" in result.stdout


def test_cli_extract_reads_a_text_file():
    result = cli("track-number", "--extract", str(TEXTS / "chat-log.txt"), "--json")
    numbers = [json.loads(line)["number"] for line in result.stdout.splitlines()]
    assert numbers == ["YT2229521272164446", "6090123456789", "LX582033911CN", "EE209177345KR"]
