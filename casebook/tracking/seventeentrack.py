"""17TRACK Tracking API v2.2 client (sync and async), over httpx.

Facts followed (17TRACK Tracking API v2.2, https://api.17track.net/en/doc?version=v2.2): every endpoint is a POST with a JSON
array body and the ``17token`` header; at most 40 numbers per request
(``-18010014`` past that); 3 requests per second (HTTP 429 past that);
per-number ``accepted``/``rejected`` lists; ``-18019901`` (already registered)
is success. Numbers are registered before they are queried.

The client never raises for a server or network fault: each number's result
carries an ``error`` instead, so one bad batch never costs the others. The
token is a ``Secret``: it appears only in the request header.

Nothing waits unboundedly: each request has a total deadline (not only
per-read timeouts) and a size cap, ``Retry-After`` is capped at
``retry_after_max`` (60 s) and all retries of one call fit in
``retry_budget`` (120 s). An answer of the wrong shape (``data`` not an
object, ``accepted`` not a list, events not a list, a time that is not text
…) becomes a ``ResultError`` ("malformed") for the numbers concerned;
``read_register_answer``/``read_track_answer`` raise only ``ProviderError``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import stamina

from pydantic import ValidationError

from ..config import Secret, check_base_url, check_token, redact
from ..errors import ConfigError, ProviderError
from ..models import DATE_MAX, DATE_MIN, LINE_MAX, TITLE_MAX, TrackingEvent, TrackingStatus, clip, utc_now
from .providers import ResultError, TrackingResult, normalise_status

__all__ = ["SeventeenTrack", "AsyncSeventeenTrack", "RateLimiter", "CallFailed", "DEFAULT_BASE_URL", "MAX_BATCH", "ERRORS",
           "RETRY_AFTER_MAX", "RETRY_BUDGET", "MAX_ANSWER_BYTES", "read_register_answer", "read_track_answer",
           "check_answer", "result_from_track_info"]

DEFAULT_BASE_URL = "https://api.17track.net/track/v2.2"
MAX_BATCH = 40
DEFAULT_RATE = 3.0
RETRY_AFTER_MAX = 60.0  # seconds: a server asking for an hour (or 2099) is not obeyed
RETRY_BUDGET = 120.0  # seconds: all the retries of one call, waits included
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # 40 numbers' histories are well under 1 MB
log = logging.getLogger("casebook.tracking.17track")

# 17TRACK code -> (our short code, what the shopper should know). Source: 17TRACK API v2.2 error codes (https://api.17track.net/en/doc?version=v2.2; also https://github.com/grapeot/track17-skill).
ERRORS: dict[int, tuple[str, str]] = {
    -18010001: ("auth", "17TRACK refused the request: this machine's IP is not in the key's whitelist (17TRACK dashboard)"),
    -18010002: ("auth", "17TRACK refused the token (invalid security key): check SEVENTEENTRACK_TOKEN"),
    -18010004: ("auth", "17TRACK says the account is disabled"),
    -18010005: ("auth", "17TRACK refused the request (unauthorized access)"),
    -18010003: ("server_error", "17TRACK had an internal error; try again later"),
    -18010010: ("invalid_number", "17TRACK needs more data for this number"),
    -18010011: ("invalid_number", "17TRACK says this number is not valid"),
    -18010012: ("invalid_number", "17TRACK says the number's format is invalid (5-50 letters, digits, '-')"),
    -18010013: ("invalid_number", "17TRACK rejected the submitted data"),
    -18010014: ("too_many", "more than 40 numbers in one request"),
    -18010015: ("invalid_number", "17TRACK says a value is invalid"),
    -18019902: ("not_registered", "17TRACK has not registered this number yet; run the check again"),
    -18019903: ("unknown_carrier", "17TRACK cannot tell which carrier this number belongs to; check the number, or ask the seller which carrier ships it"),
    -18019907: ("quota_exhausted", "the 17TRACK daily limit is reached; try again tomorrow"),
    -18019908: ("quota_exhausted", "the 17TRACK quota has run out; top it up in the dashboard or use --provider offline"),
    -18019909: ("not_yet_tracked", "no tracking information yet: carriers can take 3-7 days to show a new number"),
    -18019910: ("unknown_carrier", "17TRACK says the carrier code is wrong for this number"),
    -18019911: ("carrier_unavailable", "this carrier cannot be tracked on 17TRACK right now; try later"),
}
_OK_ON_REGISTER = {-18019901}
_RETRY_CODES = {-18010003, 429}


class RateLimiter:
    """Spaces calls at least ``1/rate`` seconds apart (thread-safe); ``delay()`` books the next slot."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ConfigError(f"rate must be positive requests per second, got {rate!r}")
        self.interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def delay(self) -> float:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
            return start - now

    def wait(self) -> None:
        pause = self.delay()
        if pause > 0:
            time.sleep(pause)


