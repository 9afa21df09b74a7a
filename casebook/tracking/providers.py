"""Providers of tracking information, and the offline one (the embedded default).

Every provider answers ``track(numbers) -> list[TrackingResult]``: one result
per number, in order, never raising for one bad number; a failure is the
result's ``error``. Events are normalised to 17TRACK's status vocabulary.

Pasted text is hostile until proven otherwise: the parsers run in linear
time (every regex quantifier is bounded), read at most ``MAX_PASTE_CHARS``
and report lines longer than ``MAX_LINE_CHARS`` as unreadable instead of
scanning them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..errors import TrackingError
from ..models import DATE_MAX, DATE_MIN, LINE_MAX, TITLE_MAX, TrackingEvent, TrackingSnapshot, TrackingStatus, clip, utc_now

__all__ = [
    "TrackingResult",
    "ResultError",
    "Provider",
    "classify",
    "normalise_status",
    "OfflineProvider",
    "PasteImport",
    "parse_paste",
    "parse_csv",
    "parse_json",
    "parse_text",
    "overall_status",
    "MAX_PASTE_CHARS",
    "MAX_LINE_CHARS",
]

MAX_PASTE_CHARS = 2_000_000  # a tracking page's text is a few kilobytes; 2 MB is generous
MAX_LINE_CHARS = 2_000  # one event line; longer lines are reported, not scanned


class ResultError(BaseModel):
    """Why a number could not be tracked, in words a shopper can act on."""

    model_config = ConfigDict(frozen=True)
    code: str
    message: str


class TrackingResult(BaseModel):
    """What a provider said about one number, normalised."""

    model_config = ConfigDict(extra="forbid")
    number: str
    carrier: str | None = None
    status: TrackingStatus = TrackingStatus.NOT_FOUND
    sub_status: str | None = None
    events: list[TrackingEvent] = Field(default_factory=list, description="Newest first.")
    fetched_at: AwareDatetime = Field(default_factory=utc_now)
    source: str = "offline"
    raw: dict[str, Any] | None = None
    error: ResultError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_snapshot(self) -> TrackingSnapshot:
        return TrackingSnapshot(fetched_at=self.fetched_at, source=self.source, number=self.number, carrier=self.carrier,
                                status=self.status, sub_status=self.sub_status, events=list(self.events), raw=self.raw)


class Provider(Protocol):
    name: str

    def track(self, numbers: list[str]) -> list[TrackingResult]: ...


# -- normalising statuses -------------------------------------------------------------------------

@dataclass(frozen=True)
class _TextRule:
    words: tuple[str, ...]
    status: TrackingStatus
    sub_status: str
    stage: str | None
    also: tuple[str, ...] = ()  # one of these must be there too (a departure *from the country of origin*)

    def matches(self, text: str) -> bool:
        return any(word in text for word in self.words) and (not self.also or any(word in text for word in self.also))


@lru_cache(maxsize=1)
def _text_rules() -> tuple[_TextRule, ...]:
    data = tomllib.loads(resources.files("casebook.rules").joinpath("tracking_text.toml").read_text("utf-8"))
    return tuple(_TextRule(tuple(w.casefold() for w in r["match"]), TrackingStatus(r["status"]), r["sub_status"],
                           r.get("stage"), tuple(w.casefold() for w in r.get("also", ()))) for r in data["rule"])


def classify(description: str) -> tuple[TrackingStatus, str, str | None]:
    """(status, sub_status, stage) for an event text, by the first matching rule."""
    text = description.casefold()
    for rule in _text_rules():
        if rule.matches(text):
            return rule.status, rule.sub_status, rule.stage
    return TrackingStatus.IN_TRANSIT, "InTransit_Other", None


_MILESTONES = {
    "InfoReceived": (TrackingStatus.INFO_RECEIVED, "InfoReceived"),
    "PickedUp": (TrackingStatus.IN_TRANSIT, "InTransit_PickedUp"),
    "Departure": (TrackingStatus.IN_TRANSIT, "InTransit_Departure"),
    "Arrival": (TrackingStatus.IN_TRANSIT, "InTransit_Arrival"),
    "AvailableForPickup": (TrackingStatus.AVAILABLE_FOR_PICKUP, "AvailableForPickup_Other"),
    "OutForDelivery": (TrackingStatus.OUT_FOR_DELIVERY, "OutForDelivery_Other"),
    "Delivered": (TrackingStatus.DELIVERED, "Delivered_Other"),
    "Returning": (TrackingStatus.EXCEPTION, "Exception_Returning"),
    "Returned": (TrackingStatus.EXCEPTION, "Exception_Returned"),
}


def normalise_status(stage: str | None, description: str) -> tuple[TrackingStatus, str, str | None]:
    """Status of one event: from the provider's stage (milestone or sub-status vocabulary), else from its text.

    17TRACK's ``stage`` is nullable and comes in two vocabularies (17TRACK API v2.2; https://github.com/wksw/17track-golang-sdk models/v2/track.go): accept both.
    """
    _, _, text_stage = classify(description)
    if stage:
        if stage in _MILESTONES:
            status, sub = _MILESTONES[stage]
            return status, sub, text_stage
        main = stage.split("_", 1)[0]
        try:
            return TrackingStatus(main), stage, "customs" if "Customs" in stage else text_stage
        except ValueError:
            pass  # an unknown vocabulary: fall back to the text
    return classify(description)


def overall_status(events: list[TrackingEvent]) -> tuple[TrackingStatus, str | None]:
    """The parcel's status from its events: delivered wins (a later 'out for delivery' scan is noise)."""
    if not events:
        return TrackingStatus.NOT_FOUND, "NotFound_Other"
    for event in events:
        if event.status == TrackingStatus.DELIVERED:
            return event.status, event.sub_status
    newest = max(events, key=lambda e: e.time)
    return newest.status, newest.sub_status


