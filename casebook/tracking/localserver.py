"""A local server that speaks 17TRACK v2.2 and UNI-PASS, for tests and offline demos.

Stdlib only (``ThreadingHTTPServer`` on 127.0.0.1, port 0). It serves the
scenarios in ``examples/tracking/`` (any other well-formed number gets a
plain in-transit history), keeps register state, enforces the documented
40-numbers-per-request and a requests-per-second limit, and injects faults
on demand: ``429`` (with ``Retry-After``), ``500``, ``slow`` (longer than the
client's timeout), ``malformed`` (not JSON), ``partial`` (half the numbers
rejected) and ``badtoken``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

__all__ = ["LocalTrackingServer", "Request"]

API_PREFIX = "/track/v2.2/"
UNIPASS_PATH = "/ext/rest/cargCsclPrgsInfoQry/retrieveCargCsclPrgsInfo"
FAULTS = ("429", "500", "slow", "malformed", "partial", "badtoken")
MAX_BODY = 1024 * 1024  # a request of 40 numbers is a few kilobytes


@dataclass(frozen=True)
class Request:
    path: str
    at: float
    count: int  # numbers in the body
    status: int


def _default_examples() -> Path:
    from ..examples import examples_dir

    return examples_dir() / "tracking"


class _Bucket:
    """Token bucket: ``rate`` requests per second, bursts up to ``rate``."""

    def __init__(self, rate: float) -> None:
        self.rate, self.tokens, self.stamp = rate, rate, time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class LocalTrackingServer:
    """``with LocalTrackingServer(token="t") as server: SeventeenTrack("t", base_url=server.url)``."""

    def __init__(self, *, token: str = "local-test-token", unipass_key: str = "local-unipass-key",
                 rate: float | None = None, max_batch: int = 40, examples: Path | None = None,
                 slow_seconds: float = 2.0, retry_after: int = 1) -> None:
        self.token = token
        self.unipass_key = unipass_key
        self.max_batch = max_batch
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.bucket = _Bucket(rate) if rate else None
        root = examples or _default_examples()
        self.scenarios: dict[str, dict[str, Any]] = {}
        for path in sorted((root / "17track").glob("*.json")):
            item = json.loads(path.read_text(encoding="utf-8"))
            self.scenarios[item["number"]] = item
        self.unipass = {path.stem: path.read_text(encoding="utf-8") for path in (root / "unipass").glob("*.xml")}
        self.registered: set[str] = set()
        self.faults: deque[str] = deque()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------
    def inject(self, fault: str, times: int = 1) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self.faults.extend([fault] * times)

    def _next_fault(self) -> str | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def start(self) -> "LocalTrackingServer":
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="local-tracking-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "LocalTrackingServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """Base URL for the 17TRACK client (``SEVENTEENTRACK_BASE_URL``)."""
        return self.root + API_PREFIX.rstrip("/")

    # -- 17TRACK -------------------------------------------------------------------------
    def _track_info(self, number: str) -> dict[str, Any]:
        if number in self.scenarios:
            return self.scenarios[number]
        seed = sum(map(ord, number))
        start = datetime(2026, 6, 1, tzinfo=timezone(timedelta(hours=8))) + timedelta(hours=seed % 200)
        events = [
            {"time_iso": (start + timedelta(days=d)).isoformat(), "time_utc": None, "description": text, "location": where,
             "stage": stage}
            for d, text, where, stage in ((2, "Departed from origin country", "Shenzhen, CN", "Departure"),
                                          (1, "Accepted by carrier", "Shenzhen, CN", "PickedUp"),
                                          (0, "Shipping information received", "Shenzhen, CN", "InfoReceived"))
        ]
        return {"number": number, "carrier": 3011, "track_info": {
            "latest_status": {"status": "InTransit", "sub_status": "InTransit_Departure"},
            "tracking": {"providers": [{"provider": {"key": 3011, "name": "generic"}, "events": events}]}}}

    def handle_api(self, endpoint: str, token: str | None, body: Any) -> tuple[int, dict[str, str], bytes]:
        fault = self._next_fault()
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if fault == "429" or (self.bucket is not None and not self.bucket.take()):
            return 429, {"Retry-After": str(self.retry_after)}, _json({"code": 429, "data": {"errors": [{"code": 429, "message": "Too many requests."}]}})
        if fault == "500":
            return 500, {}, b"internal error"
        if fault == "malformed":
            return 200, {}, b'{"code": 0, "data": {"accepted": [{'
        if fault == "badtoken" or token != self.token:
            return 200, {}, _json({"code": -18010002, "data": {"errors": [{"code": -18010002, "message": "Invalid security key."}]}})
        if endpoint == "gettracklist":
            numbers = sorted(self.registered)
            page = int((body or {}).get("page_no", 1)) if isinstance(body, dict) else 1
            chunk = numbers[(page - 1) * 40 : page * 40]
            return 200, {}, _json({"code": 0, "data": {"accepted": [{"number": n} for n in chunk], "page": {
                "page_no": page, "page_size": 40, "data_total": len(numbers), "page_total": -(-len(numbers) // 40)}}})
        if endpoint == "getquota":
            return 200, {}, _json({"code": 0, "data": {"quota_total": 100, "quota_used": len(self.registered), "quota_remain": 100 - len(self.registered)}})
        if not isinstance(body, list):
            return 200, {}, _json({"code": -18010013, "data": {"errors": [{"code": -18010013, "message": "Invalid submitted data."}]}})
        if len(body) > self.max_batch:
            return 200, {}, _json({"code": -18010014, "data": {"errors": [{"code": -18010014, "message": "Tracking numbers exceed 40 limit."}]}})
        accepted, rejected = [], []
        for n, item in enumerate(body):
            number = str((item or {}).get("number", ""))
            if fault == "partial" and n % 2 == 1:
                rejected.append({"number": number, "error": {"code": -18019909, "message": "No tracking info at the moment."}})
            elif not (5 <= len(number) <= 50) or not number.replace("-", "").isalnum():
                rejected.append({"number": number, "error": {"code": -18010012, "message": f"The format of the data '{number}' is invalid."}})
            elif endpoint == "register":
                if number.startswith("ZZ"):
                    rejected.append({"number": number, "error": {"code": -18019903, "message": "The carrier cannot be detected."}})
                elif number in self.registered:
                    rejected.append({"number": number, "error": {"code": -18019901, "message": f"Tracking number {number} is already registered."}})
                else:
                    self.registered.add(number)
                    accepted.append({"origin": 1, "number": number, "carrier": self._track_info(number)["carrier"]})
            elif endpoint == "gettrackinfo":
                if number not in self.registered:
                    rejected.append({"number": number, "error": {"code": -18019902, "message": f"Tracking number {number} is not registered yet."}})
                else:
                    accepted.append(self._track_info(number))
            elif endpoint in ("stoptrack", "retrack", "deletetrack", "changecarrier"):
                if number not in self.registered:
                    rejected.append({"number": number, "error": {"code": -18019902, "message": f"Tracking number {number} is not registered yet."}})
                else:
                    if endpoint == "deletetrack":
                        self.registered.discard(number)
                    accepted.append({"number": number})
            else:
                return 404, {}, b"not found"
        return 200, {}, _json({"code": 0, "data": {"accepted": accepted, "rejected": rejected}})

    # -- UNI-PASS ------------------------------------------------------------------------
    def handle_unipass(self, query: dict[str, list[str]]) -> bytes:
        key = (query.get("crkyCn") or [""])[0]
        number = (query.get("hblNo") or [""])[0]
        year = (query.get("blYy") or [""])[0]
        if key != self.unipass_key:
            return _xml("-1", "존재하지 않는 인증키입니다.")
        text = self.unipass.get(f"{number}-{year}")
        return text.encode("utf-8") if text else _xml("0", "[N00] 조회결과가 없습니다.")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # seconds: a client that stops sending must not hold a thread forever

            def log_message(self, *args: Any) -> None:  # keep test output (and tokens) out of stderr
                return

            def _send(self, status: int, headers: dict[str, str], payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = -1
                if not 0 <= length <= MAX_BODY:
                    self._send(413, {}, b"request body missing a valid length or too large", "text/plain")
                    return
                raw = self.rfile.read(length) if length else b""
                path = urlparse(self.path).path
                if not path.startswith(API_PREFIX):
                    self._send(404, {}, b"not found", "text/plain")
                    return
                try:
                    body = json.loads(raw or b"null")
                except (ValueError, RecursionError):
                    body = None
                arrived = time.monotonic()
                status, headers, payload = server.handle_api(path[len(API_PREFIX):], self.headers.get("17token"), body)
                with server._lock:
                    server.requests.append(Request(path, arrived, len(body) if isinstance(body, list) else 0, status))
                self._send(status, headers, payload, "application/json")

            def do_GET(self) -> None:  # noqa: N802
                parsed = urlparse(self.path)
                if parsed.path != UNIPASS_PATH:
                    self._send(404, {}, b"not found", "text/plain")
                    return
                with server._lock:
                    server.requests.append(Request(parsed.path, time.monotonic(), 1, 200))
                self._send(200, {}, server.handle_unipass(parse_qs(parsed.query)), "application/xml; charset=utf-8")

        return Handler


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _xml(count: str, notice: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><cargCsclPrgsInfoQryRtnVo><ntceInfo>{notice}</ntceInfo>'
            f"<tCnt>{count}</tCnt></cargCsclPrgsInfoQryRtnVo>").encode("utf-8")
