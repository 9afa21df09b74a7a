"""Every notebook executed with papermill, asserting on what it writes (not merely that it ran)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from casebook.examples import load_examples
from casebook.store import Casebook
from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
ALL = ["00_overview", "01_log_order", "02_check_tracking", "03_collect_evidence", "04_dispute_summary", "app"]
pytestmark = pytest.mark.notebooks

# per guide case: the day the dispute was opened, the paste to import, evidence to add, and what the results must say
CASES = {
    "seed-a": {"today": "2026-03-21", "paste": "tracking/paste/seed-a.txt", "evidence": [], "flags": {"delivered"},
               "missing": [], "ready": True},
    "seed-b": {"today": "2026-05-25", "paste": None, "evidence": ["cases/seed-c/evidence/order-promise.png|label_photo|Care label"],
               "flags": set(), "missing": ["listing"], "ready": False},
    "seed-c": {"today": "2026-06-22", "paste": None, "evidence": [], "flags": {"stalled", "past_promised"}, "missing": [],
               "ready": True},
    "seed-d": {"today": "2026-07-18", "paste": None, "evidence": [], "flags": set(), "missing": ["ruler", "size_label"],
               "ready": False},
    "seed-e": {"today": "2026-08-21", "paste": None, "evidence": [], "flags": set(), "missing": [], "ready": True},
}


def run(name: str, out: Path, **parameters) -> dict:
    result = out / f"{name}.json"
    pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out / f"{name}.ipynb"),
                        parameters=parameters | {"result_file": str(result)}, kernel_name="python3",
                        progress_bar=False, store_widget_state=False, cwd=str(out))
    return json.loads(result.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def casebook(tmp_path_factory) -> Casebook:
    book = Casebook.init(tmp_path_factory.mktemp("nb") / "book")
    load_examples(book)
    return book


@pytest.mark.parametrize("case_id", list(CASES))
def test_the_four_steps_run_headless_for_each_guide_case(casebook, tmp_path, case_id):
    spec = CASES[case_id]
    common = {"casebook_path": str(casebook.path), "today": spec["today"], "lang": "en"}
    logged = run("01_log_order", tmp_path, case_id=case_id, **common)
    assert logged == {"case_id": case_id, "created": False}
    paste = str(ROOT / "examples" / spec["paste"]) if spec["paste"] else None
    tracked = run("02_check_tracking", tmp_path, case_id=case_id, provider="offline", paste_file=paste, **common)
    assert set(tracked["flags"]) >= spec["flags"] and tracked["saved_snapshot"] == bool(paste)
    collected = run("03_collect_evidence", tmp_path, case_id=case_id, evidence=spec["evidence"],
                    evidence_base=str(ROOT / "examples"), **common)
    assert collected["missing_required"] == spec["missing"] and collected["integrity_problems"] == []
    assert len(collected["added"]) == len(spec["evidence"])
    summary = run("04_dispute_summary", tmp_path, case_id=case_id, output_dir=str(tmp_path / "out"), **common)
    assert summary["ready"] is spec["ready"]
    files = {k: Path(v) for k, v in summary["files"].items()}
    order_id = casebook.get(case_id).order.order_id
    assert order_id in files["message_en"].read_text(encoding="utf-8")
    assert files["pack"].stat().st_size > 1000 and files["report_html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert summary["language"] == "en" and all(name.startswith(f"{case_id}-") for name in (p.name for p in files.values()))
    assert ("seller_message" in files) is (case_id == "seed-d")
    for name in ("01_log_order", "02_check_tracking", "03_collect_evidence", "04_dispute_summary"):
        executed = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        assert "widgets" not in executed.metadata, "widget state must not be stored in executed notebooks"


def test_the_overview_notebook_writes_a_table_of_every_case(casebook, tmp_path):
    result = run("00_overview", tmp_path, casebook_path=str(casebook.path), output_dir=str(tmp_path / "o"), today="2026-06-01")
    assert result["cases"] == 5 and result["broken"] == []
    assert (tmp_path / "o" / "overview.csv").read_text(encoding="utf-8").count("seed-") == 5


def test_logging_a_new_order_keeps_leading_zeros_and_refuses_an_int(tmp_path):
    book = tmp_path / "fresh"
    fields = {"casebook_path": str(book), "order_id": "0081234567", "item_title": "양말", "price": "3900",
              "order_date": "2026-04-01", "problem_kind": "missing_parts", "tracking_number": "lp 0006 8434 4024 73"}
    result = run("01_log_order", tmp_path, **fields)
    case = Casebook(book).get(result["case_id"])
    assert case.order.order_id == "0081234567" and case.shipments[0].carrier == "cn.cainiao"
    with pytest.raises(PapermillExecutionError, match="papermill: -r order_id"):
        run("01_log_order", tmp_path, **(fields | {"order_id": 81234567}))


def test_the_app_and_the_interactive_defaults_run(casebook, tmp_path):
    for name in ALL:
        out = tmp_path / f"{name}.ipynb"
        pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out), parameters={"casebook_path": str(casebook.path)},
                            kernel_name="python3", progress_bar=False, store_widget_state=False, cwd=str(tmp_path))
        outputs = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"]
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), name


@pytest.mark.parametrize("name", ALL)
def test_notebooks_are_committed_clean_with_a_parameters_cell_and_bilingual_text(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells.index(tagged[0]) == 2
    intro = nb.cells[0].source + nb.cells[1].source
    assert re.search(r"[가-힣]", intro) and re.search(r"[A-Za-z]{4}", intro)
    assert "def " not in "".join(c.source for c in code), "notebooks call the package; logic lives there"


def test_notebooks_match_their_generator(tmp_path):
    source = (NOTEBOOKS / "build_notebooks.py").read_text(encoding="utf-8").replace("HERE = Path(__file__).parent",
                                                                                     f"HERE = Path({str(tmp_path)!r})")
    script = tmp_path / "build.py"
    script.write_text(source, encoding="utf-8")
    subprocess.run([sys.executable, str(script)], check=True)
    for name in ALL:
        assert nbformat.read(tmp_path / f"{name}.ipynb", as_version=4) == nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4), \
            f"{name}.ipynb differs from notebooks/build_notebooks.py: regenerate it"
