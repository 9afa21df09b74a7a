"""CSV export never hands a spreadsheet a formula."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from casebook.csvsafe import safe_csv_cell, to_safe_csv

HOSTILE = ["=1+1", "+82 10 1234 5678", "-2+3", "@SUM(A1)", "\t=cmd|' /C calc'!A0", "\r=1", "=HYPERLINK(\"http://x\")",
           "＝1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_prefix_is_neutralised(text):
    assert safe_csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "주문 번호", "", 12, -5, 3.5, None, "a=b"])
def test_other_values_are_left_alone(value):
    assert safe_csv_cell(value) == value


def test_a_frame_written_as_csv_has_no_cell_starting_with_a_formula_prefix(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "item": HOSTILE[:2], "amount": [-5, 12], "=col": ["x", "@y"]})
    path = to_safe_csv(frame, tmp_path / "out.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r")) or (c.startswith("-") and c != "-5")]
    assert rows[1][1] == "'=1+1" and rows[1][2] == "-5"
