"""``python -m benchmarks [name ...]``: run the benchmarks and print figures and ratios (``batch`` = ``bench_batch``)."""

from __future__ import annotations

import importlib
import sys

ALL = ["bench_store", "bench_numbers", "bench_tracking", "bench_summary", "bench_notebooks", "bench_hostile", "bench_batch",
       "bench_app"]


def main(argv: list[str]) -> int:
    names = argv or ALL
    for name in names:
        name = name if name.startswith("bench_") else f"bench_{name}"
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}")
        module.main()
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