# -- offline import ----------------------------------------------------------------------------------

_MONTHS = {m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
# Every quantifier is bounded: with ``\s*\s*`` or ``[a-z]*`` a 40 KB line took 11 s (quadratic backtracking).
_TIME = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
_OFFSET = r"(?:\s{0,3}\(?(?:GMT|UTC)?\s{0,2}(?P<off>[+-]\d{1,2}(?::?\d{2})?)\)?)?"
_MONTH = r"(?<![A-Za-z])(?P<mon>[A-Za-z]{3})[a-z]{0,6}\.?"  # Jun, June, Sept., September
_DATE_FORMS = [
    re.compile(r"(?P<y>\d{4})\s{0,3}[-./년]\s{0,3}(?P<m>\d{1,2})\s{0,3}[-./월]\s{0,3}(?P<d>\d{1,2})\s{0,3}일?[T\s,]{0,8}"
               + _TIME + _OFFSET),
    re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})[\s,]{1,8}" + _TIME + _OFFSET),
    re.compile(_MONTH + r"\s{1,3}(?P<d>\d{1,2}),?\s{1,3}(?P<y>\d{4})[\s,]{1,8}" + _TIME + _OFFSET),
    re.compile(r"(?P<d>\d{1,2})\s{1,3}" + _MONTH + r"\s{1,3}(?P<y>\d{4})[\s,]{1,8}" + _TIME + _OFFSET),
]
_HAS_TIME = re.compile(r"\d:\d\d")
_KOREA = re.compile(r"[가-힣]|\bKR\b|korea|incheon|seoul|busan|gimpo|인천|서울", re.IGNORECASE)
_CHINA = re.compile(r"[\u4e00-\u9fff]|\bCN\b|china|shenzhen|shanghai|guangzhou|hangzhou|yiwu|dongguan|beijing|hong kong|\bHK\b",
                    re.IGNORECASE)


@dataclass(frozen=True)
class PasteImport:
    """Events read from pasted text, and every line that could not be read (never dropped silently)."""

    events: list[TrackingEvent]
    problems: list[tuple[int, str, str]]  # (line number, line, why)


def _zone(text: str, default: tzinfo) -> tzinfo:
    text = text[:300]  # the place name sits in the location or the start of the description
    if _KOREA.search(text):
        return ZoneInfo("Asia/Seoul")
    if _CHINA.search(text):
        return ZoneInfo("Asia/Shanghai")
    return default


def _offset(value: str) -> tzinfo:
    sign = -1 if value.startswith("-") else 1
    digits = value[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"offset {value} is not a time zone (at most ±14:00)")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _find_time(line: str) -> tuple[re.Match[str], dict[str, str]] | None:
    if not _HAS_TIME.search(line):  # every form ends in a time: skip the four scans
        return None
    for form in _DATE_FORMS:
        m = form.search(line)
        if m:
            return m, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def _split(rest: str) -> tuple[str | None, str]:
    rest = rest.strip(" \t-–—|:,")
    bracket = re.match(r"^\[(?P<loc>[^\]]+)\]\s*(?P<desc>.+)$", rest)
    if bracket:
        return bracket.group("loc").strip(), bracket.group("desc").strip()
    fields = [f.strip() for f in re.split(r"\t+|\s\|\s|\s{3,}", rest) if f.strip()]
    if len(fields) >= 2:
        return fields[0], " ".join(fields[1:])
    return None, rest


def _check_size(text: str, max_chars: int | None, what: str) -> None:
    if not isinstance(text, str):
        raise TrackingError(f"{what}: expected text, got {type(text).__name__}")
    if max_chars is not None and len(text) > max_chars:
        raise TrackingError(f"{what} is {len(text):,} characters long; at most {max_chars:,} are read. "
                            "Copy only the tracking history (the list of dated events)")


