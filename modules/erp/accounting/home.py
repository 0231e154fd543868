"""Accounting's card on the workspace home: what customers owe and what we owe (open, and past due), the cash
position now, and its last six month-ends as a chart. Figures link to the filtered invoice list and the reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.accounting.reports import CashPoint, Period, cash_position
from nexo.platform.modules.home import Card, Chart, Figure, HomeContext, Series

SIDES = {
    "receivable": ("customer_invoice", "customer_credit_note"),
    "payable": ("supplier_bill", "supplier_credit_note"),
}
CASH_MONTHS = 6


async def cards(session: AsyncSession, context: HomeContext) -> list[Card]:
    receivable_open, receivable_due = await _open_and_due(session, "receivable", context.today)
    payable_open, payable_due = await _open_and_due(session, "payable", context.today)
    points = await cash_position(session, Period(_months_back(context.today, CASH_MONTHS - 1), context.today))
    cash = points[-1].balance if points else Decimal(0)
    invoices = context.url("erp/accounting/invoices")
    return [
        Card(
            key="erp-money",
            title="Money",
            order=40,
            figures=(
                Figure(
                    "Customers owe", context.money(receivable_open), f"{invoices}?kind=customer_invoice&status=open"
                ),
                Figure(
                    "of which past due",
                    context.money(receivable_due),
                    f"{invoices}?kind=customer_invoice&status=open",
                    alert=receivable_due > 0,
                ),
                Figure("We owe suppliers", context.money(payable_open), f"{invoices}?kind=supplier_bill&status=open"),
                Figure(
                    "of which past due",
                    context.money(payable_due),
                    f"{invoices}?kind=supplier_bill&status=open",
                    alert=payable_due > 0,
                ),
                Figure("Cash and bank", context.money(cash), context.url("erp/reports")),
            ),
            chart=_cash_chart(points),
            links=(Figure("Reports", "", context.url("erp/reports")),),
        )
    ]


def _cash_chart(points: list[CashPoint]) -> Chart | None:
    """The month-end balances as a line, or nothing while no money has moved at all."""
    if not any(point.balance for point in points):
        return None
    return Chart(
        kind="line",
        labels=tuple(point.month for point in points),
        series=(Series("Cash and bank", tuple(float(point.balance) for point in points)),),
        description=f"Cash and bank balance at the end of each of the last {CASH_MONTHS} months",
    )


async def _open_and_due(session: AsyncSession, side: str, today: datetime.date) -> tuple[Decimal, Decimal]:
    """Open balance of one side's documents, and the part of it past its due date (credit notes reduce both)."""
    balance = (Invoice.total - Invoice.amount_paid) * case((Invoice.kind.like("%credit_note"), -1), else_=1)
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(balance), 0),
                func.coalesce(func.sum(case((Invoice.due_date < today, balance), else_=0)), 0),
            ).where(Invoice.kind.in_(SIDES[side]), Invoice.status == "open")
        )
    ).one()
    return Decimal(row[0]), Decimal(row[1])


def _months_back(today: datetime.date, months: int) -> datetime.date:
    year, month = today.year, today.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1)
