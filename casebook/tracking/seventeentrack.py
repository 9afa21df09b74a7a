"""17TRACK Tracking API v2.2 client (sync and async), over httpx.

Facts followed (17TRACK Tracking API v2.2, https://api.17track.net/en/doc?version=v2.2): every endpoint is a POST with a JSON
array body and the ``17token`` header; at most 40 numbers per request
(``-18010014`` past that); 3 requests per second (HTTP 429 past that);
per-number ``accepted``/``rejected`` lists; ``-18019901`` (already registered)
is success. Numbers are registered before they are queried.

The client never raises for a server or network fault: each number's result
carries an ``error`` instead, so one bad batch never costs the others. The
token is a ``Secret``: it appears only in the request header.
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

from ..config import Secret, redact
from ..errors import ConfigError
from ..models import TrackingEvent, TrackingStatus, utc_now
from .providers import ResultError, TrackingResult, normalise_status

__all__ = ["SeventeenTrack", "AsyncSeventeenTrack", "RateLimiter", "DEFAULT_BASE_URL", "MAX_BATCH", "ERRORS"]

DEFAULT_BASE_URL = "https://api.17track.net/track/v2.2"
MAX_BATCH = 40
DEFAULT_RATE = 3.0
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


class _CallFailed(Exception):
    """A whole request failed; ``error`` is what every number in it is told."""

    def __init__(self, code: str, message: str, *, retry: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.error = ResultError(code=code, message=redact(message))
        self.retry = retry
        self.retry_after = retry_after


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


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - utc_now()).total_seconds())
        except (TypeError, ValueError):
            return None


def _transport_failure(error: httpx.TransportError) -> _CallFailed:
    """A network-level failure (retryable), named without the request (which carries the token)."""
    if isinstance(error, httpx.TimeoutException):
        return _CallFailed("timeout", "17TRACK did not answer in time", retry=True)
    return _CallFailed("network", f"cannot reach 17TRACK ({type(error).__name__})", retry=True)


def _interpret(response: httpx.Response) -> dict[str, Any]:
    """The JSON body of a successful call, or ``_CallFailed`` saying why (and whether to retry)."""
    status = response.status_code
    if status == 429:
        raise _CallFailed("rate_limited", "17TRACK rate limit hit (HTTP 429)", retry=True,
                          retry_after=_retry_after(response.headers.get("Retry-After")))
    if status >= 500:
        raise _CallFailed("server_error", f"17TRACK server error (HTTP {status})", retry=True)
    if status in (401, 403):
        raise _CallFailed("auth", ERRORS[-18010002][1])
    if status == 404:
        raise _CallFailed("bad_url", "17TRACK answered 404: check SEVENTEENTRACK_BASE_URL (expected .../track/v2.2)")
    try:
        data = response.json()
    except ValueError:
        raise _CallFailed("malformed", "17TRACK answered with malformed data (not JSON)", retry=True) from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), (dict, type(None))):
        raise _CallFailed("malformed", "17TRACK answered with an unexpected shape", retry=True)
    code = data.get("code")
    if code == 0:
        return data
    errors = (data.get("data") or {}).get("errors") or [{}]
    inner = errors[0].get("code", code)
    short, message = ERRORS.get(inner, ERRORS.get(code, ("provider_error", f"17TRACK error {inner}: {errors[0].get('message', '')}")))
    raise _CallFailed(short, message, retry=inner in _RETRY_CODES or code in _RETRY_CODES)


def _parse_time(event: dict[str, Any]) -> datetime | None:
    for key in ("time_iso", "time_utc"):
        value = event.get(key)
        if value:
            try:
                moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                return moment
    return None


def result_from_track_info(number: str, item: dict[str, Any], *, carrier: str | None) -> TrackingResult:
    """Normalise one ``accepted`` item of ``gettrackinfo`` (events newest first, raw payload kept)."""
    info = item.get("track_info") or {}
    latest = info.get("latest_status") or {}
    events: list[TrackingEvent] = []
    seen: set[tuple[datetime, str]] = set()
    for provider in (info.get("tracking") or {}).get("providers") or []:
        provider_key = (provider.get("provider") or {}).get("key")
        for raw in provider.get("events") or []:
            moment = _parse_time(raw)
            description = str(raw.get("description") or "").strip()
            if moment is None or not description or (moment, description) in seen:
                continue
            seen.add((moment, description))
            status, sub_status, stage = normalise_status(raw.get("stage") or raw.get("sub_status"), description)
            events.append(TrackingEvent(time=moment, description=description, location=raw.get("location") or None,
                                        status=status, sub_status=sub_status, stage=stage,
                                        carrier=carrier or (f"17track:{provider_key}" if provider_key else None)))
    events.sort(key=lambda e: e.time, reverse=True)
    try:
        status = TrackingStatus(latest.get("status") or "NotFound")
    except ValueError:
        status = events[0].status if events else TrackingStatus.NOT_FOUND
    return TrackingResult(number=number, carrier=carrier, status=status, sub_status=latest.get("sub_status"),
                          events=events, source="17track", raw=item)


def _rejection(item: dict[str, Any]) -> ResultError:
    error = item.get("error") or {}
    code = error.get("code")
    short, message = ERRORS.get(code, ("provider_error", f"17TRACK error {code}: {error.get('message', '')}"))
    return ResultError(code=short, message=redact(message))


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Base:
    name = "17track"

    def __init__(self, token: Secret | str | None, *, base_url: str | None, batch_size: int, rate: float,
                 attempts: int, timeout: float, wait_max: float) -> None:
        if token is None:
            raise ConfigError("no 17TRACK token: set SEVENTEENTRACK_TOKEN (or [secrets] seventeentrack_token in casebook.toml)")
        self.token = token if isinstance(token, Secret) else Secret(token)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if not 1 <= batch_size <= MAX_BATCH:
            raise ConfigError(f"batch_size must be 1-{MAX_BATCH} (17TRACK's limit), got {batch_size}")
        self.batch_size = batch_size
        self.limiter = RateLimiter(rate)
        self.attempts = attempts
        self.timeout = timeout
        self.wait_max = wait_max
        self.requests_sent = 0
        _quiet_stamina()

    def _headers(self) -> dict[str, str]:
        return {"17token": self.token.reveal(), "Content-Type": "application/json"}

    def _retry(self) -> Any:
        return stamina.retry_context(on=_retry_hook, attempts=self.attempts, timeout=None, wait_initial=0.35,
                                     wait_max=self.wait_max, wait_jitter=0.25)

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
        body = data.get("data") or {}
        for item in body.get("accepted") or []:
            out[str(item.get("number"))] = None
        for item in body.get("rejected") or []:
            code = (item.get("error") or {}).get("code")
            out[str(item.get("number"))] = None if code in _OK_ON_REGISTER else _rejection(item)

    @staticmethod
    def _tracked(data: dict[str, Any], carriers: dict[str, str | None], out: dict[str, TrackingResult | ResultError]) -> None:
        body = data.get("data") or {}
        for item in body.get("accepted") or []:
            number = str(item.get("number"))
            out[number] = result_from_track_info(number, item, carrier=carriers.get(number))
        for item in body.get("rejected") or []:
            out[str(item.get("number"))] = _rejection(item)


class SeventeenTrack(_Base):
    """Synchronous client. ``client``/``transport`` are injectable (tests use a local server or MockTransport)."""

    def __init__(self, token: Secret | str | None = None, *, base_url: str | None = None,
                 client: httpx.Client | None = None, transport: httpx.BaseTransport | None = None,
                 batch_size: int = MAX_BATCH, rate: float = DEFAULT_RATE, attempts: int = 4, timeout: float = 15.0,
                 wait_max: float = 10.0) -> None:
        super().__init__(token, base_url=base_url, batch_size=batch_size, rate=rate, attempts=attempts,
                         timeout=timeout, wait_max=wait_max)
        self._client = client or httpx.Client(transport=transport, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "SeventeenTrack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, endpoint: str, body: Any) -> dict[str, Any]:
        """One API call with rate limiting and retries; raises ``_CallFailed`` when it finally fails."""
        url = f"{self.base_url}/{endpoint}"
        for attempt in self._retry():
            with attempt:
                self.limiter.wait()
                self.requests_sent += 1
                try:
                    response = self._client.post(url, json=body, headers=self._headers(), timeout=self.timeout)
                except httpx.TransportError as error:
                    raise _transport_failure(error) from None
                return _interpret(response)
        raise AssertionError("unreachable")  # pragma: no cover

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
                 wait_max: float = 10.0) -> None:
        super().__init__(token, base_url=base_url, batch_size=batch_size, rate=rate, attempts=attempts,
                         timeout=timeout, wait_max=wait_max)
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
                try:
                    response = await self._client.post(url, json=body, headers=self._headers(), timeout=self.timeout)
                except httpx.TransportError as error:
                    raise _transport_failure(error) from None
                return _interpret(response)
        raise AssertionError("unreachable")  # pragma: no cover

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


