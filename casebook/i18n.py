"""The one catalogue of user-facing strings, in Korean and English.

``t(key, lang, **values)`` formats a string; unknown keys fail loudly in tests
rather than showing a shopper a raw key.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    # readiness checks
    "check.seller_contacted": {
        "en": "Seller contacted before the dispute",
        "ko": "분쟁 전에 판매자에게 연락함",
    },
    "check.seller_contacted.fail": {
        "en": "No message to the seller is logged. Platforms refuse disputes that skip the seller (guide case D).",
        "ko": "판매자에게 보낸 메시지 기록이 없습니다. 판매자를 건너뛴 분쟁은 거절됩니다 (사례 D).",
    },
    "check.seller_contacted.late": {
        "en": "The dispute was opened on {opened} before any message to the seller ({first}).",
        "ko": "판매자에게 연락({first})하기 전에 분쟁을 열었습니다({opened}).",
    },
    "check.evidence": {"en": "Evidence the platform asks for", "ko": "플랫폼이 요구하는 증거"},
    "check.evidence.fail": {
        "en": "Missing required evidence for '{kind}': {items}.",
        "ko": "'{kind}' 문제에 필요한 증거가 없습니다: {items}.",
    },
    "check.tracking": {"en": "Tracking history attached", "ko": "배송 조회 내역 첨부"},
    "check.tracking.fail": {
        "en": "Delivery problem without tracking history: save a tracking snapshot or a tracking screenshot.",
        "ko": "배송 문제인데 배송 조회 내역이 없습니다. 조회 결과를 저장하거나 캡처를 추가하세요.",
    },
    "check.window": {"en": "Inside the dispute window", "ko": "분쟁 신청 기간 안"},
    "check.window.early": {
        "en": "Too early: a dispute can be opened from {date} (the 11th day after shipping).",
        "ko": "아직 이릅니다: {date}부터 분쟁을 열 수 있습니다 (발송 후 11일째).",
    },
    "check.window.late": {
        "en": "The last day to open a dispute was {date}; try the seller, then 1372 or a card chargeback.",
        "ko": "분쟁 신청 마감일({date})이 지났습니다. 판매자, 1372, 카드 차지백을 검토하세요.",
    },
    "check.window.unknown": {
        "en": "The dispute window cannot be computed until the {missing} is known.",
        "ko": "{missing}을(를) 알아야 분쟁 신청 기간을 계산할 수 있습니다.",
    },
    "check.description": {"en": "Calm, factual description", "ko": "차분하고 사실적인 설명"},
    "check.description.short": {
        "en": "The description is too short: say what is wrong, where and since when (with numbers).",
        "ko": "설명이 너무 짧습니다: 무엇이, 어디가, 언제부터 문제인지 숫자와 함께 적으세요.",
    },
    "check.description.tone": {
        "en": "Keep it calm and factual: drop '{words}' (insults and capitals hurt your case).",
        "ko": "차분하고 사실적으로 쓰세요: '{words}' 같은 표현은 빼세요.",
    },
    "check.description.differences": {
        "en": "For 'not as described' list each difference between the listing and the item.",
        "ko": "'설명과 다름'은 상품 설명과 실물의 차이를 하나씩 적으세요.",
    },
    "check.description.tested": {
        "en": "For a defect say how you tested it (what you did, what happened).",
        "ko": "불량은 어떻게 테스트했는지 적으세요 (무엇을 했고 어떻게 되었는지).",
    },
    # next steps
    "step.contact_seller": {
        "en": "Message the seller first (English, calm, with the order number and photos); wait up to 5 days.",
        "ko": "먼저 판매자에게 메시지를 보내세요 (영어, 차분하게, 주문번호와 사진 포함). 최대 5일 기다리세요.",
    },
    "step.add_evidence": {"en": "Add: {item} ({why})", "ko": "추가하세요: {item} ({why})"},
    "step.save_tracking": {
        "en": "Check tracking now and save the result in the case (casebook track --case {case}).",
        "ko": "지금 배송 조회를 하고 결과를 사례에 저장하세요 (casebook track --case {case}).",
    },
    "step.wait_until": {
        "en": "Wait until {date} to open the dispute; meanwhile keep talking to the seller.",
        "ko": "{date}까지 기다린 뒤 분쟁을 여세요. 그동안 판매자와 계속 대화하세요.",
    },
    "step.open_dispute": {
        "en": "Open the dispute on the order page by {date} ({days} days left), asking for: {remedy}.",
        "ko": "{date}까지 ({days}일 남음) 주문 화면에서 분쟁을 여세요. 요청: {remedy}.",
    },
    "step.request_extension": {
        "en": "Ask the seller to extend buyer protection (ends {date}); if under 48 hours remain, open the dispute instead.",
        "ko": "판매자에게 구매자 보호 기간 연장을 요청하세요 ({date} 종료). 48시간 미만이면 바로 분쟁을 여세요.",
    },
    "step.wait_seller": {
        "en": "Wait for the seller's answer until {date}; without one the platform refunds or steps in.",
        "ko": "{date}까지 판매자 답변을 기다리세요. 답이 없으면 플랫폼이 환불하거나 개입합니다.",
    },
    "step.mediation": {
        "en": "Ask the platform to mediate; re-check and add evidence.",
        "ko": "플랫폼에 중재를 요청하고 증거를 다시 확인·보강하세요.",
    },
    "step.appeal_or_escalate": {
        "en": "Not satisfied with the decision? Appeal, then 1372 / the KCA cross-border portal, then a card chargeback.",
        "ko": "결정에 불만이면 이의 제기 → 1372 / 국제거래 소비자포털 → 카드 차지백 순으로 진행하세요.",
    },
    "step.wait_refund": {
        "en": "Watch for the refund on your payment method (1-10 working days after approval).",
        "ko": "결제 수단으로 환불이 들어오는지 확인하세요 (승인 후 영업일 1~10일).",
    },
    "step.done": {"en": "Nothing left to do: the case is closed.", "ko": "할 일이 없습니다: 사례가 종료되었습니다."},
    "step.late_refund_kr": {
        "en": "Korea rule: not delivered within 14 days of shipping on a 5/7-day promise: ask for a 100% refund.",
        "ko": "한국 규정: 5일/7일 배송 상품이 발송 후 14일 안에 오지 않으면 100% 환불을 요청하세요.",
    },
    # remedies
    "remedy.full_refund": {"en": "a full refund", "ko": "전액 환불"},
    "remedy.partial_refund": {"en": "a partial refund", "ko": "부분 환불"},
    "remedy.return_and_refund": {"en": "return and refund", "ko": "반품 후 환불"},
    "remedy.resend": {"en": "a replacement", "ko": "재발송"},
    # deadline status
    "deadline.cannot_compute": {"en": "cannot compute until the {missing} is known", "ko": "{missing}을(를) 알아야 계산할 수 있음"},
    "field.ship_date": {"en": "ship date", "ko": "발송일"},
    "field.promised_by": {"en": "promised delivery date (or guarantee days)", "ko": "배송 약속일 (또는 보장 일수)"},
    "field.opened_date": {"en": "dispute opening date", "ko": "분쟁 신청일"},
    "field.protection_end_or_receipt": {"en": "protection end or receipt date", "ko": "보호 기간 종료일 또는 수령일"},
    "field.return_agreed": {"en": "date the return was agreed", "ko": "반품 합의일"},
    "field.order_date": {"en": "order date", "ko": "주문일"},
    # UI labels
    "ui.platform": {"en": "Platform", "ko": "쇼핑몰"},
    "ui.order_id": {"en": "Order number", "ko": "주문번호"},
    "ui.store_name": {"en": "Store", "ko": "판매자"},
    "ui.item_title": {"en": "Item", "ko": "상품명"},
    "ui.option": {"en": "Option / size", "ko": "옵션 / 사이즈"},
    "ui.quantity": {"en": "Quantity", "ko": "수량"},
    "ui.price": {"en": "Amount paid", "ko": "결제 금액"},
    "ui.currency": {"en": "Currency", "ko": "통화"},
    "ui.payment_method": {"en": "Paid with", "ko": "결제 수단"},
    "ui.order_date": {"en": "Order date", "ko": "주문일"},
    "ui.ship_date": {"en": "Ship date", "ko": "발송일"},
    "ui.promised_date": {"en": "Promised by", "ko": "배송 약속일"},
    "ui.received_date": {"en": "Received", "ko": "수령일"},
    "ui.problem_kind": {"en": "Problem", "ko": "문제 유형"},
    "ui.description": {"en": "What is wrong", "ko": "문제 설명"},
    "ui.tracking_number": {"en": "Tracking number", "ko": "운송장 번호"},
    "ui.domestic_number": {"en": "Korean number", "ko": "국내 운송장"},
    "ui.save": {"en": "Save case", "ko": "사례 저장"},
    "ui.saved": {"en": "Saved as {case_id}", "ko": "{case_id}(으)로 저장했습니다"},
    "ui.fix_fields": {"en": "Please fix the marked fields.", "ko": "표시된 항목을 고쳐 주세요."},
    "ui.provider": {"en": "Source", "ko": "조회 방법"},
    "ui.paste": {"en": "Paste the tracking page here", "ko": "배송 조회 화면을 여기에 붙여넣으세요"},
    "ui.fetch": {"en": "Check tracking", "ko": "배송 조회"},
    "ui.no_token": {"en": "17TRACK needs SEVENTEENTRACK_TOKEN in the environment (never type it here).", "ko": "17TRACK 조회에는 환경 변수 SEVENTEENTRACK_TOKEN 이 필요합니다 (여기에 입력하지 마세요)."},
    "ui.upload": {"en": "Choose files", "ko": "파일 선택"},
    "ui.kind": {"en": "Kind", "ko": "증거 종류"},
    "ui.caption": {"en": "Caption", "ko": "설명"},
    "ui.add": {"en": "Add evidence", "ko": "증거 추가"},
    "ui.added": {"en": "Added {n} file(s); {dup} already kept", "ko": "{n}개 추가, {dup}개는 이미 있음"},
    "ui.checklist": {"en": "What the platform asks for", "ko": "플랫폼이 요구하는 증거"},
    "ui.integrity_ok": {"en": "All {n} file(s) intact (SHA-256 verified)", "ko": "파일 {n}개 모두 원본 그대로입니다 (SHA-256 확인)"},
    "ui.integrity_bad": {"en": "Integrity problems", "ko": "무결성 문제"},
    "ui.readiness": {"en": "Readiness", "ko": "준비도"},
    "ui.next_steps": {"en": "Next steps", "ko": "다음 할 일"},
    "ui.deadlines": {"en": "Deadlines", "ko": "기한"},
    "ui.message": {"en": "Dispute message", "ko": "분쟁 메시지"},
    "ui.export_txt": {"en": "Save message (.txt)", "ko": "메시지 저장 (.txt)"},
    "ui.export_html": {"en": "Save report (.html)", "ko": "보고서 저장 (.html)"},
    "ui.export_zip": {"en": "Save dispute pack (.zip)", "ko": "분쟁 자료 저장 (.zip)"},
    "ui.export_ics": {"en": "Deadlines to calendar (.ics)", "ko": "기한을 캘린더로 (.ics)"},
    "ui.written": {"en": "Written: {path}", "ko": "저장됨: {path}"},
    "ui.open": {"en": "Open", "ko": "열기"},
    "ui.sort": {"en": "Sort by", "ko": "정렬"},
    "ui.case": {"en": "Case", "ko": "사례"},
    "ui.next": {"en": "Next ›", "ko": "다음 ›"},
    "ui.back": {"en": "‹ Back", "ko": "‹ 이전"},
    "ui.error": {"en": "Something went wrong", "ko": "문제가 생겼습니다"},
    "ui.steps": {"en": "Overview|Log the order|Check tracking|Collect evidence|Dispute summary", "ko": "전체 보기|주문 기록|배송 조회|증거 모으기|분쟁 요약"},
    "ui.log_message": {"en": "Log a message you sent or received", "ko": "보내거나 받은 메시지 기록"},
    "ui.log": {"en": "Log message", "ko": "메시지 기록"},
    "ui.sent": {"en": "I sent", "ko": "보냄"},
    "ui.received": {"en": "I received", "ko": "받음"},
    "ui.logged": {"en": "Logged; {n} message(s) with the seller", "ko": "기록했습니다. 판매자와 주고받은 메시지 {n}건"},
    "ui.pick_case": {"en": "Pick or save a case first.", "ko": "먼저 사례를 선택하거나 저장하세요."},
}


def t(key: str, lang: str = "ko", /, **values: object) -> str:
    """The string for ``key`` in ``lang`` (``ko`` or ``en``), formatted with ``values``."""
    entry = CATALOGUE[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
