from __future__ import annotations

import json
import subprocess
import sys

import pytest

from casebook.cli import main
from casebook.store import Casebook
from tests.conftest import snapshot_tree


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point in a subprocess: what a shopper sees."""
    return subprocess.run([sys.executable, "-m", "casebook.cli", *args], capture_output=True, text=True, timeout=60)


def test_init_with_examples_creates_the_five_seed_cases(tmp_path):
    result = run("init", str(tmp_path / "b"), "--with-examples")
    assert result.returncode == 0, result.stderr
    assert Casebook(tmp_path / "b").ids() == ["seed-a", "seed-b", "seed-c", "seed-d", "seed-e"]
    listing = run("-C", str(tmp_path / "b"), "list")
    assert listing.returncode == 0 and "seed-e" in listing.stdout and "8190056789012345" in listing.stdout


def test_init_twice_with_examples_refuses_to_overwrite_without_force(tmp_path, capsys):
    assert main(["init", str(tmp_path / "b"), "--with-examples"]) == 0
    assert main(["init", str(tmp_path / "b"), "--with-examples"]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "b"), "--with-examples", "--force"]) == 0


def test_new_from_a_yaml_file_keeps_the_order_id_as_text(tmp_path, capsys):
    main(["init", str(tmp_path / "b")])
    capsys.readouterr()
    source = tmp_path / "order.yaml"
    source.write_text(
        "order:\n  order_id: '0081234'\n  item_title: 양말\n  price: {amount: '3900', currency: KRW}\n"
        "  order_date: 2026-04-01\nproblem:\n  kind: missing_parts\n",
        encoding="utf-8",
    )
    assert main(["-C", str(tmp_path / "b"), "new", "--from", str(source)]) == 0
    case_id = capsys.readouterr().out.strip()
    assert Casebook(tmp_path / "b").get(case_id).order.order_id == "0081234"


def test_new_from_flags_and_show_as_json(tmp_path, capsys):
    main(["init", str(tmp_path / "b")])
    assert main(["-C", str(tmp_path / "b"), "new", "--id", "flags", "--order-id", "8100000000000001", "--item", "cable",
                 "--price", "4.5 USD", "--order-date", "2026-04-01", "--problem", "not_received",
                 "--tracking", "RA123456785CN"]) == 0
    capsys.readouterr()
    assert main(["-C", str(tmp_path / "b"), "show", "flags", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["order"]["price"] == {"amount": "4.5", "currency": "USD"}
    assert shown["shipments"][0]["tracking_number"] == "RA123456785CN"


@pytest.mark.parametrize(
    ("order_yaml", "field"),
    [
        ("order_id: 81234", "order.order_id"),
        ("order_id: '1'\n  price: {amount: '-5', currency: KRW}", "order.price.amount"),
        ("order_id: '12345'\n  price: {amount: '5', currency: WON}", "order.price.currency"),
        ("order_id: '12345'\n  received_date: 2026-01-01", "order"),
        ("order_id: '12345'\n  colour: red", "order.colour"),
    ],
)
def test_bad_input_is_one_line_naming_the_field_and_changes_nothing(tmp_path, order_yaml, field):
    main(["init", str(tmp_path / "b")])
    before = snapshot_tree(tmp_path / "b")
    source = tmp_path / "bad.yaml"
    base = "order:\n  item_title: x\n  price: {amount: '5', currency: KRW}\n  order_date: 2026-04-01\n  "
    text = base + order_yaml + "\nproblem:\n  kind: damaged\n"
    # later keys win in YAML; a duplicate price line overrides the base one
    source.write_text(text, encoding="utf-8")
    result = run("-C", str(tmp_path / "b"), "new", "--from", str(source))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert field in result.stderr
    assert snapshot_tree(tmp_path / "b") == before


@pytest.mark.parametrize("bad_id", ["../x", "/abs/path"])
def test_path_like_ids_are_refused_on_the_command_line(tmp_path, bad_id):
    main(["init", str(tmp_path / "b")])
    before = snapshot_tree(tmp_path)
    result = run("-C", str(tmp_path / "b"), "new", "--id", bad_id, "--order-id", "12345", "--item", "x",
                 "--price", "1", "--order-date", "2026-04-01", "--problem", "damaged")
    assert result.returncode == 1 and "(id):" in result.stderr and bad_id in result.stderr
    assert snapshot_tree(tmp_path) == before


def test_unknown_problem_kind_on_the_command_line_lists_accepted_kinds(tmp_path):
    main(["init", str(tmp_path / "b")])
    result = run("-C", str(tmp_path / "b"), "new", "--order-id", "12345", "--item", "x", "--price", "1",
                 "--order-date", "2026-04-01", "--problem", "broken")
    assert result.returncode == 1 and "problem.kind" in result.stderr and "wrong_size" in result.stderr


def test_show_of_a_missing_case_and_a_missing_casebook_are_one_line_errors(tmp_path):
    main(["init", str(tmp_path / "b")])
    missing = run("-C", str(tmp_path / "b"), "show", "nope")
    assert missing.returncode == 1 and "'nope' 사례가 없습니다" in missing.stderr and "casebook list" in missing.stderr
    nobook = run("-C", str(tmp_path / "none"), "list")
    assert nobook.returncode == 1 and "casebook init" in nobook.stderr and "Traceback" not in nobook.stderr


def test_list_reports_a_broken_case_and_exits_non_zero(tmp_path):
    main(["init", str(tmp_path / "b"), "--with-examples"])
    (tmp_path / "b" / "seed-b" / "case.json").write_text("{", encoding="utf-8")
    result = run("-C", str(tmp_path / "b"), "list", "--lang", "en")
    assert result.returncode == 1
    assert "BROKEN seed-b" in result.stdout and "seed-a" in result.stdout


# -- papercuts (issue #14) --------------------------------------------------------------------------------------

def _cli(*args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_the_casebook_option_works_after_the_command_name_too(tmp_path):
    from tests.conftest import ROOT

    book = str(tmp_path / "b")
    assert _cli("init", book, "--with-examples")[0] == 0
    for args in (["list", "-C", book], ["show", "seed-a", "-C", book], ["advise", "seed-a", "--casebook", book],
                 ["evidence", "add", "seed-b", str(ROOT / "examples/cases/seed-c/evidence/order-promise.png"),
                  "--kind", "product_page_screenshot", "-C", book],
                 ["evidence", "remove", "seed-b", "E03", "-C", book], ["track", "--undo", "seed-a", "-C", book]):
        code, out, err = _cli(*args)
        assert (code, "casebook: 오류: " in err) in ((0, False), (1, True)) and "unrecognized" not in err, (args, err)
    assert "E03" in _cli("evidence", "remove", "seed-b", "E03", "-C", book)[2]  # removed already: says which exist


def test_list_shows_whole_ids_and_new_from_the_example_order_file(tmp_path, monkeypatch):
    from tests.conftest import ROOT

    book = str(tmp_path / "b")
    _cli("init", book)
    code, out, _ = _cli("-C", book, "new", "--from", str(ROOT / "examples" / "order.yaml"))
    case_id = out.strip()
    assert code == 0 and case_id == "20261002-aliexpress-8190099900000001"
    long_id = "a-very-long-case-id-that-is-much-wider-than-any-column-of-the-table-0123456789"
    _cli("-C", book, "new", "--id", long_id, "--order-id", "8190099900000002", "--item", "x" * 80, "--price", "1",
         "--order-date", "2026-10-02", "--problem", "other")
    listing = _cli("-C", book, "list")[1]
    assert long_id in listing and case_id in listing


def test_amounts_without_a_currency_are_won_in_every_command(tmp_path):
    book = str(tmp_path / "b")
    _cli("init", book, "--with-examples")
    assert _cli("-C", book, "dispute", "seed-d", "--stage", "opened", "--opened", "2026-07-20", "--request",
                "partial_refund", "--amount", "5000")[0] == 0
    assert str(Casebook(tmp_path / "b").get("seed-d").dispute.requested_amount) == "KRW 5,000"
    assert _cli("-C", book, "dispute", "seed-d", "--amount", "5,000원")[0] == 0


def test_output_and_errors_follow_the_casebooks_language(tmp_path):
    book = tmp_path / "b"
    _cli("init", str(book), "--with-examples")
    code, out, _ = _cli("-C", str(book), "summary", "seed-a", "--today", "2026-03-21")
    assert code == 0 and "안녕하세요" in out  # Korean by default
    err = _cli("-C", str(book), "new", "--order-id", "12ab", "--item", "x", "--price", "12,34", "--order-date", "2026-04-01",
               "--problem", "damaged")[2]
    assert err.count("\n") == 1 and "금액으로 읽을 수 없습니다" in err and "알리익스프레스 주문번호" in err
    (book / "casebook.toml").write_text('[casebook]\nlanguage = "en"\n', encoding="utf-8")
    code, out, _ = _cli("-C", str(book), "summary", "seed-a", "--today", "2026-03-21")
    assert "Hello" in out and "안녕하세요" not in out
    err = _cli("-C", str(book), "new", "--order-id", "12ab", "--item", "x", "--price", "1", "--order-date", "2026-04-01",
               "--problem", "damaged")[2]
    assert "AliExpress order" in err and "알리" not in err


def test_a_failing_check_digit_is_asked_about_on_the_command_line(tmp_path):
    book = str(tmp_path / "b")
    _cli("init", book)
    flags = ["-C", book, "new", "--order-id", "8190099900000003", "--item", "x", "--price", "1", "--order-date",
             "2026-10-02", "--problem", "not_received", "--tracking", "RA123456789CN"]
    code, _, err = _cli(*flags, "--lang", "en")
    assert code == 1 and "--tracking RA123456785CN" in err and "--keep-number" in err
    code, out, _ = _cli(*flags, "--keep-number")
    assert code == 0 and Casebook(tmp_path / "b").get(out.strip()).shipments[0].tracking_number == "RA123456789CN"
    code, _, err = _cli("-C", book, "new", "--order-id", "8190099900000004", "--item", "x", "--price", "1",
                        "--order-date", "2099-01-01", "--problem", "other")
    assert code == 1 and "미래 날짜" in err


def test_a_page_of_another_parcel_is_refused_on_the_command_line_and_an_import_undone(tmp_path):
    from tests.conftest import ROOT

    book = str(tmp_path / "b")
    _cli("init", book, "--with-examples")
    wrong = str(ROOT / "examples/tracking/paste/silent-20-days.txt")
    code, _, err = _cli("-C", book, "track", "--case", "seed-c", "--paste", wrong, "--lang", "en")
    assert code == 1 and "RR512004737CN" in err and "--force" in err
    assert Casebook(tmp_path / "b").get("seed-c").shipments[0].snapshots == []
    code, out, _ = _cli("-C", book, "track", "--case", "seed-c", "--paste", wrong, "--force", "--today", "2026-06-22",
                        "--lang", "en")
    assert code == 0 and "dated before the order date" in out
    code, out, _ = _cli("-C", book, "track", "--undo", "seed-c", "--lang", "en")
    assert code == 0 and "Undid the import" in out and ".trash/seed-c-tracking-" in out
    assert Casebook(tmp_path / "b").get("seed-c").shipments[0].snapshots == []