class CallFailed(ProviderError):
    """A whole request failed; ``error`` is what every number in it is told."""

    def __init__(self, code: str, message: str, *, retry: bool = False, retry_after: float | None = None) -> None:
        super().__init__(redact(message))
        self.error = ResultError(code=code, message=redact(message))
        self.retry = retry
        self.retry_after = retry_after


_CallFailed = CallFailed


def _log_retry(details: Any) -> None:
    log.info("retrying a tracking request (attempt %s, waiting %.2f s): %s", details.retry_num, details.wait_for,
             redact(str(details.caused_by)))


_HOOKS_SET = False


def _quiet_stamina() -> None:
    """Route stamina's retry notices through casebook's (redacting) logger instead of stderr."""
    global _HOOKS_SET
    if not _HOOKS_SET:
        from stamina.instrumentation import RetryHookFactory, set_on_retry_hooks

        set_on_retry_hooks([RetryHookFactory(lambda: _log_retry)])
        _HOOKS_SET = True


def _retry_hook(error: Exception) -> bool | float:
    if isinstance(error, _CallFailed) and error.retry:
        return error.retry_after if error.retry_after is not None else True
    return False


def _bounded_hook(deadline: float, cap: float, clock: Callable[[], float] | None = None) -> Callable[[Exception], bool | float]:
    """The retry decision for one call: no retry past ``deadline``, and no wait longer than ``cap`` or the time left."""

    def hook(error: Exception) -> bool | float:
        decision = _retry_hook(error)
        if decision is False:
            return False
        left = deadline - (clock or time.monotonic)()
        if left <= 0:
            return False
        if decision is True:
            return True if left >= cap else min(cap, left)
        return min(float(decision), cap, left)

    return hook


