"""Tracking for a whole batch, fetched once by the process that runs the batch.

If every worker's step 02 called 17TRACK or UNI-PASS itself, each would keep
its own rate limiter and N workers would send N times the allowed rate. So the
batch asks the provider for all numbers first (the clients batch 40 numbers a
request and rate-limit), writes each answer into the order's folder as JSON in
the format the offline provider imports (``parse_json``), and step 02 imports
that file with provider "offline": the notebook stays the only path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..store import atomic_write_bytes
from .orders import OrderTask

__all__ = ["fetch_tracking", "write_paste", "NETWORK_PROVIDERS"]

NETWORK_PROVIDERS = ("17track", "unipass")


def write_paste(path: Path, result: Any) -> Path:
    """A provider's answer as offline-importable JSON (events with time, description, location, status)."""
    events = [{"time": e.time.isoformat(), "description": e.description, "location": e.location,
               "status": e.sub_status or e.status.value} for e in result.events]
    data = {"number": result.number, "source": result.source, "status": result.status.value,
            "sub_status": result.sub_status, "events": events}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))
    return path


def fetch_tracking(tasks: list[OrderTask], provider: str, *, book: Any, progress: bool = True) -> int:
    """Track every order's number that has no pasted page, in one rate-limited run; returns how many numbers."""
    from ..tracking.numbers import parse
    from ..tracking.service import get_provider, track_many

    wanted: dict[str, list[OrderTask]] = {}
    for task in tasks:
        raw = task.parameters["01_log_order"].get("tracking_number")
        if raw and task.paste_file is None:
            wanted.setdefault(parse(raw).number or raw.strip(), []).append(task)
    if not wanted:
        return 0
    chosen = get_provider(provider, book.settings)
    numbers = list(wanted)
    try:
        results = track_many(numbers, chosen, progress=progress)
    finally:
        if hasattr(chosen, "close"):
            chosen.close()
    for number, result in zip(numbers, results, strict=True):  # providers answer once per number, in order
        for task in wanted[number]:
            if result.error is not None:
                task.tracking_error = f"tracking {number}: {result.error.message}"
            else:
                task.paste_file = str(write_paste(Path(task.row_dir) / f"tracking-{provider}.json", result))
    return len(numbers)
