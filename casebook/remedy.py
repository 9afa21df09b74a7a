"""What to ask for, from the facts: the remedy, its amount, who pays the return, and the rule it rests on.

The remedy follows the situation (``casebook.situation``), not the problem
kind alone: missing items get a pro-rata partial refund, a counterfeit a full
refund including shipping, a change of mind the 90-day return with the buyer
paying the postage, duty on a "tax included" listing a reimbursement (and
otherwise the customs refund route). A remedy the shopper already recorded in
the dispute is respected. The guide's rows (refund type, expected days) are
in ``casebook/rules/guide.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .currencies import ZERO_DECIMAL
from .i18n import LANGS, Text, label
from .models import Case, Money, Payer, ProblemKind, RefundType, Remedy
from .rules import Rules
from .situation import Situation, tax_included

__all__ = ["RemedyPlan", "decide", "pro_rata"]

_REFUND_TYPE = {
    Remedy.FULL_REFUND: RefundType.FULL_REFUND, Remedy.PARTIAL_REFUND: RefundType.PARTIAL_REFUND,
    Remedy.RETURN_AND_REFUND: RefundType.RETURN_AND_REFUND, Remedy.RESEND: RefundType.FULL_REFUND,
    Remedy.DUTY_REIMBURSEMENT: RefundType.PARTIAL_REFUND, Remedy.CUSTOMS_REFUND: RefundType.RETURN_AND_REFUND,
    Remedy.EXTENSION: RefundType.FULL_REFUND,
}


@dataclass(frozen=True)
class RemedyPlan:
    """The request: remedy, amount (None when no amount applies), who pays a return, and its basis."""

    remedy: Remedy
    amount: Money | None
    refund_type: RefundType
    return_paid_by: Payer | None
    basis: Text  # the platform (or customs) rule the request relies on
    expected_days: tuple[int, int]
    recorded: bool = False  # the shopper's own choice (dispute.requested)

    def text(self, lang: str = "ko") -> str:
        """``부분 환불 (7,967원)`` / ``a partial refund (KRW 7,967)``."""
        if self.amount is None:
            return label(self.remedy, lang)
        return Text("remedy.with_amount", remedy=self.remedy, amount=self.amount)(lang)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.remedy.value,
            "amount": {"amount": str(self.amount.amount), "currency": self.amount.currency} if self.amount else None,
            "return_paid_by": self.return_paid_by.value if self.return_paid_by else None,
            "recorded": self.recorded,
            **{lang: self.text(lang) for lang in LANGS},
            "basis": self.basis.both(),
        }


def pro_rata(price: Money, part: int, whole: int) -> Money:
    """``price × part / whole``, rounded half up to the currency's smallest unit."""
    step = Decimal(1) if price.currency in ZERO_DECIMAL else Decimal("0.01")
    amount = (price.amount * part / whole).quantize(step, rounding=ROUND_HALF_UP)
    return Money(amount=amount, currency=price.currency)


