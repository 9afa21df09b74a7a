"""Case files to import: alias bombs, deep nesting and huge files fail fast with one line."""

from __future__ import annotations

import json

import pytest

from casebook.errors import CaseInputError, CasebookError
from casebook.examples import read_case_file, read_new_case, safe_yaml

# The classic "billion laughs": 625 bytes that expand to 9^9 list items.
ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
order: *i
"""

HOSTILE = [
    ("bomb.yaml", ALIAS_BOMB, CasebookError, "aliases"),
    ("alias.yaml", "x: &x 1\norder: *x\n", CasebookError, "aliases"),
    ("deep.yaml", "order: " + "[" * 50_000 + "]" * 50_000 + "\n", CasebookError, "nested too deeply"),
    ("deep.json", '{"order": ' + "[" * 50_000 + "]" * 50_000 + "}", CasebookError, "nested too deeply"),
    ("tag.yaml", "order: !!python/object/apply:os.system ['echo hi']\n", CasebookError, "YAML"),
    ("big.yaml", "notes: '" + "x" * (5 * 1024 * 1024) + "'\n", CasebookError, "larger than"),
    ("list.json", "[1, 2]", CasebookError, "mapping"),
    ("latin1.yaml", "notes: caf\xe9\n", CasebookError, "UTF-8"),
]


@pytest.mark.parametrize("name, text, error, words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_case_file_fails_fast_with_one_line(tmp_path, name, text, error, words):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1") if name.startswith("latin1") else text.encode("utf-8"))
    with pytest.raises(error) as info:
        read_new_case(path)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_a_deep_yaml_is_a_case_input_error():
    with pytest.raises(CaseInputError):
        safe_yaml("a: " + "[" * 50_000 + "]" * 50_000)


def test_ordinary_yaml_and_json_still_read(tmp_path):
    (tmp_path / "c.yaml").write_text("order:\n  order_id: '0081'\n  order_date: 2026-03-01\nproblem: {kind: damaged}\n")
    assert read_case_file(tmp_path / "c.yaml")["order"]["order_date"] == "2026-03-01"
    (tmp_path / "c.json").write_text(json.dumps({"order": {"order_id": "1"}, "problem": {}}))
    assert read_case_file(tmp_path / "c.json")["order"]["order_id"] == "1"
