"""The use cases, and the three faces over them agreeing: CLI, step notebooks (papermill) and panels."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import papermill as pm
import pytest

from casebook import services, steps
from casebook.errors import CaseInputError, CasebookError
from casebook.examples import load_examples
from casebook.store import Casebook
from casebook.ui import SummaryPanel
from tests.conftest import ROOT

CONFIG = """
[casebook]
timezone = "America/Los_Angeles"
language = "en"

[rules.deadlines.latest_open]
days = 20
"""
TODAY = "2026-03-20"
CASE = "seed-a"


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    book = Casebook.init(tmp_path / "book")
    load_examples(book, ids=(CASE,))
    services.record_dispute(book, CASE, stage="not_opened", opened_date=None, outcome=None)
    (book.path / "casebook.toml").write_text(CONFIG, encoding="utf-8")
    return book.path


def _deadline_texts(items: list[dict]) -> dict[str, str]:
    return {d["key"]: d["text"]["en"] for d in items if d["status"] != "not_applicable"}


@pytest.mark.notebooks
def test_the_cli_the_notebooks_and_a_panel_agree_under_a_non_default_casebook_toml(configured, tmp_path):
    # the CLI
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    cli = subprocess.run([sys.executable, "-m", "casebook.cli", "-C", str(configured), "deadlines", CASE, "--today", TODAY,
                          "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert cli.returncode == 0, cli.stderr
    from_cli = _deadline_texts(json.loads(cli.stdout))
    advice_text = subprocess.run([sys.executable, "-m", "casebook.cli", "-C", str(configured), "advise", CASE, "--today",
                                  TODAY], capture_output=True, text=True, env=env, timeout=120).stdout
    cli_out = tmp_path / "cli-out"
    cli_out.mkdir()
    packed = subprocess.run([sys.executable, "-m", "casebook.cli", "-C", str(configured), "summary", CASE, "--format", "zip",
                             "--today", TODAY], capture_output=True, text=True, env=env, cwd=cli_out, timeout=120)
    assert packed.returncode == 0, packed.stderr

    # the step notebook, run by papermill exactly as the batch runs it (no language or time zone given)
    out = tmp_path / "nb"
    out.mkdir()
    pm.execute_notebook(str(ROOT / "notebooks" / "04_dispute_summary.ipynb"), str(out / "04.ipynb"),
                        parameters={"casebook_path": str(configured), "case_id": CASE, "today": TODAY,
                                    "output_dir": str(out / "files"), "result_file": str(out / "04.json")},
                        kernel_name="python3", progress_bar=False, store_widget_state=False, cwd=str(out))
    from_notebook = json.loads((out / "04.json").read_text(encoding="utf-8"))

    # a panel
    book = services.open_casebook(configured)
    panel = SummaryPanel(book, CASE, output_dir=tmp_path / "panel", today=TODAY)
    for fmt in ("txt", "html", "zip", "ics"):
        panel.buttons[fmt].click()
    assert panel.errors == []

    # the same deadlines, in the same language and clock, and the overridden rule in force
    assert from_cli == _deadline_texts(from_notebook["deadlines"])
    assert "PDT" in from_cli["latest_open"] and "KST" not in " ".join(from_cli.values())
    from datetime import timedelta

    received = book.get(CASE).order.received_date
    assert from_cli["latest_open"].startswith(f"{received + timedelta(days=20)} 23:59 PDT")
    for text in from_cli.values():
        assert text.split(" (")[0] in panel.readiness.value
    assert from_notebook["language"] == "en" and panel.lang == "en"
    assert "Readiness" in advice_text and "Readiness" in panel.readiness.value and "준비도" not in advice_text
    # one naming scheme for every file any face writes
    panel_names = {p.name for p in (tmp_path / "panel").iterdir()}
    notebook_names = {Path(p).name for p in from_notebook["files"].values()}
    assert panel_names == notebook_names - {f"{CASE}-report.md"}, "the panel has no Markdown button; all else matches"
    assert notebook_names == {services.export_name(CASE, what) for what in services.EXPORT_NAMES if what not in
                              ("seller_message", "seller_message_zh", "overview")}
    assert {p.name for p in cli_out.iterdir()} == {f"{CASE}-dispute-pack.zip"} <= notebook_names


def test_saving_the_same_order_twice_returns_the_case_already_logged(book):
    form = {"order_id": "8190300000000001", "item_title": "Lamp", "price": "15,900원", "order_date": "2026-05-01",
            "problem_kind": "damaged"}
    first = services.new_case(book, form)
    again = services.new_case(book, form | {"order_date": "2026-05-02"})
    assert first.created and not again.created and again.case.id == first.case.id and book.ids() == [first.case.id]
    assert str(first.case.order.price) == "KRW 15,900"
    assert "already logged" in again.message("en") and "이미" in again.message("ko")


@pytest.mark.parametrize(("price", "expected"), [
    ("15,900원", "KRW 15,900"), ("₩15,900", "KRW 15,900"), ("15900 KRW", "KRW 15,900"), ("$12.50", "USD 12.50"),
    ("12.50 USD", "USD 12.50"), (23900, "KRW 23,900"), ("89.9 위안", "CNY 89.90"),
])
def test_amounts_are_read_as_shoppers_type_them(book, price, expected):
    form = {"order_id": f"81903000{abs(hash(str(price))) % 10**8:08d}", "item_title": "x", "price": price,
            "order_date": "2026-05-01", "problem_kind": "other"}
    assert str(services.new_case(book, form).case.order.price) == expected


def test_every_field_error_is_reported_at_once_and_nothing_is_saved(book):
    form = {"order_id": "abc", "item_title": "", "price": "12,34", "order_date": "2026-02-30", "problem_kind": "broken",
            "ship_date": "2026-01-01"}
    with pytest.raises(CaseInputError) as info:
        services.new_case(book, form)
    fields = set(info.value.fields)
    assert {"order.price", "order.order_id", "order.item_title", "order.order_date", "problem.kind"} <= fields
    assert book.ids() == []


def test_a_korean_carriers_number_is_kept_as_the_domestic_number(book):
    saved = services.new_case(book, {"order_id": "8190300000000009", "item_title": "x", "price": "1000",
                                     "order_date": "2026-05-01", "problem_kind": "not_received",
                                     "tracking_number": "6300 1234 5678"})
    shipment = saved.case.shipments[0]
    assert shipment.domestic_number == "630012345678" and shipment.domestic_carrier.startswith("kr.")
    assert shipment.tracking_number is None


def test_exports_refuse_an_output_path_that_is_a_file(seeded, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(CasebookError, match="is a file"):
        services.export(seeded, "seed-a", target)
    with pytest.raises(CaseInputError, match="formats"):
        services.export(seeded, "seed-a", tmp_path / "out", formats=["pdf"])


def test_tracking_without_a_number_reads_nothing_and_asks_for_the_number_only_to_fetch(book):
    saved = services.new_case(book, {"order_id": "8190300000000010", "item_title": "x", "price": "1000",
                                     "order_date": "2026-05-01", "problem_kind": "damaged"})
    report = services.track(book, saved.case.id)
    assert report.number == "" and not report.saved and report.timeline.keys == ["no_tracking"]
    with pytest.raises(CaseInputError, match="no tracking number"):
        services.track(book, saved.case.id, paste="2026-05-03 10:00 Departed")


def test_verify_over_every_case_reports_a_broken_one_and_goes_on(seeded):
    (seeded.path / "seed-b" / "case.json").write_text("{", encoding="utf-8")
    reports = {r.case_id: r for r in services.verify(seeded)}
    assert set(reports) == {"seed-a", "seed-b", "seed-c", "seed-d", "seed-e"}
    assert reports["seed-b"].error and not reports["seed-b"].ok and reports["seed-a"].ok


def test_results_show_themselves_in_a_notebook(seeded, tmp_path):
    book = services.open_casebook(seeded.path, language="en")
    for result in (services.advise(book, "seed-b", today="2026-05-25"), services.summarise(book, "seed-b"),
                   services.track(book, "seed-c", today="2026-06-22"), services.collect_evidence(book, "seed-b"),
                   services.verify(book, "seed-b")[0], services.export(book, "seed-b", tmp_path, formats=["txt"]),
                   book.get("seed-b")):
        markup = result._repr_html_()
        assert markup and "<" in markup and not re.search(r"\bfull_refund\b|\bnot_as_described\b", markup)


def test_steps_face_maps_parameters_and_results(seeded, tmp_path):
    book = steps.open_casebook(seeded.path, lang="ko")
    result = steps.dispute_summary(book, "seed-c", tmp_path, today="2026-06-22")
    assert result["language"] == "ko" and re.search(r"[가-힣]", result["next_steps"][0])
    assert set(result["files"]) == {"message_en", "message_ko", "report_md", "report_html", "pack", "ics"}
