from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from casebook.services import log_message as add_message, record_dispute as update_dispute
from casebook.errors import CaseInputError
from casebook.playbook import advise
from casebook.ui import SummaryPanel
from tests.conftest import snapshot_tree

KST = ZoneInfo("Asia/Seoul")


def test_logging_the_first_seller_message_makes_case_d_pass_the_seller_check(seeded):
    now = datetime.combine(datetime(2026, 7, 19).date(), time(12), KST)
    update_dispute(seeded, "seed-d", stage="not_opened", opened_date=None, outcome=None)
    before = advise(seeded.get("seed-d"), now=now)
    assert not next(c for c in before.checks if c.key == "seller_contacted").ok
    case = add_message(seeded, "seed-d", text="Hello, the shoes measure 235 mm, not 250 mm as ordered.",
                       at="2026-07-18T21:00:00+09:00")
    assert [m.at.isoformat() for m in case.messages][0] == "2026-07-18T21:00:00+09:00", "kept in time order"
    after = advise(seeded.get("seed-d"), now=now)
    assert next(c for c in after.checks if c.key == "seller_contacted").ok


def test_dispute_progress_is_validated_as_a_whole(seeded):
    case = update_dispute(seeded, "seed-b", requested="return_and_refund", return_shipping_paid_by="seller",
                          return_agreed_date="2026-05-26")
    assert case.dispute.return_agreed_date.isoformat() == "2026-05-26"
    before = snapshot_tree(seeded.path)
    with pytest.raises(CaseInputError, match="requested_amount"):
        update_dispute(seeded, "seed-b", requested="partial_refund", requested_amount=None)
    with pytest.raises(CaseInputError, match="dispute.stage"):
        update_dispute(seeded, "seed-b", stage="won")
    with pytest.raises(CaseInputError, match="unknown field"):
        update_dispute(seeded, "seed-b", winner="me")
    with pytest.raises(CaseInputError, match="message.at"):
        add_message(seeded, "seed-b", text="hi", at="yesterday")
    with pytest.raises(CaseInputError, match="message.text"):
        add_message(seeded, "seed-b", text="   ")
    assert snapshot_tree(seeded.path) == before, "refused changes leave the case untouched"


def test_message_and_dispute_on_the_command_line(seeded, capsys):
    from casebook.cli import main

    base = ["-C", str(seeded.path)]
    assert main(base + ["message", "seed-d", "--text", "Hello, wrong size.", "--at", "2026-07-18T21:00+09:00"]) == 0
    assert "판매자와 1건" in capsys.readouterr().out
    assert main(base + ["dispute", "seed-d", "--request", "partial_refund", "--amount", "5000 KRW"]) == 0
    assert str(seeded.get("seed-d").dispute.requested_amount) == "KRW 5,000"
    assert main(base + ["dispute", "seed-d", "--amount", "6,000원"]) == 0
    assert str(seeded.get("seed-d").dispute.requested_amount) == "KRW 6,000"
    assert main(base + ["dispute", "seed-d", "--amount", "5000 XYZ"]) == 1
    assert "dispute.requested_amount" in capsys.readouterr().err


def test_the_summary_panel_logs_a_message_and_updates_readiness(seeded, tmp_path):
    update_dispute(seeded, "seed-d", stage="not_opened", opened_date=None, outcome=None)
    panel = SummaryPanel(seeded, "seed-d", output_dir=tmp_path, lang="en")
    assert "data-check='seller_contacted'" in panel.readiness.value and "No message to the seller" in panel.readiness.value
    assert "casebook-check-fail' data-check='seller_contacted'" in panel.readiness.value
    panel.log_text.value = "Hello, the shoes measure 235 mm, not 250 mm as ordered. Photos attached."
    panel.log_button.click()
    assert panel.errors == [] and "1 message with the seller" in panel.status.value
    assert "casebook-check-ok' data-check='seller_contacted'" in panel.readiness.value
