"""Tracking many numbers at once, and keeping what tracking said in the case.

``track_many`` shows a progress bar (``tqdm.auto``: a widget in notebooks,
text in a terminal). ``save_result`` appends a snapshot to the case (what
tracking said, when: it is evidence) and merges the events, under the
store's lock so nothing another process saved is lost. Provider text is
scrubbed of every registered secret (``config.redact``) before it is saved:
a server that echoes the request (UNI-PASS puts its key in the URL) must
not plant the key in a case file.
"""

from __future__ import annotations

from typing import Any

from ..config import redact, redact_data
from ..errors import CasebookError
from ..models import LINE_MAX, TITLE_MAX, Case, Shipment, TrackingEvent, clip
from ..settings import Settings
from ..store import Casebook
from .providers import OfflineProvider, Provider, TrackingResult

__all__ = ["get_provider", "track_many", "save_result", "saved_result", "track_casebook", "redact_result", "PROVIDERS"]

PROVIDERS = ("offline", "17track", "unipass")


def get_provider(name: str, settings: Settings, *, pastes: dict[str, str] | None = None, **options: Any) -> Provider:
    """A provider by name; tokens and base URLs come from the resolved ``Settings``, never from arguments on screen."""
    if name == "offline":
        return OfflineProvider(pastes, tz=settings.timezone)
    if name == "17track":
        from .seventeentrack import SeventeenTrack

        return SeventeenTrack(settings.secret("seventeentrack_token"), base_url=settings.seventeentrack_base_url,
                              **options)
    if name == "unipass":
        from .unipass import UniPass

        return UniPass(settings.secret("unipass_key"), base_url=settings.unipass_base_url, **options)
    raise CasebookError(f"provider: {name!r} is unknown; accepted: {', '.join(PROVIDERS)}")


def track_many(numbers: list[str], provider: Provider, *, chunk: int = 200, progress: bool = True) -> list[TrackingResult]:
    """Track numbers in chunks (the provider batches further), with a progress bar; one result per number."""
    from tqdm.auto import tqdm  # imported here: in a kernel it pulls in ipywidgets

    results: list[TrackingResult] = []
    with tqdm(total=len(numbers), desc=f"tracking ({provider.name})", unit="number", disable=not progress or len(numbers) < 2) as bar:
        for start in range(0, len(numbers), chunk):
            part = numbers[start : start + chunk]
            results.extend(provider.track(part))
            bar.update(len(part))
    return results


def _shipment_for(case: Case, number: str) -> Shipment:
    for shipment in case.shipments:
        if number in (shipment.tracking_number, shipment.domestic_number):
            return shipment
    shipment = Shipment(tracking_number=number)
    case.shipments = [*case.shipments, shipment]
    return case.shipments[-1]


_EVENT_TEXT = {"description": LINE_MAX, "location": TITLE_MAX, "translation": LINE_MAX, "sub_status": TITLE_MAX,
               "stage": TITLE_MAX, "carrier": TITLE_MAX}


def _redacted_event(event: TrackingEvent) -> TrackingEvent:
    changes = {}
    for name, limit in _EVENT_TEXT.items():
        value = getattr(event, name)
        if isinstance(value, str):
            cleaned = redact(value)
            if cleaned != value:
                changes[name] = clip(cleaned, limit)
    return event.model_copy(update=changes) if changes else event


def redact_result(result: TrackingResult) -> TrackingResult:
    """A copy of ``result`` whose event texts, status words and raw answer carry no registered secret."""
    return result.model_copy(update={
        "events": [_redacted_event(e) for e in result.events],
        "sub_status": redact(result.sub_status) if result.sub_status else result.sub_status,
        "raw": redact_data(result.raw) if result.raw is not None else None,
    })


def save_result(book: Casebook, case_id: str, result: TrackingResult) -> Case:
    """Keep a snapshot of ``result`` in the case and merge its events (newest first, no duplicates).

    Secrets are scrubbed from the provider's text first (``redact_result``).
    """
    result = redact_result(result)

    def change(case: Case) -> None:
        shipment = _shipment_for(case, result.number)
        shipment.snapshots = [*shipment.snapshots, result.to_snapshot()]
        if result.carrier and not shipment.carrier and result.number == shipment.tracking_number:
            shipment.carrier = result.carrier
        known = {(e.time, e.description) for e in shipment.events}
        merged = list(shipment.events) + [e for e in result.events if (e.time, e.description) not in known]
        shipment.events = sorted(merged, key=lambda e: e.time, reverse=True)

    return book.update(case_id, change)


def saved_result(case: Case, number: str) -> TrackingResult | None:
    """What the case already knows about ``number`` (its saved events), as a result; None if nothing."""
    from .providers import overall_status

    for shipment in case.shipments:
        if number in (shipment.tracking_number, shipment.domestic_number) and shipment.events:
            events = sorted(shipment.events, key=lambda e: e.time, reverse=True)
            status, sub_status = overall_status(events)
            return TrackingResult(number=number, carrier=shipment.carrier, status=status, sub_status=sub_status,
                                  events=events, source="saved")
    return None


def track_casebook(book: Casebook, provider: Provider, *, progress: bool = True) -> dict[str, list[TrackingResult]]:
    """Track every case's numbers and save the snapshots; returns results by case id."""
    wanted: dict[str, list[str]] = {}
    for case in book:
        for shipment in case.shipments:
            for number in (shipment.tracking_number, shipment.domestic_number if provider.name != "unipass" else None):
                if number:
                    wanted.setdefault(number, []).append(case.id)
    results = track_many(list(wanted), provider, progress=progress)
    by_case: dict[str, list[TrackingResult]] = {}
    for result in results:
        for case_id in wanted.get(result.number, []):
            if result.ok:
                save_result(book, case_id, result)
            by_case.setdefault(case_id, []).append(result)
    return by_case
