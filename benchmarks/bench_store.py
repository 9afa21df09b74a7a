"""Casebook.to_frame() on 10,000 cases vs the floor of reading + json.loads the same files.

Target (issue #2): ratio <= 2.5 and under 1 s on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from casebook.models import Case, Order, Problem
from casebook.store import CASE_FILE, Casebook

N = int(os.environ.get("BENCH_CASES", "10000"))


def build(path: Path, n: int) -> Casebook:
    book = Casebook.init(path)
    template = Case(
        id="template",
        order=Order(order_id="8190000000000000", item_title="무선 이어폰 Wireless earbuds",
                    price={"amount": "23900", "currency": "KRW"}, order_date="2026-03-01", ship_date="2026-03-03"),
        problem=Problem(kind="not_received", description="택배가 오지 않았습니다 " * 5),
        revision=1,
    ).model_dump(mode="json")
    for i in range(n):
        data = dict(template, id=f"case-{i:05d}")
        data["order"] = dict(template["order"], order_id=f"81900000{i:08d}")
        folder = path / data["id"]
        folder.mkdir()
        (folder / CASE_FILE).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return book


def floor(path: Path) -> float:
    start = time.perf_counter()
    for entry in sorted(os.listdir(path)):
        file = path / entry / CASE_FILE
        if file.exists():
            with open(file, "rb") as handle:
                json.loads(handle.read())
    return time.perf_counter() - start


def best_of(fn, repeat: int = 3) -> float:
    return min(fn() for _ in range(repeat))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book"
        book = build(path, N)
        book.to_frame()  # warm the page cache and imports for both sides

        def frame_time() -> float:
            start = time.perf_counter()
            frame = book.to_frame()
            elapsed = time.perf_counter() - start
            assert len(frame) == N
            return elapsed

        ours = best_of(frame_time)
        base = best_of(lambda: floor(path))
        print(f"cases: {N}")
        print(f"to_frame():            {ours:.3f} s")
        print(f"read + json.loads:     {base:.3f} s")
        print(f"ratio:                 {ours / base:.2f}  (target <= 2.5; absolute target < 1 s)")


if __name__ == "__main__":
    main()