def _retry_after(value: str | None, cap: float = RETRY_AFTER_MAX) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), never more than ``cap``."""
    if not value or len(value) > 100:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - utc_now()).total_seconds()
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    if not math.isfinite(seconds):
        return None
    return min(max(0.0, seconds), cap)


def _transport_failure(error: httpx.TransportError) -> _CallFailed:
    """A network-level failure (retryable), named without the request (which carries the token)."""
    if isinstance(error, httpx.TimeoutException):
        return _CallFailed("timeout", "17TRACK did not answer in time", retry=True)
    return _CallFailed("network", f"cannot reach 17TRACK ({type(error).__name__})", retry=True)


def _interpret(response: httpx.Response, retry_after_max: float = RETRY_AFTER_MAX) -> dict[str, Any]:
    """The JSON body of a successful call, or ``CallFailed`` saying why (and whether to retry)."""
    status = response.status_code
    if status == 429:
        raise _CallFailed("rate_limited", "17TRACK rate limit hit (HTTP 429)", retry=True,
                          retry_after=_retry_after(response.headers.get("Retry-After"), retry_after_max))
    if status >= 500:
        raise _CallFailed("server_error", f"17TRACK server error (HTTP {status})", retry=True)
    if status in (401, 403):
        raise _CallFailed("auth", ERRORS[-18010002][1])
    if status == 404:
        raise _CallFailed("bad_url", "17TRACK answered 404: check SEVENTEENTRACK_BASE_URL (expected .../track/v2.2)")
    if len(response.content) > MAX_ANSWER_BYTES:
        raise _CallFailed("malformed", f"17TRACK answered with more than {MAX_ANSWER_BYTES // 2**20} MB; not read")
    try:
        data = response.json()
    except (ValueError, RecursionError):
        raise _CallFailed("malformed", "17TRACK answered with malformed data (not JSON)", retry=True) from None
    return check_answer(data)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_answer(data: Any) -> dict[str, Any]:
    """``data`` when it is a successful answer; ``CallFailed`` for an error code or an unexpected shape."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), (dict, type(None))):
        raise _CallFailed("malformed", "17TRACK answered with an unexpected shape", retry=True)
    code = _int(data.get("code"))
    if code == 0:
        return data
    errors = (data.get("data") or {}).get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    inner = _int(first.get("code")) or code
    detail = first.get("message")
    detail = clip(" ".join(detail.split()), 200) if isinstance(detail, str) else ""
    short, message = ERRORS.get(inner, ERRORS.get(code, ("provider_error", f"17TRACK error {inner}: {detail}")))  # type: ignore[arg-type]
    raise _CallFailed(short, message, retry=inner in _RETRY_CODES or code in _RETRY_CODES)


class _Shape(Exception):
    """An answer item of the wrong shape; the message names where."""


def _obj(value: Any, where: str, *, optional: bool = True) -> dict[str, Any]:
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise _Shape(f"{where} is {type(value).__name__}, not an object")
    return value


