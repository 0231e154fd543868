"""Financial reports computed in the database: profitability, liquidity (cash and aging), performance.

Profitability reads the posted customer documents (revenue = net amounts, cost = cost of goods sold on them,
credit notes subtract), whole months from the rollups posting keeps; its totals equal the revenue and
cost-of-goods-sold accounts of the ledger for the period, which ``ledger_totals`` reads, and the tests compare the two.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, literal, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.models import (
    Account,
    Invoice,
    InvoiceLine,
    JournalEntry,
    JournalLine,
    ProfitByCustomer,
    ProfitByProduct,
)
from nexo.platform import clock
from nexo.platform.money import ZERO

MONTH_FORMAT: ColumnElement[str] = literal_column("'YYYY-MM'")
GroupBy = Literal["product", "customer", "month"]
CUSTOMER_KINDS = ("customer_invoice", "customer_credit_note")
AGING_BUCKETS = ("0-30", "31-60", "61-90", "90+")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: datetime.date | None = None) -> Period:
        """From query strings; defaults to the current year to date. Raises ``ValueError`` on a bad date."""
        today = today or clock.today()
        begin = datetime.date.fromisoformat(start) if start else today.replace(month=1, day=1)
        finish = datetime.date.fromisoformat(end) if end else today
        if finish < begin:
            raise ValueError("The end date is before the start date.")
        return cls(begin, finish)


@dataclass(frozen=True)
class ProfitRow:
    key: str
    label: str
    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return (self.margin / self.revenue * 100).quantize(Decimal("0.1")) if self.revenue else None


async def profitability(session: AsyncSession, period: Period, group_by: GroupBy = "product") -> list[ProfitRow]:
    """Revenue and cost per product, customer or month over ``period``, in one query.

    Whole months come from the rollups that posting keeps (``ProfitByProduct``, ``ProfitByCustomer``: a few rows
    per month); only the partial months at either end of the period read the invoice lines."""
    parts = []
    months, edges = _split_months(period)
    if months is not None:
        parts.append(_rollup_rows(group_by, *months))
    parts.extend(_line_rows(group_by, edge.start, edge.end) for edge in edges)
    rows_of = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    statement = select(
        rows_of.c.key, func.min(rows_of.c.label), func.sum(rows_of.c.revenue), func.sum(rows_of.c.cost)
    ).group_by(rows_of.c.key)
    if group_by == "customer":
        statement = (
            select(rows_of.c.key, func.min(Organization.name), func.sum(rows_of.c.revenue), func.sum(rows_of.c.cost))
            .select_from(rows_of)
            .join(Organization, Organization.id == rows_of.c.key)
            .group_by(rows_of.c.key)
        )
    if group_by == "month":
        statement = statement.order_by(rows_of.c.key)
    rows = [
        ProfitRow(str(k), str(label), Decimal(r or 0), Decimal(c or 0))
        for k, label, r, c in await session.execute(statement)
    ]
    if group_by != "month":
        rows.sort(key=lambda row: row.revenue, reverse=True)
    return rows


def _split_months(period: Period) -> tuple[tuple[datetime.date, datetime.date] | None, list[Period]]:
    """(first and last whole month of ``period``, or None; the partial stretches before and after them)."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    after = period.end + datetime.timedelta(days=1)
    stop = after.replace(day=1)  # the first month not wholly inside
    if first >= stop:
        return None, [period]
    edges = []
    if period.start < first:
        edges.append(Period(period.start, first - datetime.timedelta(days=1)))
    if stop <= period.end:
        edges.append(Period(stop, period.end))
    last = (stop - datetime.timedelta(days=1)).replace(day=1)
    return (first, last), edges


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _rollup_rows(group_by: GroupBy, first: datetime.date, last: datetime.date) -> Select[Any]:
    """(key, label, revenue, cost) from the monthly rollups, months ``first`` to ``last`` included."""
    if group_by == "customer":
        c = ProfitByCustomer
        return select(
            c.partner_org_id.label("key"), literal("").label("label"), c.revenue.label("revenue"), c.cost.label("cost")
        ).where(c.month.between(first, last))
    p = ProfitByProduct
    key = func.nullif(p.product_id, 0) if group_by == "product" else func.to_char(p.month, MONTH_FORMAT)
    label = p.label if group_by == "product" else func.to_char(p.month, MONTH_FORMAT)
    return select(key.label("key"), label.label("label"), p.revenue.label("revenue"), p.cost.label("cost")).where(
        p.month.between(first, last)
    )


def _line_rows(group_by: GroupBy, start: datetime.date, end: datetime.date) -> Select[Any]:
    """(key, label, revenue, cost) per group from the posted customer documents' lines of ``start`` to ``end``."""
    sign = case((Invoice.kind == "customer_credit_note", literal_column("-1")), else_=literal_column("1"))
    key: ColumnElement[Any] | InstrumentedAttribute[Any]
    label: ColumnElement[Any]
    if group_by == "product":
        key, label = InvoiceLine.product_id, func.min(InvoiceLine.description)
    elif group_by == "customer":
        key, label = Invoice.partner_org_id, literal("")
    else:
        key = label = func.to_char(Invoice.issue_date, MONTH_FORMAT)
    return (
        select(
            key.label("key"),
            label.label("label"),
            func.sum(InvoiceLine.net_amount * sign).label("revenue"),
            func.sum(InvoiceLine.cost_amount * sign).label("cost"),
        )
        .select_from(InvoiceLine)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            Invoice.kind.in_(CUSTOMER_KINDS),
            Invoice.status.in_(("open", "paid")),
            Invoice.issue_date.between(start, end),
        )
        .group_by(key)
    )


