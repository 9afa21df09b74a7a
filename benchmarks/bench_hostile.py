"""Hostile input must not hang: pasted tracking pages and free text are parsed in linear time.

Issue #13 targets: a 10 MB single-line paste and a 3 KB "1 1 1 …" line each
take under a second (before: the 40 KB line took 11.6 s in the date regex,
10 MB never ended; the 3 KB line took 80 s in ``extract``). Figures are best
of three; the caps in force are printed with them.
"""

from __future__ import annotations

import time

from casebook.errors import TrackingError, TrackingNumberError
from casebook.tracking.numbers import MAX_EXTRACT_CHARS, extract
from casebook.tracking.providers import MAX_LINE_CHARS, MAX_PASTE_CHARS, parse_paste

MB = 1024 * 1024
HOSTILE_PIECE = "Jun 12:34 aaaa 2026-06-0 15:2 Sep  9, 2026 1:11   (GMT+ 9 Jun 20 "  # every date form half-matches


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def refused(fn) -> None:
    try:
        fn()
    except (TrackingError, TrackingNumberError):
        return
    raise AssertionError("expected a refusal")


def main() -> None:
    line = (HOSTILE_PIECE * (10 * MB // len(HOSTILE_PIECE) + 1))[: 10 * MB]
    capped = best(lambda: refused(lambda: parse_paste(line)))
    uncapped = best(lambda: parse_paste(line, max_chars=None, max_line=None), repeat=1)
    lines = "\n".join((HOSTILE_PIECE * 40)[:MAX_LINE_CHARS] for _ in range(MAX_PASTE_CHARS // (MAX_LINE_CHARS + 1)))
    within = best(lambda: parse_paste(lines))
    ones = "1 " * 1_500
    extract_3k = best(lambda: extract(ones))
    tracked = ("운송장 " + "1 " * (MAX_EXTRACT_CHARS // 2))[:MAX_EXTRACT_CHARS]
    extract_cap = best(lambda: extract(tracked), repeat=1)
    print(f"caps: paste {MAX_PASTE_CHARS:,} chars, line {MAX_LINE_CHARS:,} chars, extract {MAX_EXTRACT_CHARS:,} chars")
    print(f"10 MB single-line paste, default caps (refused):   {capped * 1000:8.1f} ms  (target < 1 s)")
    print(f"10 MB single-line paste, caps lifted (scanned):    {uncapped * 1000:8.1f} ms  (target < 1 s; linear regexes)")
    print(f"2 MB paste of 2,000-character hostile lines:      {within * 1000:8.1f} ms")
    print(f'extract() on a 3 KB "1 1 1 ..." line:              {extract_3k * 1000:8.1f} ms  (target < 1 s; was 80 s)')
    print(f'extract() on {MAX_EXTRACT_CHARS // 1000} KB of "운송장 1 1 1 ..." (the cap):   {extract_cap * 1000:8.1f} ms')


if __name__ == "__main__":
    main()
