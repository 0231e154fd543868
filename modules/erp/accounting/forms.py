"""Accounting forms: a payment against an invoice or bill, the invoice list's filters, the reports' period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from nexo.modules.erp.accounting.reports import GroupBy, Period
from nexo.platform.web.kit import FormErrors, parse_date, parse_decimal

GROUPS: tuple[GroupBy, ...] = ("product", "customer", "month")
PAYMENT_ACCOUNTS = ("bank", "cash")
MAX_ID_DIGITS = 18  # ids are bigint
# Payment refusals about the account are shown next to the amount (the account is a plain choice).
PAYMENT_FIELDS = {"amount": "amount", "account": "amount"}


@dataclass(frozen=True)
class PaymentForm:
    amount: Decimal
    paid_on: datetime.date | None
    account_role: str
    reference: str


def parse_payment_form(data: dict[str, str], errors: FormErrors) -> PaymentForm | None:
    """Amount and date checked; an account other than bank or cash means the bank."""
    amount = parse_decimal(data, "amount", errors, label="amount")
    paid_on = parse_date(data.get("paid_on"), "paid_on", errors, label="payment date")
    account = data.get("account", "bank") if data.get("account") in PAYMENT_ACCOUNTS else "bank"
    if errors or amount is None:
        return None
    return PaymentForm(amount, paid_on, account, data.get("reference", ""))


def record_id(raw: str) -> int | None:
    """A filter's record id, or ``None`` (not filtered) for anything else, like the other filters' unknown values."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= MAX_ID_DIGITS and int(raw) > 0 else None


def parse_period(start: str | None, end: str | None) -> tuple[Period, FormErrors]:
    """The reports' period; an invalid one falls back to the default period with the error next to its field."""
    errors = FormErrors()
    try:
        return Period.parse(start, end), errors
    except ValueError as error:
        errors["end" if "before" in str(error) else "start"] = (
            str(error) if "before" in str(error) else "Dates look like 2026-01-31."
        )
        return Period.parse(None, None), errors


def parse_group(value: str) -> GroupBy:
    return value if value in GROUPS else "product"