@dataclass(frozen=True)
class LedgerTotals:
    revenue: Decimal
    cost_of_goods_sold: Decimal


async def ledger_totals(session: AsyncSession, period: Period) -> LedgerTotals:
    balance = func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0)
    rows = dict(
        (
            await session.execute(
                select(Account.role, balance)
                .join(JournalLine, JournalLine.account_id == Account.id)
                .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                .where(Account.role.in_(("revenue", "cogs")), JournalEntry.entry_date.between(period.start, period.end))
                .group_by(Account.role)
            )
        )
        .tuples()
        .all()
    )
    return LedgerTotals(revenue=-Decimal(rows.get("revenue", 0)), cost_of_goods_sold=Decimal(rows.get("cogs", 0)))


@dataclass(frozen=True)
class CashPoint:
    month: str
    balance: Decimal


async def cash_position(session: AsyncSession, period: Period) -> list[CashPoint]:
    """End-of-month balance of the cash and bank accounts, month by month over the period."""
    opening = await session.scalar(
        select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0))
        .join(Account, Account.id == JournalLine.account_id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(Account.role.in_(("cash", "bank")), JournalEntry.entry_date < period.start)
    )
    month = func.to_char(JournalEntry.entry_date, MONTH_FORMAT)
    movements = dict(
        (
            await session.execute(
                select(month, func.sum(JournalLine.debit - JournalLine.credit))
                .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
                .join(Account, Account.id == JournalLine.account_id)
                .where(Account.role.in_(("cash", "bank")), JournalEntry.entry_date.between(period.start, period.end))
                .group_by(month)
            )
        )
        .tuples()
        .all()
    )
    points: list[CashPoint] = []
    running = Decimal(opening or 0)
    for label in _months(period):
        running += Decimal(movements.get(label, 0))
        points.append(CashPoint(label, running))
    return points


def _months(period: Period) -> list[str]:
    labels, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


@dataclass(frozen=True)
class Aging:
    buckets: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


async def aging(session: AsyncSession, side: Literal["receivable", "payable"], as_of: datetime.date) -> Aging:
    """Open balances by days past due (not yet due counts as 0-30); credit notes reduce the balance."""
    kinds = CUSTOMER_KINDS if side == "receivable" else ("supplier_bill", "supplier_credit_note")
    overdue = as_of - Invoice.due_date
    bucket = case(
        (overdue <= 30, AGING_BUCKETS[0]),
        (overdue <= 60, AGING_BUCKETS[1]),
        (overdue <= 90, AGING_BUCKETS[2]),
        else_=AGING_BUCKETS[3],
    )
    sign = case((Invoice.kind.like("%credit_note"), -1), else_=1)
    rows = dict(
        (
            await session.execute(
                select(bucket, func.sum((Invoice.total - Invoice.amount_paid) * sign))
                .where(Invoice.kind.in_(kinds), Invoice.status == "open", Invoice.issue_date <= as_of)
                .group_by(bucket)
            )
        )
        .tuples()
        .all()
    )
    return Aging({name: Decimal(rows.get(name, 0)) for name in AGING_BUCKETS})


async def open_balance(session: AsyncSession, org_id: int) -> Decimal:
    """What the organization owes (customer documents) minus what we owe it (supplier documents)."""
    sign = case((Invoice.kind == "customer_invoice", 1), (Invoice.kind == "supplier_credit_note", 1), else_=-1)
    value = await session.scalar(
        select(func.coalesce(func.sum((Invoice.total - Invoice.amount_paid) * sign), 0)).where(
            Invoice.partner_org_id == org_id, Invoice.status == "open"
        )
    )
    return Decimal(value or 0)


@dataclass(frozen=True)
class PipelineConversion:
    """The CRM funnel over a period: the leads that came in, how many became opportunities and how many of those
    were won; and the win rate of the deals closed in the period."""

    leads: int  # leads created in the period
    converted: int  # of those, qualified into an opportunity
    won_from_leads: int  # of those opportunities, won (by now)
    won: int  # opportunities won in the period
    lost: int  # opportunities lost in the period

    @property
    def conversion_percent(self) -> Decimal | None:
        return _percent(self.converted, self.leads)

    @property
    def won_percent(self) -> Decimal | None:
        return _percent(self.won_from_leads, self.converted)

    @property
    def win_rate(self) -> Decimal | None:
        """won / (won + lost), in percent; ``None`` while nothing was closed."""
        return _percent(self.won, self.won + self.lost)


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


async def pipeline_conversion(session: AsyncSession, period: Period) -> PipelineConversion:
    """Needs the CRM's tables (call it only while CRM is on). Periods are whole UTC days."""
    from nexo.modules.crm.models import Lead, Opportunity  # the CRM is optional: imported only when asked

    start = datetime.datetime.combine(period.start, datetime.time(), datetime.UTC)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(), datetime.UTC)
    won = Opportunity.status == "won"
    leads = (
        await session.execute(
            select(func.count(Lead.id), func.count(Opportunity.id), func.count(Opportunity.id).filter(won))
            .outerjoin(Opportunity, Opportunity.id == Lead.opportunity_id)
            .where(Lead.created_at >= start, Lead.created_at < end)
        )
    ).one()
    closed = dict(
        (
            await session.execute(
                select(Opportunity.status, func.count())
                .where(
                    Opportunity.status.in_(("won", "lost")), Opportunity.closed_at >= start, Opportunity.closed_at < end
                )
                .group_by(Opportunity.status)
            )
        )
        .tuples()
        .all()
    )
    return PipelineConversion(
        leads=int(leads[0]),
        converted=int(leads[1]),
        won_from_leads=int(leads[2]),
        won=int(closed.get("won", 0)),
        lost=int(closed.get("lost", 0)),
    )
