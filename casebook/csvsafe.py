"""CSV that a spreadsheet opens as data, never as formulas.

A seller's message or a pasted tracking line can start with ``=``, ``+``,
``-`` or ``@``; Excel and LibreOffice run such a cell as a formula (CSV
injection, e.g. ``=HYPERLINK(...)`` or ``=cmd|...``). Every text cell that
starts with one of those (or a tab / carriage return, which some apps skip
before looking) is written with a leading apostrophe, which spreadsheets
show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .store import atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMULA_PREFIXES", "safe_csv_cell", "safe_frame", "to_safe_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width forms


def safe_csv_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``frame`` whose text cells (and column names) are safe to open in a spreadsheet."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) in ("string", "str"):
            safe[column] = safe[column].map(safe_csv_cell)
    safe.columns = [safe_csv_cell(str(c)) if isinstance(c, str) else c for c in safe.columns]
    return safe


def to_safe_csv(frame: "pd.DataFrame", path: str | os.PathLike[str], *, index: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV (with a BOM so Excel reads Korean correctly), formula cells neutralised, atomically."""
    target = Path(path)
    text = safe_frame(frame).to_csv(index=index, lineterminator="\n")
    atomic_write_bytes(target, ("\ufeff" + text).encode("utf-8"))
    return target
