"""``make demo``: the main job on the embedded default, no API key needed.

Builds ``demo-output/casebook`` from the bundled examples (the guide's five
cases A-E) and prints where everything is.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .examples import load_examples
from .store import Casebook


def run(output: Path) -> Path:
    book_path = output / "casebook"
    if book_path.exists():
        shutil.rmtree(book_path)
    book = Casebook.init(book_path)
    load_examples(book)
    frame = book.to_frame()
    print(frame[["id", "item", "problem", "stage", "amount", "currency"]].to_string(index=False, max_colwidth=40))
    return book.path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0] if args else "demo-output").resolve()
    book_path = run(output)
    print()
    print(f"Demo casebook: {book_path}")
    print(f"Try: .venv/bin/casebook -C {book_path} show seed-a")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
