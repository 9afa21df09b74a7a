from __future__ import annotations

import csv
import json

import nbformat
import pytest

from casebook.batch import read_orders, run_batch
from casebook.errors import CasebookError
from casebook.store import Casebook
from tests.conftest import ROOT

ORDERS = ROOT / "examples" / "batch" / "orders.csv"
EXAMPLES = ROOT / "examples"
pytestmark = pytest.mark.notebooks


def test_the_batch_runs_every_good_row_reports_every_bad_one_and_resumes(tmp_path):
    rows = read_orders(ORDERS)
    assert len(rows) >= 20
    results = run_batch(ORDERS, tmp_path / "out", casebook_path=tmp_path / "book", workers=2, progress=False)
    by_status = {s: [r for r in results if r.status == s] for s in ("ok", "failed", "invalid")}
    assert len(by_status["ok"]) == 15
    bad = {r.line: r.error for r in by_status["failed"] + by_status["invalid"]}
    assert len(bad) == 8
    expected = {17: "item_title", 18: "order.price", 19: "order.price.currency", 20: "order.order_date",
                21: "problem.kind", 22: "received_date", 23: "no-such-photo.jpg", 24: "paste_file"}
    for line, needle in expected.items():
        assert needle in bad[line], (line, bad[line])
        assert not bad[line].startswith(("CaseInputError", "EvidenceError", "ShopperError")), "what is wrong, no class name"
    for result in by_status["ok"]:
        folder = tmp_path / "out" / result.row_id
        assert (folder / "summary" / f"{result.case_id}-dispute-pack.zip").exists()
        for name in ("01_log_order", "02_check_tracking", "03_collect_evidence", "04_dispute_summary"):
            assert "widgets" not in nbformat.read(folder / f"{name}.ipynb", as_version=4).metadata
    book = Casebook(tmp_path / "book")
    assert book.get("aliexpress-0081234567890").order.order_id == "0081234567890"
    assert book.get("aliexpress-8190100000000001").shipments[0].snapshots, "the pasted tracking page was imported"
    summary = list(csv.DictReader((tmp_path / "out" / "summary.csv").read_text(encoding="utf-8").splitlines()))
    assert len(summary) == len(rows)
    cases_before = book.ids()
    again = run_batch(ORDERS, tmp_path / "out", casebook_path=tmp_path / "book", workers=2, progress=False)
    assert sum(r.status == "skipped" for r in again) == 15
    assert book.ids() == cases_before, "a resumed batch must not duplicate cases"
    assert json.loads((tmp_path / "out" / results[0].row_id / "result.json").read_text())["status"] == "ok"


def test_an_orders_file_with_a_bad_header_is_refused_clearly(tmp_path):
    bad = tmp_path / "orders.csv"
    bad.write_text("order_id,title\n1,x\n", encoding="utf-8")
    with pytest.raises(CasebookError, match="lacks item_title, price, order_date, problem_kind"):
        read_orders(bad)
    bad.write_text("order_id,item_title,price,order_date,problem_kind,colour\n", encoding="utf-8")
    with pytest.raises(CasebookError, match="unknown column"):
        read_orders(bad)
