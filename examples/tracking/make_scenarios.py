"""Regenerate the tracking scenarios from one event list each.

Writes, for every scenario, the 17TRACK ``gettrackinfo`` item the local test
server serves (``17track/<name>.json``) and the text a shopper would copy
from the tracking page (``paste/<name>.txt``), plus UNI-PASS answers
(``unipass/*.xml``). The outputs are committed; run this only to change them:

    python examples/tracking/make_scenarios.py
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).parent
CN, KR = "+08:00", "+09:00"

# (local time, offset, location, description, 17TRACK stage or None)
SCENARIOS = {
    "customs-stuck": {
        "number": "LP00081234567890", "carrier": 190271, "status": ("InTransit", "InTransit_CustomsProcessing"),
        "events": [
            ("2026-06-10 09:00:00", CN, "Shenzhen, CN", "Shipping information received", "InfoReceived"),
            ("2026-06-11 14:30:00", CN, "Shenzhen, CN", "Accepted by carrier", "PickedUp"),
            ("2026-06-13 22:10:00", CN, "Shanghai, CN", "Departed from origin country", "Departure"),
            ("2026-06-15 07:40:00", KR, "Incheon, KR", "Arrived at destination country", "Arrival"),
            ("2026-06-15 11:00:00", KR, "Incheon, KR", "Import customs clearance in progress", None),
        ],
    },
    "silent-20-days": {
        "number": "RR512004737CN", "carrier": 3011, "status": ("InTransit", "InTransit_Departure"),
        "events": [
            ("2026-05-12 10:00:00", CN, "Yiwu, CN", "Shipping information received", "InfoReceived"),
            ("2026-05-13 16:20:00", CN, "Yiwu, CN", "Accepted by carrier", None),
            ("2026-05-24 03:15:00", CN, "Shanghai, CN", "Departed from origin country", None),
        ],
    },
    "delivered": {
        "number": "YT2229521272164447", "carrier": 190107, "status": ("Delivered", "Delivered_Other"),
        "events": [
            ("2026-06-01 12:00:00", CN, "Shenzhen, CN", "Shipping information received", "InfoReceived"),
            ("2026-06-02 09:30:00", CN, "Shenzhen, CN", "Accepted by carrier", "PickedUp"),
            ("2026-06-03 20:00:00", CN, "Shenzhen, CN", "Departed from origin country", "Departure"),
            ("2026-06-05 06:10:00", KR, "Incheon, KR", "Arrived at destination country", "Arrival"),
            ("2026-06-05 15:00:00", KR, "Incheon, KR", "Import customs clearance in progress", None),
            ("2026-06-06 10:20:00", KR, "Incheon, KR", "Customs clearance completed", None),
            ("2026-06-07 08:05:00", KR, "Seoul, KR", "Out for delivery (CJ Logistics 630098765432)", "OutForDelivery"),
            ("2026-06-07 18:20:00", KR, "Seoul, KR", "Delivered, left at the door", "Delivered"),
        ],
    },
    "lost-returned": {
        "number": "LX733110855CN", "carrier": 3011, "status": ("Exception", "Exception_Returned"),
        "events": [
            ("2026-04-02 11:00:00", CN, "Guangzhou, CN", "Shipping information received", "InfoReceived"),
            ("2026-04-03 09:00:00", CN, "Guangzhou, CN", "Accepted by carrier", "PickedUp"),
            ("2026-04-20 13:00:00", CN, "Guangzhou, CN", "Parcel is being returned to sender: export inspection failed", "Returning"),
            ("2026-04-28 17:45:00", CN, "Guangzhou, CN", "Returned to sender", "Returned"),
        ],
    },
    "unknown-number": {
        "number": "LP00099999999999", "carrier": 190271, "status": ("NotFound", "NotFound_Other"), "events": [],
    },
}

UNIPASS = {
    # hblNo: (year, summary status, [(YYYYMMDDHHMMSS, step, shed, note)])
    "YT2229521272164447": (2026, "수입신고수리", [
        ("20260605150000", "입항보고 수리", "인천공항 화물터미널", ""),
        ("20260605162000", "반입신고", "인천공항 특송장", ""),
        ("20260606093000", "수입신고", "인천공항 특송장", ""),
        ("20260606102000", "수입신고수리", "인천공항 특송장", ""),
        ("20260606141000", "반출신고", "인천공항 특송장", "수입신고 수리후 반출"),
    ]),
    "LP00081234567890": (2026, "수입신고 진행중", [
        ("20260615110000", "입항보고 수리", "인천항 해상특송장", ""),
        ("20260615143000", "반입신고", "인천항 해상특송장", ""),
        ("20260616100000", "검사대상 선별", "인천항 해상특송장", "X-ray 검사 대상"),
    ]),
}


def iso(local: str, offset: str) -> str:
    return local.replace(" ", "T") + offset


def utc(local: str, offset: str) -> str:
    from datetime import timezone

    return datetime.fromisoformat(iso(local, offset)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def track_info(spec: dict) -> dict:
    events = [
        {"time_iso": iso(t, o), "time_utc": utc(t, o), "description": d, "location": loc, "stage": stage,
         "address": {"country": loc[-2:], "state": None, "city": loc.split(",")[0], "street": None, "postal_code": None}}
        for t, o, loc, d, stage in reversed(spec["events"])
    ]
    status, sub = spec["status"]
    return {
        "number": spec["number"], "carrier": spec["carrier"], "param": None, "tag": None,
        "track_info": {
            "latest_status": {"status": status, "sub_status": sub, "sub_status_descr": None},
            "latest_event": events[0] if events else None,
            "time_metrics": {"days_after_order": None, "days_of_transit": None, "days_after_last_update": None},
            "milestone": [],
            "tracking": {"providers_hash": 0, "providers": [{
                "provider": {"key": spec["carrier"], "name": "scenario", "alias": None, "country": ""},
                "service_type": None, "latest_sync_status": "Success", "events": events}] if events else []},
        },
    }


def paste(spec: dict) -> str:
    lines = [f"Tracking number: {spec['number']}", "Logistics status"]
    for t, _o, loc, d, _stage in reversed(spec["events"]):
        lines.append(f"{t} [{loc}] {d}")
    if not spec["events"]:
        lines.append("No tracking information yet")
    return "\n".join(lines) + "\n"


def unipass_xml(number: str, year: int, status: str, steps: list) -> str:
    details = "".join(
        f"<cargCsclPrgsInfoDtlQryVo><cargTrcnRelaBsopTpcd>{step}</cargTrcnRelaBsopTpcd><prcsDttm>{when}</prcsDttm>"
        f"<shedNm>{shed}</shedNm><rlbrCn>{note}</rlbrCn></cargCsclPrgsInfoDtlQryVo>"
        for when, step, shed, note in steps
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><cargCsclPrgsInfoQryRtnVo><ntceInfo></ntceInfo><tCnt>1</tCnt>'
            f"<cargCsclPrgsInfoQryVo><hblNo>{number}</hblNo><csclPrgsStts>{status}</csclPrgsStts><prnm>GOODS</prnm>"
            f"<etprCstm>인천세관</etprCstm><blYy>{year}</blYy></cargCsclPrgsInfoQryVo>{details}</cargCsclPrgsInfoQryRtnVo>\n")


def main() -> None:
    for folder in ("17track", "paste", "unipass"):
        (HERE / folder).mkdir(exist_ok=True)
    for name, spec in SCENARIOS.items():
        (HERE / "17track" / f"{name}.json").write_text(json.dumps(track_info(spec), indent=2, ensure_ascii=False) + "\n", "utf-8")
        (HERE / "paste" / f"{name}.txt").write_text(paste(spec), "utf-8")
    for number, (year, status, steps) in UNIPASS.items():
        (HERE / "unipass" / f"{number}-{year}.xml").write_text(unipass_xml(number, year, status, steps), "utf-8")


if __name__ == "__main__":
    main()
