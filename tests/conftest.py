from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebook.examples import load_examples
from casebook.store import Casebook

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CASEBOOK_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def book(tmp_path: Path) -> Casebook:
    """An empty casebook in a temporary folder."""
    return Casebook.init(tmp_path / "book")


@pytest.fixture
def seeded(tmp_path: Path) -> Casebook:
    """A casebook holding the guide's five cases A-E with their evidence."""
    casebook = Casebook.init(tmp_path / "seeded")
    load_examples(casebook)
    return casebook


def snapshot_tree(path: Path) -> dict[str, bytes]:
    """Every file below ``path`` with its bytes: to prove nothing changed."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
