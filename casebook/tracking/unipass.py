"""Korea Customs UNI-PASS: cargo clearance progress (화물통관진행정보), the "통관 중" step.

Facts (Korea Customs Service UNI-PASS open API, https://unipass.customs.go.kr:38010): GET ``/ext/rest/cargCsclPrgsInfoQry/retrieveCargCsclPrgsInfo``
with ``crkyCn`` (the user's own key), ``hblNo`` and ``blYy``; the answer is
XML and always HTTP 200, with ``tCnt`` 0 (not found) or -1 (error, e.g. a bad
key) in ``ntceInfo``. AliExpress tracking numbers usually work as ``hblNo``;
the current year is tried, then the previous one. The key travels in the URL,
so every message and log line is redacted.

Answers are untrusted: a DTD (entity expansion) or more than 2 MB is
refused as malformed, step texts are clipped, steps dated outside
2000..2100 are skipped, and every request has a timeout.
"""

from __future__ import annotations


import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from pydantic import ValidationError

from ..config import Secret, check_base_url, check_token, redact
from ..errors import ConfigError
from ..models import DATE_MAX, DATE_MIN, LINE_MAX, TITLE_MAX, TrackingEvent, TrackingStatus, clip, utc_now
from .providers import ResultError, TrackingResult

__all__ = ["UniPass", "parse_unipass_xml", "DEFAULT_BASE_URL", "PATH"]

DEFAULT_BASE_URL = "https://unipass.customs.go.kr:38010"
PATH = "/ext/rest/cargCsclPrgsInfoQry/retrieveCargCsclPrgsInfo"
KST = ZoneInfo("Asia/Seoul")
MAX_ANSWER_CHARS = 2 * 1024 * 1024
_RELEASED = ("수입신고수리", "반출신고", "반출완료", "통관완료")
_NEEDS_INFO = ("검사대상", "보류", "보완")


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    digits = "".join(ch for ch in value[:64] if ch in "0123456789")
    for fmt, length in (("%Y%m%d%H%M%S", 14), ("%Y%m%d%H%M", 12), ("%Y%m%d", 8)):
        if len(digits) >= length:
            try:
                moment = datetime.strptime(digits[:length], fmt).replace(tzinfo=KST)
            except ValueError:
                return None
            return moment if DATE_MIN <= moment.date() <= DATE_MAX else None
    return None


def parse_unipass_xml(number: str, text: str) -> TrackingResult:
    """One clearance answer as a result: each step an event (stage ``customs``), or an error (never raises)."""
    if len(text) > MAX_ANSWER_CHARS or "<!DOCTYPE" in text or "<!ENTITY" in text:
        return TrackingResult(number=number, source="unipass", error=ResultError(
            code="malformed", message="UNI-PASS answered with XML that is too large or declares entities; not read"))
    try:
        return _parse(number, text)
    except (ET.ParseError, ValidationError, ValueError, TypeError, RecursionError) as error:
        detail = error if isinstance(error, ET.ParseError) else type(error).__name__
        return TrackingResult(number=number, source="unipass",
                              error=ResultError(code="malformed", message=redact(f"UNI-PASS answered with malformed XML ({detail})")))


