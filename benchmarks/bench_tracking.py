"""Track 1,000 numbers against the local 17TRACK-compatible server.

The server enforces the documented 40 numbers per request and a rate limit;
the floor is (requests needed) / rate. Target (issue #4): ratio <= 1.2.
"""

from __future__ import annotations

import os
import time

from casebook.tracking.localserver import LocalTrackingServer
from casebook.tracking.seventeentrack import MAX_BATCH, SeventeenTrack, requests_needed

N = int(os.environ.get("BENCH_TRACK_NUMBERS", "1000"))
RATE = float(os.environ.get("BENCH_TRACK_RATE", "10"))  # requests per second enforced by the server


def main() -> None:
    numbers = [f"LP{n:014d}" for n in range(N)]
    with LocalTrackingServer(token="bench-token", rate=RATE) as server:
        client = SeventeenTrack("bench-token", base_url=server.url, rate=RATE, batch_size=MAX_BATCH)
        start = time.perf_counter()
        results = client.track(numbers)
        elapsed = time.perf_counter() - start
        rejected_429 = sum(1 for r in server.requests if r.status == 429)
    ok = sum(r.ok for r in results)
    needed = requests_needed(N)
    floor = needed / RATE
    print(f"numbers: {N}, tracked ok: {ok}, requests: {len(server.requests)} (needed {needed}), 429s: {rejected_429}")
    print(f"server limits: {MAX_BATCH} numbers/request, {RATE:g} requests/s")
    print(f"wall time:        {elapsed:.2f} s")
    print(f"theoretical floor: {floor:.2f} s  (requests / rate)")
    print(f"ratio:            {elapsed / floor:.2f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