def _seq(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Shape(f"{where} is {type(value).__name__}, not a list")
    return value


def _opt_text(value: Any, where: str, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _Shape(f"{where} is {type(value).__name__}, not text")
    value = " ".join(value.split())
    return clip(value, limit) if value else None


def _parse_time(event: dict[str, Any], where: str) -> datetime | None:
    for key in ("time_iso", "time_utc"):
        value = event.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise _Shape(f"{where}.{key} is {type(value).__name__}, not text")
        if len(value) > 64:
            continue
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is not None and DATE_MIN <= moment.date() <= DATE_MAX:
            return moment
    return None


def result_from_track_info(number: str, item: dict[str, Any], *, carrier: str | None) -> TrackingResult:
    """Normalise one ``accepted`` item of ``gettrackinfo`` (events newest first, raw payload kept).

    An item of the wrong shape is a result with a ``malformed`` error naming
    where; events without a usable time (or outside 2000..2100) are skipped.
    """
    try:
        return _result_from_track_info(number, item, carrier=carrier)
    except (_Shape, ValidationError, TypeError, ValueError, AttributeError, KeyError) as error:
        detail = str(error) if isinstance(error, _Shape) else type(error).__name__
        return TrackingResult(number=number, carrier=carrier, source="17track", error=ResultError(
            code="malformed", message=redact(f"17TRACK's answer for {number} has an unexpected shape ({detail})")))


def _result_from_track_info(number: str, item: dict[str, Any], *, carrier: str | None) -> TrackingResult:
    item = _obj(item, "item", optional=False)
    if item.get("track_info") is None:
        raise _Shape("track_info is missing")
    info = _obj(item.get("track_info"), "track_info")
    latest = _obj(info.get("latest_status"), "track_info.latest_status")
    tracking = _obj(info.get("tracking"), "track_info.tracking")
    events: list[TrackingEvent] = []
    seen: set[tuple[datetime, str]] = set()
    for p, provider in enumerate(_seq(tracking.get("providers"), "track_info.tracking.providers")):
        where = f"providers[{p}]"
        provider = _obj(provider, where, optional=False)
        provider_key = _opt_text(_obj(provider.get("provider"), f"{where}.provider").get("key"), f"{where}.provider.key", 40)
        for n, raw in enumerate(_seq(provider.get("events"), f"{where}.events")):
            here = f"{where}.events[{n}]"
            raw = _obj(raw, here, optional=False)
            moment = _parse_time(raw, here)
            description = _opt_text(raw.get("description"), f"{here}.description", LINE_MAX)
            if moment is None or not description or (moment, description) in seen:
                continue
            seen.add((moment, description))
            stage = _opt_text(raw.get("stage"), f"{here}.stage", TITLE_MAX) or \
                _opt_text(raw.get("sub_status"), f"{here}.sub_status", TITLE_MAX)
            status, sub_status, text_stage = normalise_status(stage, description)
            events.append(TrackingEvent(time=moment, description=description,
                                        location=_opt_text(raw.get("location"), f"{here}.location", TITLE_MAX),
                                        status=status, sub_status=sub_status, stage=text_stage,
                                        carrier=carrier or (f"17track:{provider_key}" if provider_key else None)))
    events.sort(key=lambda e: e.time, reverse=True)
    latest_status = _opt_text(latest.get("status"), "latest_status.status", 40)
    try:
        status = TrackingStatus(latest_status or "NotFound")
    except ValueError:
        status = events[0].status if events else TrackingStatus.NOT_FOUND
    return TrackingResult(number=number, carrier=carrier, status=status,
                          sub_status=_opt_text(latest.get("sub_status"), "latest_status.sub_status", TITLE_MAX),
                          events=events, source="17track", raw=item)


def _number(item: Any) -> str | None:
    """The number an answer item is about (text or a whole number), else None."""
    if not isinstance(item, dict):
        return None
    value = item.get("number")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= 100 else None


def _items(data: dict[str, Any], key: str) -> list[Any]:
    value = (data.get("data") or {}).get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _CallFailed("malformed", f"17TRACK answered with an unexpected shape (data.{key} is not a list)", retry=True)
    return value


def read_register_answer(data: Any) -> dict[str, ResultError | None]:
    """Per number: ``None`` (registered, or already was) or why not. Raises only ``ProviderError``."""
    data = check_answer(data)
    out: dict[str, ResultError | None] = {}
    for item in _items(data, "accepted"):
        number = _number(item)
        if number is not None:
            out[number] = None
    for item in _items(data, "rejected"):
        number = _number(item)
        if number is not None:
            code = _int((item.get("error") or {}).get("code")) if isinstance(item.get("error"), (dict, type(None))) else None
            out[number] = None if code in _OK_ON_REGISTER else _rejection(item)
    return out


def read_track_answer(data: Any, carriers: dict[str, str | None] | None = None) -> dict[str, TrackingResult | ResultError]:
    """Per number: its normalised result or why it failed. Raises only ``ProviderError``."""
    data = check_answer(data)
    carriers = carriers or {}
    out: dict[str, TrackingResult | ResultError] = {}
    for item in _items(data, "accepted"):
        number = _number(item)
        if number is not None:
            result = result_from_track_info(number, item, carrier=carriers.get(number))
            out[number] = result.error if result.error is not None else result
    for item in _items(data, "rejected"):
        number = _number(item)
        if number is not None:
            out[number] = _rejection(item)
    return out


def _rejection(item: dict[str, Any]) -> ResultError:
    error = item.get("error") if isinstance(item.get("error"), dict) else {}
    code = _int(error.get("code"))
    detail = error.get("message")
    detail = clip(" ".join(detail.split()), 200) if isinstance(detail, str) else ""
    short, message = ERRORS.get(code, ("provider_error", f"17TRACK error {code}: {detail}"))  # type: ignore[arg-type]
    return ResultError(code=short, message=redact(message))


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Base:
    name = "17track"

    def __init__(self, token: Secret | str | None, *, base_url: str | None, batch_size: int, rate: float,
                 attempts: int, timeout: float, wait_max: float, retry_after_max: float = RETRY_AFTER_MAX,
                 retry_budget: float = RETRY_BUDGET) -> None:
        if token is None:
            raise ConfigError("no 17TRACK token: set SEVENTEENTRACK_TOKEN (or [secrets] seventeentrack_token in casebook.toml)")
        self.token = check_token(token if isinstance(token, Secret) else Secret(token), "SEVENTEENTRACK_TOKEN")
        self.base_url = check_base_url(base_url or DEFAULT_BASE_URL, "SEVENTEENTRACK_BASE_URL")
        if not 1 <= batch_size <= MAX_BATCH:
            raise ConfigError(f"batch_size must be 1-{MAX_BATCH} (17TRACK's limit), got {batch_size}")
        for name, value in (("timeout", timeout), ("wait_max", wait_max), ("retry_after_max", retry_after_max),
                            ("retry_budget", retry_budget)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ConfigError(f"{name} must be a positive number of seconds, got {value!r}")
        if not isinstance(attempts, int) or not 1 <= attempts <= 20:
            raise ConfigError(f"attempts must be a whole number 1-20, got {attempts!r}")
        self.batch_size = batch_size
        self.limiter = RateLimiter(rate)
        self.attempts = attempts
        self.timeout = timeout
        self.wait_max = wait_max
        self.retry_after_max = retry_after_max
        self.retry_budget = retry_budget
        self.requests_sent = 0
        _quiet_stamina()

    def _headers(self) -> dict[str, str]:
        return {"17token": self.token.reveal(), "Content-Type": "application/json"}

    def _retry(self) -> Any:
        hook = _bounded_hook(time.monotonic() + self.retry_budget, self.retry_after_max)
        return stamina.retry_context(on=hook, attempts=self.attempts, timeout=self.retry_budget, wait_initial=0.35,
                                     wait_max=min(self.wait_max, self.retry_after_max), wait_jitter=0.25)

    def _too_slow(self, started: float) -> None:
        if time.monotonic() - started > self.timeout:
            raise _CallFailed("timeout", "17TRACK did not answer in time", retry=True)

    def _finish(self, response: httpx.Response, chunks: list[bytes]) -> dict[str, Any]:
        content = b"".join(chunks)  # already decoded: keep only the headers _interpret reads
        kept = {k: v for k, v in response.headers.items() if k.lower() in ("retry-after", "content-type")}
        bounded = httpx.Response(response.status_code, headers=kept, content=content)
        return _interpret(bounded, self.retry_after_max)

    def _plan(self, numbers: Iterable[str]) -> tuple[list[str], dict[str, str | None]]:
        from .numbers import parse

        ordered: list[str] = []
        carriers: dict[str, str | None] = {}
        for number in numbers:
            parsed = parse(number)
            key = parsed.number or number.strip()
            if key not in carriers:
                ordered.append(key)
                carriers[key] = parsed.carrier
        return ordered, carriers

    def _collect(self, ordered: list[str], carriers: dict[str, str | None], registered: dict[str, ResultError | None],
                 info: dict[str, TrackingResult | ResultError]) -> list[TrackingResult]:
        results = []
        for number in ordered:
            found = info.get(number) or registered.get(number) or ResultError(code="provider_error", message="no answer for this number")
            if isinstance(found, TrackingResult):
                found.carrier = carriers[number] or found.carrier
                results.append(found)
            else:
                results.append(TrackingResult(number=number, carrier=carriers[number], source=self.name, error=found))
        log.info("17TRACK: %d number(s), %d request(s) so far", len(ordered), self.requests_sent)
        return results

    @staticmethod
    def _registered(data: dict[str, Any], out: dict[str, ResultError | None]) -> None:
        out.update(read_register_answer(data))

    @staticmethod
    def _tracked(data: dict[str, Any], carriers: dict[str, str | None], out: dict[str, TrackingResult | ResultError]) -> None:
        out.update(read_track_answer(data, carriers))


class SeventeenTrack(_Base):
    """Synchronous client. ``client``/``transport`` are injectable (tests use a local server or MockTransport)."""

    def __init__(self, token: Secret | str | None = None, *, base_url: str | None = None,
                 client: httpx.Client | None = None, transport: httpx.BaseTransport | None = None,
                 batch_size: int = MAX_BATCH, rate: float = DEFAULT_RATE, attempts: int = 4, timeout: float = 15.0,
                 wait_max: float = 10.0, retry_after_max: float = RETRY_AFTER_MAX, retry_budget: float = RETRY_BUDGET) -> None:
        super().__init__(token, base_url=base_url, batch_size=batch_size, rate=rate, attempts=attempts,
                         timeout=timeout, wait_max=wait_max, retry_after_max=retry_after_max, retry_budget=retry_budget)
        self._client = client or httpx.Client(transport=transport, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "SeventeenTrack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, endpoint: str, body: Any) -> dict[str, Any]:
        """One API call with rate limiting and retries; raises ``CallFailed`` when it finally fails."""
        url = f"{self.base_url}/{endpoint}"
        for attempt in self._retry():
            with attempt:
                self.limiter.wait()
                self.requests_sent += 1
                return self._post(url, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(self, url: str, body: Any) -> dict[str, Any]:
        """One request, read with a total deadline and a size cap (per-read timeouts alone let a dripping server stall us)."""
        started = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        try:
            with self._client.stream("POST", url, json=body, headers=self._headers(), timeout=self.timeout) as response:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_ANSWER_BYTES:
                        raise _CallFailed("malformed", f"17TRACK answered with more than {MAX_ANSWER_BYTES // 2**20} MB")
                    chunks.append(chunk)
                    self._too_slow(started)
        except httpx.TransportError as error:
            raise _transport_failure(error) from None
        except httpx.StreamError as error:
            raise _CallFailed("network", f"cannot read 17TRACK's answer ({type(error).__name__})", retry=True) from None
        return self._finish(response, chunks)

    def register(self, numbers: list[str]) -> dict[str, ResultError | None]:
        """Register numbers (batched); ``None`` means registered (or already was)."""
        out: dict[str, ResultError | None] = {}
        for batch in _batches(numbers, self.batch_size):
            try:
                self._registered(self.call("register", [{"number": n} for n in batch]), out)
            except _CallFailed as failure:
                out.update({n: failure.error for n in batch})
        return out

    def track(self, numbers: list[str]) -> list[TrackingResult]:
        """Register, then query, every number; one result per distinct number, in order."""
        ordered, carriers = self._plan(numbers)
        registered = self.register(ordered)
        ready = [n for n in ordered if registered.get(n) is None]
        info: dict[str, TrackingResult | ResultError] = {}
        for batch in _batches(ready, self.batch_size):
            try:
                self._tracked(self.call("gettrackinfo", [{"number": n} for n in batch]), carriers, info)
            except _CallFailed as failure:
                info.update({n: failure.error for n in batch})
        return self._collect(ordered, carriers, registered, info)

    def quota(self) -> dict[str, Any]:
        """Remaining quota (``quota_total``, ``quota_used``, ``quota_remain`` …)."""
        try:
            return dict(self.call("getquota", []).get("data") or {})
        except _CallFailed as failure:
            return {"error": failure.error.message}

    def _each(self, endpoint: str, items: list[dict[str, Any]]) -> dict[str, ResultError | None]:
        out: dict[str, ResultError | None] = {}
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            try:
                self._registered(self.call(endpoint, batch), out)
            except _CallFailed as failure:
                out.update({str(item["number"]): failure.error for item in batch})
        return out

    def stop(self, numbers: list[str]) -> dict[str, ResultError | None]:
        """Stop tracking (kept queryable for 90 days); ``None`` means done."""
        return self._each("stoptrack", [{"number": n} for n in numbers])

    def retrack(self, numbers: list[str]) -> dict[str, ResultError | None]:
        """Restart stopped numbers (17TRACK allows this once per number)."""
        return self._each("retrack", [{"number": n} for n in numbers])

    def delete(self, numbers: list[str]) -> dict[str, ResultError | None]:
        """Delete numbers from the account: immediate and irreversible."""
        return self._each("deletetrack", [{"number": n} for n in numbers])

    def change_carrier(self, number: str, old: int, new: int) -> ResultError | None:
        """Correct the carrier 17TRACK detected (free; at most 5 changes per number)."""
        return self._each("changecarrier", [{"number": number, "carrier_old": old, "carrier_new": new}]).get(number)

    def track_list(self, page: int = 1, **filters: Any) -> dict[str, Any]:
        """One page (40) of the account's numbers; filters as in the API (``package_status`` …)."""
        try:
            return dict(self.call("gettracklist", {"page_no": page, **filters}).get("data") or {})
        except _CallFailed as failure:
            return {"error": failure.error.message}


class AsyncSeventeenTrack(_Base):
    """The same client for asyncio code (``await client.track(numbers)``)."""

    def __init__(self, token: Secret | str | None = None, *, base_url: str | None = None,
                 client: httpx.AsyncClient | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 batch_size: int = MAX_BATCH, rate: float = DEFAULT_RATE, attempts: int = 4, timeout: float = 15.0,
                 wait_max: float = 10.0, retry_after_max: float = RETRY_AFTER_MAX, retry_budget: float = RETRY_BUDGET) -> None:
        super().__init__(token, base_url=base_url, batch_size=batch_size, rate=rate, attempts=attempts,
                         timeout=timeout, wait_max=wait_max, retry_after_max=retry_after_max, retry_budget=retry_budget)
        self._client = client or httpx.AsyncClient(transport=transport, timeout=timeout)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> "AsyncSeventeenTrack":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def call(self, endpoint: str, body: Any) -> dict[str, Any]:
        url = f"{self.base_url}/{endpoint}"
        async for attempt in self._retry():
            with attempt:
                pause = self.limiter.delay()
                if pause > 0:
                    await asyncio.sleep(pause)
                self.requests_sent += 1
                return await self._post(url, body)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _post(self, url: str, body: Any) -> dict[str, Any]:
        started = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("POST", url, json=body, headers=self._headers(),
                                               timeout=self.timeout) as response:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > MAX_ANSWER_BYTES:
                            raise _CallFailed("malformed", f"17TRACK answered with more than {MAX_ANSWER_BYTES // 2**20} MB")
                        chunks.append(chunk)
                        self._too_slow(started)
        except TimeoutError:
            raise _CallFailed("timeout", "17TRACK did not answer in time", retry=True) from None
        except httpx.TransportError as error:
            raise _transport_failure(error) from None
        except httpx.StreamError as error:
            raise _CallFailed("network", f"cannot read 17TRACK's answer ({type(error).__name__})", retry=True) from None
        return self._finish(response, chunks)

    async def register(self, numbers: list[str]) -> dict[str, ResultError | None]:
        out: dict[str, ResultError | None] = {}
        for batch in _batches(numbers, self.batch_size):
            try:
                self._registered(await self.call("register", [{"number": n} for n in batch]), out)
            except _CallFailed as failure:
                out.update({n: failure.error for n in batch})
        return out

    async def track(self, numbers: list[str]) -> list[TrackingResult]:
        ordered, carriers = self._plan(numbers)
        registered = await self.register(ordered)
        ready = [n for n in ordered if registered.get(n) is None]
        info: dict[str, TrackingResult | ResultError] = {}
        for batch in _batches(ready, self.batch_size):
            try:
                self._tracked(await self.call("gettrackinfo", [{"number": n} for n in batch]), carriers, info)
            except _CallFailed as failure:
                info.update({n: failure.error for n in batch})
        return self._collect(ordered, carriers, registered, info)


def requests_needed(count: int, batch_size: int = MAX_BATCH) -> int:
    """Register + gettrackinfo calls for ``count`` distinct numbers: the floor a benchmark compares with."""
    return 2 * math.ceil(count / batch_size)