def _parse(number: str, text: str) -> TrackingResult:
    root = ET.fromstring(text)
    count = (root.findtext("tCnt") or "").strip()
    notice = (root.findtext("ntceInfo") or "").strip()
    if count == "-1":
        return TrackingResult(number=number, source="unipass", error=ResultError(
            code="auth", message=redact(f"UNI-PASS refused the request: {notice or 'error'} (check UNIPASS_API_KEY)")))
    if count in ("", "0"):
        return TrackingResult(number=number, source="unipass", status=TrackingStatus.NOT_FOUND, sub_status="NotFound_Other",
                              error=ResultError(code="not_found", message=redact(
                                  f"UNI-PASS has no clearance record for {number}: {notice or 'no result'} "
                                  "(the parcel may not have reached Korean customs yet)")))
    events = []
    for detail in root.iter("cargCsclPrgsInfoDtlQryVo"):
        step = (detail.findtext("cargTrcnRelaBsopTpcd") or "").strip()
        moment = _time(detail.findtext("prcsDttm")) or _time(detail.findtext("rlbrDttm"))
        if not step or moment is None:
            continue
        note = (detail.findtext("rlbrCn") or "").strip()
        released = any(word in step for word in _RELEASED)
        needs_info = any(word in step for word in _NEEDS_INFO)
        sub = ("InTransit_CustomsReleased" if released else
               "InTransit_CustomsRequiringInformation" if needs_info else "InTransit_CustomsProcessing")
        location = (detail.findtext("shedNm") or "").strip()
        events.append(TrackingEvent(time=moment, description=clip(step + (f" ({note})" if note else ""), LINE_MAX),
                                    location=clip(location, TITLE_MAX) if location else None,
                                    status=TrackingStatus.IN_TRANSIT, sub_status=sub, stage="customs", carrier="kr.customs"))
    events.sort(key=lambda e: e.time, reverse=True)
    summary = root.find("cargCsclPrgsInfoQryVo")
    raw: dict[str, Any] = {child.tag: (child.text or "").strip() for child in summary} if summary is not None else {}
    return TrackingResult(number=number, carrier="kr.customs", status=TrackingStatus.IN_TRANSIT,
                          sub_status=events[0].sub_status if events else "InTransit_CustomsProcessing",
                          events=events, source="unipass", raw=raw)


class UniPass:
    """Clearance progress from UNI-PASS; the key comes from ``UNIPASS_API_KEY`` or the casebook's secrets."""

    name = "unipass"

    def __init__(self, key: Secret | str | None = None, *, base_url: str | None = None,
                 client: httpx.Client | None = None, transport: httpx.BaseTransport | None = None,
                 timeout: float = 15.0, year: int | None = None) -> None:
        if key is None:
            raise ConfigError("no UNI-PASS key: set UNIPASS_API_KEY (or [secrets] unipass_key in casebook.toml)")
        self.key = check_token(key if isinstance(key, Secret) else Secret(key), "UNIPASS_API_KEY")
        self.base_url = check_base_url(base_url or DEFAULT_BASE_URL, "UNIPASS_BASE_URL")
        self.timeout = timeout
        self._client = client or httpx.Client(transport=transport, timeout=timeout)
        self.year = year

    def close(self) -> None:
        self._client.close()

    def _get(self, number: str, year: int) -> TrackingResult:
        params = {"crkyCn": self.key.reveal(), "hblNo": number, "blYy": str(year)}
        try:
            response = self._client.get(self.base_url + PATH, params=params, timeout=self.timeout)
        except httpx.TimeoutException:
            return TrackingResult(number=number, source=self.name, error=ResultError(code="timeout", message="UNI-PASS did not answer in time"))
        except httpx.TransportError as error:
            return TrackingResult(number=number, source=self.name,
                                  error=ResultError(code="network", message=f"cannot reach UNI-PASS ({type(error).__name__})"))
        if response.status_code != 200:
            return TrackingResult(number=number, source=self.name, error=ResultError(
                code="server_error", message=f"UNI-PASS answered HTTP {response.status_code}"))
        try:
            text = response.text
        except (UnicodeDecodeError, LookupError):
            return TrackingResult(number=number, source=self.name, error=ResultError(
                code="malformed", message="UNI-PASS answered with text that cannot be decoded"))
        return parse_unipass_xml(number, text)

    def track(self, numbers: list[str]) -> list[TrackingResult]:
        """Each number as a house B/L, this year first, then last year."""
        from .numbers import normalise

        year = self.year or utc_now().astimezone(KST).year
        results = []
        for raw in numbers:
            number = normalise(raw)
            result = self._get(number, year)
            if result.error is not None and result.error.code == "not_found":
                previous = self._get(number, year - 1)
                if previous.error is None or previous.error.code != "not_found":
                    result = previous
            results.append(result)
        return results
