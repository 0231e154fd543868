"""Accounting as the outside sees it: accounts, journal entries, invoices and bills, payments.

The API answers these structs and the webhook events carry them (``events.py``), so a webhook and a
``GET`` of the same record have the same fields. No ``from __future__ import annotations`` here: the structs keep
the OpenAPI names they were published with (``published_from``), and their annotations must not be resolved in
that other module.
"""

import datetime
from decimal import Decimal

import msgspec

from nexo.modules.erp.accounting.models import Invoice, JournalEntry, Payment
from nexo.platform.api.resource import published_from
from nexo.platform.money import round_money


class AccountOut(msgspec.Struct):
    id: int
    code: str
    name: str
    type: str
    role: str | None
    active: bool


class JournalLineOut(msgspec.Struct):
    id: int
    account_id: int
    debit: Decimal
    credit: Decimal
    partner_org_id: int | None
    label: str


class JournalEntryOut(msgspec.Struct):
    id: int
    entry_date: datetime.date
    memo: str
    currency: str
    source_type: str | None
    source_id: int | None
    lines: list[JournalLineOut]


class InvoiceLineOut(msgspec.Struct):
    id: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal


class InvoiceOut(msgspec.Struct):
    id: int
    number: str
    kind: str
    status: str
    partner_org_id: int
    issue_date: datetime.date
    due_date: datetime.date
    currency: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    balance_due: Decimal
    reference: str
    sales_order_id: int | None
    purchase_order_id: int | None
    credited_invoice_id: int | None
    journal_entry_id: int | None
    lines: list[InvoiceLineOut]
    created_at: datetime.datetime


class PaymentOut(msgspec.Struct):
    id: int
    invoice_id: int
    paid_on: datetime.date
    amount: Decimal
    account_id: int
    journal_entry_id: int
    reference: str


def money(value: Decimal, currency: str) -> Decimal:
    return round_money(value, currency)


def invoice_out(i: Invoice) -> InvoiceOut:
    c = i.currency
    lines = [
        InvoiceLineOut(
            ln.id,
            ln.product_id,
            ln.description,
            ln.quantity,
            ln.unit_price,
            ln.tax_rate,
            money(ln.net_amount, c),
            money(ln.tax_amount, c),
        )
        for ln in i.lines
    ]
    return InvoiceOut(
        id=i.id,
        number=i.number,
        kind=i.kind,
        status=i.status,
        partner_org_id=i.partner_org_id,
        issue_date=i.issue_date,
        due_date=i.due_date,
        currency=c,
        subtotal=money(i.subtotal, c),
        tax_total=money(i.tax_total, c),
        total=money(i.total, c),
        amount_paid=money(i.amount_paid, c),
        balance_due=money(i.balance_due, c),
        reference=i.reference,
        sales_order_id=i.sales_order_id,
        purchase_order_id=i.purchase_order_id,
        credited_invoice_id=i.credited_invoice_id,
        journal_entry_id=i.journal_entry_id,
        lines=lines,
        created_at=i.created_at,
    )


def payment_out(p: Payment, currency: str) -> PaymentOut:
    return PaymentOut(
        id=p.id,
        invoice_id=p.invoice_id,
        paid_on=p.paid_on,
        amount=money(p.amount, currency),
        account_id=p.account_id,
        journal_entry_id=p.journal_entry_id,
        reference=p.reference,
    )


def entry_out(e: JournalEntry) -> JournalEntryOut:
    return JournalEntryOut(
        id=e.id,
        entry_date=e.entry_date,
        memo=e.memo,
        currency=e.currency,
        source_type=e.source_type,
        source_id=e.source_id,
        lines=[
            JournalLineOut(
                ln.id,
                ln.account_id,
                money(ln.debit, e.currency),
                money(ln.credit, e.currency),
                ln.partner_org_id,
                ln.label,
            )
            for ln in e.lines
        ],
    )


published_from(
    "nexo.modules.erp.accounting.api",
    AccountOut,
    JournalLineOut,
    JournalEntryOut,
    InvoiceLineOut,
    InvoiceOut,
    PaymentOut,
)
