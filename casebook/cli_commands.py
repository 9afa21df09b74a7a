"""Sub-commands contributed by the tracking, evidence, playbook and summary layers.

Each ``add_*`` function registers its parser; handlers stay thin over the
package's pure functions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import CasebookError


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# -- tracking numbers ---------------------------------------------------------------

def cmd_track_number(args: argparse.Namespace) -> int:
    from .tracking.numbers import extract, parse

    lang = args.lang
    if args.extract:
        try:
            text = Path(args.extract).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CasebookError(f"--extract: cannot read {args.extract} ({error})") from None
        found = extract(text)
        for item in found:
            if args.json:
                _out(json.dumps(item.parsed.to_dict() | {"line": item.line}, ensure_ascii=False))
            else:
                _out(item.parsed.summary(lang))
        if not found and not args.json:
            _out("no tracking numbers found" if lang == "en" else "운송장 번호를 찾지 못했습니다")
        return 0
    if not args.numbers:
        raise CasebookError("track-number: give one or more numbers, or --extract FILE")
    all_valid = True
    for text in args.numbers:
        parsed = parse(text, prefer_korean=args.korean)
        all_valid &= parsed.valid
        _out(json.dumps(parsed.to_dict(), ensure_ascii=False) if args.json else parsed.summary(lang))
    return 0 if all_valid else 1


def add_track_number(sub: Any) -> None:
    p = sub.add_parser("track-number", help="recognise, validate and correct tracking numbers (offline)")
    p.add_argument("numbers", nargs="*", metavar="NUMBER")
    p.add_argument("--extract", metavar="FILE", help="find every tracking number in a text file")
    p.add_argument("--json", action="store_true", help="one JSON object per number")
    p.add_argument("--lang", choices=("en", "ko"), default="en")
    p.add_argument("--korean", action="store_true", help="rank Korean domestic carriers first (domestic numbers)")
    p.set_defaults(handler=cmd_track_number)


REGISTER: list[Callable[[Any], None]] = [add_track_number]