def parse_paste(text: str, *, tz: str = "Asia/Seoul", carrier: str | None = None, max_chars: int | None = MAX_PASTE_CHARS,
                max_line: int | None = MAX_LINE_CHARS) -> PasteImport:
    """Events from text pasted from a tracking page (AliExpress/Cainiao, Korean carriers, 17TRACK).

    Each event line holds a date and time (``2026-06-09 15:20``, ``2026.06.09 15:20``,
    ``2026년 6월 9일 15:20``, ``06/09/2026 15:20``, ``Jun 9, 2026 15:20``), then a
    location (``[Incheon]``, or the first of tab/``|``-separated fields) and the
    description. Times without an offset are read in the place's zone (Korean or
    Chinese place names), else in ``tz``. A line holding only a date takes the
    next line as its description.

    Runs in linear time. Text above ``max_chars`` is a ``TrackingError``; a
    line above ``max_line`` is reported in ``problems`` without being scanned.
    """
    _check_size(text, max_chars, "the pasted text")
    default = ZoneInfo(tz)
    events: list[TrackingEvent] = []
    problems: list[tuple[int, str, str]] = []
    pending: tuple[int, str, dict[str, str]] | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        if max_line is not None and len(line) > max_line:
            problems.append((number, line[:80] + "…", f"line is {len(line):,} characters long; at most {max_line:,} are read"))
            continue
        found = _find_time(line)
        if found is None:
            if pending is not None:
                try:
                    events.append(_event(pending[2], line, default, carrier))
                except ValueError as error:
                    problems.append((pending[0], pending[1], f"not a real date/time ({error})"))
                pending = None
            else:
                problems.append((number, line, "no date and time found"))
            continue
        if pending is not None:
            problems.append((pending[0], pending[1], "a date with no description"))
            pending = None
        m, parts = found
        rest = (line[: m.start()] + " " + line[m.end():]).strip()
        if not rest.strip(" \t-–—|:,"):
            pending = (number, line, parts)
            continue
        try:
            events.append(_event(parts, rest, default, carrier))
        except ValueError as error:
            problems.append((number, line, f"not a real date/time ({error})"))
    if pending is not None:
        problems.append((pending[0], pending[1], "a date with no description"))
    events.sort(key=lambda e: e.time, reverse=True)
    return PasteImport(events, problems)


def _event(parts: dict[str, str], rest: str, default: tzinfo, carrier: str | None) -> TrackingEvent:
    month = int(parts["m"]) if "m" in parts else _MONTHS.get(parts.get("mon", "").lower()[:3], 0)
    if not month:
        raise ValueError(f"unknown month {parts.get('mon')!r}")
    location, description = _split(rest[: 2 * LINE_MAX])  # the description is clipped to LINE_MAX anyway
    description = clip(description, LINE_MAX)
    zone = _offset(parts["off"]) if "off" in parts else _zone(f"{location or ''} {description}", default)
    moment = datetime(int(parts["y"]), month, int(parts["d"]), int(parts["h"]), int(parts["mi"]), int(parts.get("s", 0)),
                      tzinfo=zone)
    return _make_event(moment, description, location, classify(description), carrier)


def _make_event(moment: datetime, description: str, location: str | None, status: tuple[TrackingStatus, str, str | None],
                carrier: str | None) -> TrackingEvent:
    """An event from outside text: dates outside 2000..2100 are a ``ValueError``, long text is clipped."""
    if not DATE_MIN <= moment.date() <= DATE_MAX:
        raise ValueError(f"{moment:%Y-%m-%d} is outside {DATE_MIN}..{DATE_MAX}")
    return TrackingEvent(time=moment, description=clip(description, LINE_MAX), status=status[0], sub_status=status[1],
                         location=clip(location, TITLE_MAX) if location else None, stage=status[2],
                         carrier=clip(carrier, TITLE_MAX) if carrier else None)


def parse_csv(text: str, *, tz: str = "Asia/Seoul", carrier: str | None = None,
              max_chars: int | None = MAX_PASTE_CHARS) -> PasteImport:
    """Events from CSV with columns ``time, description[, location, status]`` (a header row is required)."""
    _check_size(text, max_chars, "the CSV")
    try:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"time", "description"} <= {f.strip().lower() for f in reader.fieldnames}:
            shown = [clip(str(f), 40) for f in (reader.fieldnames or [])[:10]]
            raise TrackingError(f"CSV needs a header with at least 'time' and 'description'; got {shown}")
        rows = [{(k or "").strip().lower(): (v if isinstance(v, str) else "").strip() for k, v in row.items()
                 if isinstance(k, str) or k is None} for row in reader]
    except csv.Error as error:
        raise TrackingError(f"CSV cannot be read ({error})") from None
    return _from_rows(rows, tz=tz, carrier=carrier, first_line=2)