def _computed(case: Case, situation: Situation, rules: Rules, window_open: bool,
              extension: bool) -> tuple[Remedy, Money | None, Payer | None, Text]:
    """What the facts call for, before any choice the shopper recorded."""
    kind, price, problem = situation.kind, case.order.price, case.problem
    months = int(rules.advice["duty_refund"]["months"])
    promised = case.order.promised_by
    not_due = promised is not None and situation.today is not None and situation.today <= promised and \
        case.order.received_date is None
    if extension and kind in (ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY):
        return Remedy.EXTENSION, None, None, Text("basis.in_transit", promised=promised)
    if kind == ProblemKind.CHANGE_OF_MIND:
        basis = Text("basis.return_90" if window_open else "basis.change_of_mind")
        return Remedy.RETURN_AND_REFUND, price, Payer.BUYER, basis
    if kind == ProblemKind.DUTY_CHARGED:
        if tax_included(case, rules):
            return Remedy.DUTY_REIMBURSEMENT, problem.duty_paid, None, Text("basis.tax_included")
        return Remedy.CUSTOMS_REFUND, problem.duty_paid, Payer.BUYER, Text("basis.customs_refund", months=months)
    if kind == ProblemKind.CUSTOMS_HOLD:
        return Remedy.EXTENSION, None, None, Text("basis.customs_hold")
    if 0 < situation.missing < case.order.quantity:
        amount = pro_rata(price, situation.missing, case.order.quantity)
        return Remedy.PARTIAL_REFUND, amount, None, Text("basis.missing_items", missing=situation.missing,
                                                          quantity=case.order.quantity)
    if kind == ProblemKind.COUNTERFEIT:
        return Remedy.FULL_REFUND, price, None, Text("basis.counterfeit")
    if not_due and kind in (ProblemKind.NOT_RECEIVED, ProblemKind.LATE_DELIVERY):
        return Remedy.FULL_REFUND, price, None, Text("basis.not_yet_due", promised=promised)
    if kind in (ProblemKind.NOT_RECEIVED, ProblemKind.DELIVERED_NOT_RECEIVED) or \
            (situation.missing and situation.missing == case.order.quantity):
        return Remedy.FULL_REFUND, price, None, Text("basis.not_received")
    if kind == ProblemKind.LATE_DELIVERY:
        return Remedy.FULL_REFUND, price, None, Text("basis.late_delivery")
    row = rules.guide["situations"][kind.value]
    remedy = Remedy(row["remedy"])
    if remedy == Remedy.RETURN_AND_REFUND:
        payer = Payer(row["return_paid_by"]) if row.get("return_paid_by") else Payer.SELLER
        return remedy, price, payer, Text("basis.return_seller_pays")
    return remedy, price, None, Text("basis.buyer_protection")


def decide(case: Case, situation: Situation, rules: Rules | None = None, *, window_open: bool = True,
           kr_late: bool = False, extension: bool = False) -> RemedyPlan:
    """The remedy for ``case`` in ``situation``.

    ``window_open``: the 90-day any-reason return is still open; ``kr_late``: the
    Korean 14-day rule for a 5- or 7-day promise is in force; ``extension``: a parcel
    moving normally whose protection ends soon (ask for more time, not money).
    """
    rules = rules or Rules.default()
    row = rules.guide["situations"][situation.kind.value]
    remedy, amount, payer, basis = _computed(case, situation, rules, window_open, extension)
    if kr_late and remedy == Remedy.FULL_REFUND and situation.kind in (ProblemKind.LATE_DELIVERY, ProblemKind.NOT_RECEIVED):
        basis = Text("basis.kr_late_14")
    refund_type = RefundType(row["refund_type"])
    if 0 < situation.missing < case.order.quantity and remedy == Remedy.PARTIAL_REFUND:
        refund_type = RefundType.PARTIAL_REFUND
    expected = (int(row["duration"][0]), int(row["duration"][1]))
    d = case.dispute
    if d.requested is None:
        return RemedyPlan(remedy, amount, refund_type, payer, basis, expected)
    # the shopper's recorded choice wins; its amount and basis follow it
    chosen = d.requested
    if chosen != remedy:
        basis = {Remedy.PARTIAL_REFUND: Text("basis.partial_agreed"), Remedy.RESEND: Text("basis.resend"),
                 Remedy.RETURN_AND_REFUND: Text("basis.return_seller_pays"),
                 Remedy.FULL_REFUND: Text("basis.buyer_protection")}.get(chosen, basis)
        refund_type = _REFUND_TYPE[chosen] if chosen != Remedy.FULL_REFUND else (
            refund_type if refund_type in (RefundType.FULL_REFUND, RefundType.LATE_DELIVERY_REFUND,
                                           RefundType.WRONG_ITEM_REFUND) else RefundType.FULL_REFUND)
    if chosen == Remedy.PARTIAL_REFUND:
        amount = d.requested_amount
    elif chosen in (Remedy.FULL_REFUND, Remedy.RETURN_AND_REFUND):
        amount = case.order.price
    elif chosen == Remedy.RESEND or chosen == Remedy.EXTENSION:
        amount = None
    if chosen == Remedy.RETURN_AND_REFUND:
        payer = d.return_shipping_paid_by or payer or Payer.SELLER
    elif chosen != Remedy.CUSTOMS_REFUND:
        payer = None
    return RemedyPlan(chosen, amount, refund_type, payer, basis, expected, recorded=True)
