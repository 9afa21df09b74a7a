"""What a shopper records as the case goes on: messages exchanged and the dispute's progress.

Both go through ``Casebook.update`` (locked read-modify-write), so a message
logged from the CLI while a notebook has the case open is never lost.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from .errors import CaseInputError
from .models import Case, Dispute, Message, utc_now
from .store import Casebook

__all__ = ["add_message", "update_dispute"]


def add_message(book: Casebook, case_id: str, *, text: str, channel: str = "seller_chat", direction: str = "sent",
                at: datetime | str | None = None, translation: str | None = None) -> Case:
    """Append one entry to the communication log (default: a message sent to the seller, now)."""
    try:
        message = Message.model_validate({"at": at or utc_now(), "channel": channel, "direction": direction,
                                          "text": text, "translation": translation or None})
    except ValidationError as error:
        raise CaseInputError.from_validation(error, prefix="message") from None
    if not message.text:
        raise CaseInputError([("message.text", "is empty; write what was said")])

    def change(case: Case) -> None:
        case.messages = sorted([*case.messages, message], key=lambda m: m.at)

    return book.update(case_id, change)


def update_dispute(book: Casebook, case_id: str, **changes: Any) -> Case:
    """Change dispute fields (stage, opened_date, requested, requested_amount, outcome …), validated together."""

    def change(case: Case) -> None:
        data = case.dispute.model_dump()
        for key, value in changes.items():
            if key not in Dispute.model_fields:
                raise CaseInputError([(f"dispute.{key}", f"unknown field; accepted: {', '.join(Dispute.model_fields)}")])
            data[key] = value.isoformat() if isinstance(value, date) else value
        try:
            case.dispute = Dispute.model_validate(data)
        except ValidationError as error:
            raise CaseInputError.from_validation(error, prefix="dispute") from None

    return book.update(case_id, change)