def parse_json(text: str, *, tz: str = "Asia/Seoul", carrier: str | None = None,
               max_chars: int | None = MAX_PASTE_CHARS) -> PasteImport:
    """Events from JSON: a list of ``{time, description, location?, status?}`` (or ``{"events": [...]}``)."""
    _check_size(text, max_chars, "the JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TrackingError(f"not valid JSON ({error})") from None
    except RecursionError:
        raise TrackingError("JSON nested too deeply to be a list of events") from None
    rows = data.get("events") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise TrackingError("JSON must be a list of events or an object with an 'events' list")
    return _from_rows([r if isinstance(r, dict) else {} for r in rows], tz=tz, carrier=carrier, first_line=1)


def _from_rows(rows: list[dict[str, Any]], *, tz: str, carrier: str | None, first_line: int) -> PasteImport:
    default = ZoneInfo(tz)
    events, problems = [], []
    for n, row in enumerate(rows, start=first_line):
        shown = _shown(row)
        text = _text(row.get("time"))
        description = _text(row.get("description")).strip()
        if not description:
            problems.append((n, shown, "no description"))
            continue
        if len(text) > 100:
            problems.append((n, shown, f"time is {len(text):,} characters long; not a date and time"))
            continue
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            found = _find_time(text)
            if found is None:
                problems.append((n, shown, f"time {text!r} is not a date and time"))
                continue
            try:
                moment = _event(found[1], description, default, carrier).time
            except ValueError as error:
                problems.append((n, shown, str(error)))
                continue
        location = _text(row.get("location")) or None
        stage = row.get("status") or row.get("stage")
        try:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_zone(f"{location or ''} {description}", default))
            status = normalise_status(stage if isinstance(stage, str) else None, description)
            events.append(_make_event(moment, description, location, status, carrier))
        except ValueError as error:  # also pydantic's ValidationError
            problems.append((n, shown, f"not a usable event ({clip(' '.join(str(error).split()), 200)})"))
    events.sort(key=lambda e: e.time, reverse=True)
    return PasteImport(events, problems)


def _text(value: Any) -> str:
    """A row value as text; nested JSON structures are not text."""
    return value if isinstance(value, str) else "" if value is None or isinstance(value, (dict, list)) else str(value)


def _shown(row: dict[str, Any]) -> str:
    try:
        return clip(json.dumps(row, ensure_ascii=False, default=str), 200)
    except (ValueError, RecursionError):
        return "(unreadable row)"


def parse_text(text: str, *, tz: str = "Asia/Seoul", carrier: str | None = None) -> PasteImport:
    """JSON, CSV (``time,...`` header) or pasted page text, told apart by the first characters."""
    _check_size(text, MAX_PASTE_CHARS, "the pasted text")
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return parse_json(text, tz=tz, carrier=carrier)
    if stripped.lower().startswith(("time,", "time;")):
        return parse_csv(text, tz=tz, carrier=carrier)
    return parse_paste(text, tz=tz, carrier=carrier)


class OfflineProvider:
    """Tracking from text the shopper pasted (or CSV/JSON): no network, no key.

    ``pastes`` maps a number to the text copied from its tracking page; a
    number without one gets a result that says how to provide it.
    """

    name = "offline"

    def __init__(self, pastes: dict[str, str] | None = None, *, tz: str = "Asia/Seoul") -> None:
        self.pastes = dict(pastes or {})
        self.tz = tz
        self.problems: dict[str, list[tuple[int, str, str]]] = {}

    def track(self, numbers: list[str]) -> list[TrackingResult]:
        from .numbers import parse

        results = []
        for number in numbers:
            parsed = parse(number)
            key = parsed.number or number
            carrier = parsed.carrier
            text = self.pastes.get(key, self.pastes.get(number))
            if text is None:
                results.append(TrackingResult(number=key, carrier=carrier, source=self.name, error=ResultError(
                    code="no_data", message="no tracking data: paste the tracking page text (--paste FILE) "
                                            "or use --provider 17track")))
                continue
            try:
                imported = parse_text(text, tz=self.tz, carrier=carrier)
            except TrackingError as error:
                results.append(TrackingResult(number=key, carrier=carrier, source=self.name, error=ResultError(
                    code="bad_paste", message=str(error))))
                continue
            self.problems[key] = imported.problems
            status, sub_status = overall_status(imported.events)
            results.append(TrackingResult(number=key, carrier=carrier, status=status, sub_status=sub_status,
                                          events=imported.events, source=self.name))
        return results
