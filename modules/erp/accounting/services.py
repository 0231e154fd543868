"""Accounting rules. ``JournalService`` is the only writer of journal entries and lines; the database checks again
at commit that every entry balances (see ``models.balance_trigger_statements``). ``InvoiceService`` is the only
writer of document numbers and of the profitability rollups.

Every write is set-based: ``create_many``/``post_many``/``JournalService.post_many`` handle a batch of documents in
a fixed number of statements (one insert per table, one counter bump per kind, one rollup upsert), and the
one-document methods are batches of one, so both paths run the same rules."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from nexo.modules.erp.accounting import events
from nexo.modules.erp.accounting.models import (
    Account,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    JournalEntry,
    JournalLine,
    Payment,
    profit_rollup_statements,
)
from nexo.modules.erp.context import ErpContext
from nexo.platform import clock
from nexo.platform.db.base import utcnow
from nexo.platform.db.bulk import update_rows
from nexo.platform.money import ZERO, round_money, round_quantity, total
from nexo.platform.refusals import BusinessRuleError, InvalidStateError, UnknownReferenceError

ROLE_CACHE_KEY = "erp_account_roles"


@dataclass(frozen=True)
class Posting:
    """One side of an entry: ``account`` is an account role ("receivable") or an account id."""

    account: str | int
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    partner_org_id: int | None = None
    label: str = ""


async def account_ids_by_role(session: AsyncSession) -> dict[str, int]:
    cached = session.info.get(ROLE_CACHE_KEY)
    if cached is None:
        rows = await session.execute(select(Account.role, Account.id).where(Account.role.is_not(None)))
        cached = {str(role): int(account_id) for role, account_id in rows}
        session.info[ROLE_CACHE_KEY] = cached
    return dict(cached)


@dataclass(frozen=True)
class EntryDraft:
    """One journal entry to write with ``JournalService.post_many``."""

    entry_date: datetime.date
    memo: str
    postings: Sequence[Posting]
    source_type: str | None = None
    source_id: int | None = None


_Line = tuple[int, Decimal, Decimal, int | None, str]


class JournalService:
    def __init__(self, session: AsyncSession, context: ErpContext) -> None:
        self.session = session
        self.context = context

    async def post(
        self,
        entry_date: datetime.date,
        memo: str,
        postings: Sequence[Posting],
        *,
        source_type: str | None = None,
        source_id: int | None = None,
    ) -> JournalEntry:
        """Write one balanced entry (amounts rounded to the currency first); refuse an unbalanced one."""
        return (await self.post_many([EntryDraft(entry_date, memo, postings, source_type, source_id)]))[0]

    async def post_many(self, drafts: Sequence[EntryDraft]) -> list[JournalEntry]:
        """Write balanced entries: all are checked before any is written (one insert for entries, one for lines)."""
        if not drafts:
            return []
        roles = await account_ids_by_role(self.session)
        prepared = [self._lines(roles, draft.postings) for draft in drafts]
        currency = self.context.currency
        entries = [
            JournalEntry(
                entry_date=draft.entry_date,
                memo=draft.memo[:300],
                currency=currency,
                source_type=draft.source_type,
                source_id=draft.source_id,
            )
            for draft in drafts
        ]
        self.session.add_all(entries)
        await self.session.flush()
        now = utcnow()
        await self.session.execute(
            insert(cast("Table", JournalLine.__table__)),
            [
                {
                    "entry_id": entry.id,
                    "account_id": a,
                    "debit": d,
                    "credit": c,
                    "partner_org_id": p,
                    "label": label[:300],
                    "created_at": now,
                    "updated_at": now,
                }
                for entry, lines in zip(entries, prepared, strict=True)
                for a, d, c, p, label in lines
            ],
        )
        return entries

    async def check(self, postings: Sequence[Sequence[Posting]]) -> None:
        """Refuse, as ``post_many`` would, any of these entries that is empty or does not balance; write nothing."""
        roles = await account_ids_by_role(self.session)
        for entry_postings in postings:
            self._lines(roles, entry_postings)

    def _lines(self, roles: dict[str, int], postings: Sequence[Posting]) -> list[_Line]:
        """Round, orient and resolve ``postings``; refuse an empty or unbalanced entry."""
        currency = self.context.currency
        lines: list[_Line] = []
        for posting in postings:
            debit, credit = round_money(posting.debit, currency), round_money(posting.credit, currency)
            if debit < 0 or credit < 0:  # a negative amount belongs on the other side
                debit, credit = max(debit, -credit, ZERO), max(credit, -debit, ZERO)
            if debit == 0 and credit == 0:
                continue
            if isinstance(posting.account, str):
                if posting.account not in roles:
                    raise BusinessRuleError(f"The chart of accounts has no {posting.account} account.", "account")
                account_id = roles[posting.account]
            else:
                account_id = posting.account
            lines.append((account_id, debit, credit, posting.partner_org_id, posting.label))
        if not lines:
            raise BusinessRuleError("A journal entry needs at least one amount.", "lines")
        debits, credits = total(d for _, d, _, _, _ in lines), total(c for _, _, c, _, _ in lines)
        if debits != credits:
            raise BusinessRuleError(f"The entry does not balance: debits {debits} ≠ credits {credits}.", "lines")
        return lines


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal = ZERO
    product_id: int | None = None
    cost_amount: Decimal = ZERO  # customer documents: cost of the goods on this line
    order_line_id: int | None = None


PAYMENT_TERMS_DAYS = 30


@dataclass(frozen=True)
class InvoiceDraft:
    """One document to create with ``InvoiceService.create_many``."""

    kind: str
    partner_org_id: int
    lines: Sequence[LineInput]
    issue_date: datetime.date | None = None
    due_date: datetime.date | None = None
    reference: str = ""
    sales_order_id: int | None = None
    purchase_order_id: int | None = None
    credited_invoice_id: int | None = None


class InvoiceService:
    """Customer invoices and credit notes, supplier bills and credit notes, and their payments."""

    def __init__(self, session: AsyncSession, context: ErpContext) -> None:
        self.session = session
        self.context = context
        self.journal = JournalService(session, context)

    async def create(
        self,
        kind: str,
        partner_org_id: int,
        lines: Sequence[LineInput],
        *,
        issue_date: datetime.date | None = None,
        due_date: datetime.date | None = None,
        reference: str = "",
        sales_order_id: int | None = None,
        purchase_order_id: int | None = None,
        credited_invoice_id: int | None = None,
        post: bool = True,
    ) -> Invoice:
        draft = InvoiceDraft(
            kind,
            partner_org_id,
            lines,
            issue_date=issue_date,
            due_date=due_date,
            reference=reference,
            sales_order_id=sales_order_id,
            purchase_order_id=purchase_order_id,
            credited_invoice_id=credited_invoice_id,
        )
        return (await self.create_many([draft], post=post))[0]

    async def create_many(self, drafts: Sequence[InvoiceDraft], *, post: bool = True) -> list[Invoice]:
        """Create documents (one insert for the documents, one for their lines), posted unless ``post`` is false.

        Everything is checked before anything is written."""
        currency = self.context.currency
        priced = [self._priced(draft) for draft in drafts]
        invoices = []
        for draft, rows in zip(drafts, priced, strict=True):
            subtotal, tax_total = total(n for _, n, _ in rows), total(t for _, _, t in rows)
            issue_date = draft.issue_date or clock.today()
            invoices.append(
                Invoice(
                    kind=draft.kind,
                    status="draft",
                    partner_org_id=draft.partner_org_id,
                    issue_date=issue_date,
                    due_date=draft.due_date or issue_date + datetime.timedelta(days=PAYMENT_TERMS_DAYS),
                    currency=currency,
                    subtotal=subtotal,
                    tax_total=tax_total,
                    total=subtotal + tax_total,
                    amount_paid=ZERO,
                    reference=draft.reference[:200],
                    sales_order_id=draft.sales_order_id,
                    purchase_order_id=draft.purchase_order_id,
                    credited_invoice_id=draft.credited_invoice_id,
                )
            )
        self.session.add_all(invoices)
        await self.session.flush()
        now = utcnow()
        created = await self.session.scalars(
            insert(InvoiceLine)
            .returning(InvoiceLine, sort_by_parameter_order=True)
            .execution_options(render_nulls=True),
            [
                {
                    "invoice_id": invoice.id,
                    "product_id": line.product_id,
                    "description": line.description[:300],
                    "quantity": round_quantity(line.quantity),
                    "unit_price": line.unit_price,
                    "tax_rate": line.tax_rate,
                    "net_amount": net,
                    "tax_amount": tax,
                    "cost_amount": round_money(line.cost_amount, currency),
                    "order_line_id": line.order_line_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for invoice, rows in zip(invoices, priced, strict=True)
                for line, net, tax in rows
            ],
        )
        by_invoice: dict[int, list[InvoiceLine]] = defaultdict(list)
        for invoice_line in created:
            by_invoice[invoice_line.invoice_id].append(invoice_line)
        for invoice in invoices:
            set_committed_value(invoice, "lines", by_invoice[invoice.id])
        if post:
            await self.post_many(invoices)
        return invoices

    def _priced(self, draft: InvoiceDraft) -> list[tuple[LineInput, Decimal, Decimal]]:
        """Each line with its net and tax amounts, rounded to the currency; refuse bad lines."""
        if draft.kind not in Invoice.PREFIXES:
            raise BusinessRuleError("Unknown kind of document.", "kind")
        if not draft.lines:
            raise BusinessRuleError("An invoice needs at least one line.", "lines")
        currency = self.context.currency
        rows = []
        for line in draft.lines:
            if line.quantity <= 0:
                raise BusinessRuleError("Quantities must be greater than zero.", "quantity")
            if line.unit_price < 0:
                raise BusinessRuleError("Prices cannot be negative.", "unit_price")
            net = round_money(line.quantity * line.unit_price, currency)
            rows.append((line, net, round_money(net * line.tax_rate, currency)))
        return rows

    async def post(self, invoice: Invoice) -> JournalEntry:
        """Post a draft document to the journal and open it for payment."""
        return (await self.post_many([invoice]))[0]

    async def post_many(self, invoices: Sequence[Invoice]) -> list[JournalEntry]:
        """Post drafts: number them (gapless per kind), write their entries, roll them up for profitability.

        The counter rows are bumped after everything else is checked, so a refused batch takes no number, and they
        stay locked to the end of the transaction: concurrent postings of one kind queue there, and a rollback gives
        the numbers back."""
        if not invoices:
            return []
        if len({invoice.id for invoice in invoices}) != len(invoices):
            raise InvalidStateError("A document can be posted only once.", "status")
        for invoice in invoices:
            if invoice.status != "draft":
                raise InvalidStateError(f"{invoice.number} is already posted.", "status")
        ids = [invoice.id for invoice in invoices]
        costs = dict(
            (
                await self.session.execute(
                    select(InvoiceLine.invoice_id, func.sum(InvoiceLine.cost_amount))
                    .where(InvoiceLine.invoice_id.in_(ids))
                    .group_by(InvoiceLine.invoice_id)
                )
            )
            .tuples()
            .all()
        )
        splits = [await self._expense_split(invoice) for invoice in invoices]

        def postings(invoice: Invoice, split: tuple[Decimal, Decimal]) -> list[Posting]:
            return _invoice_postings(invoice, Decimal(costs.get(invoice.id) or ZERO), split)

        # Checked before numbering: a refused entry must not take a number (the caller may commit without it).
        await self.journal.check([postings(invoice, split) for invoice, split in zip(invoices, splits, strict=True)])
        numbers = await self._number(invoices)
        try:
            entries = await self.journal.post_many(
                [
                    EntryDraft(
                        invoice.issue_date,
                        f"{invoice.number} {invoice.reference}".strip(),
                        postings(invoice, split),
                        source_type="invoice",
                        source_id=invoice.id,
                    )
                    for invoice, split in zip(invoices, splits, strict=True)
                ]
            )
        except Exception:
            for invoice in invoices:  # a database error: the transaction is lost, and the document keeps no number
                set_committed_value(invoice, "sequence_number", None)
            raise
        await update_rows(
            self.session,
            invoices,
            {
                "sequence_number": numbers,
                "journal_entry_id": [entry.id for entry in entries],
                "status": ["open" if invoice.total > 0 else "paid" for invoice in invoices],
            },
        )
        customer_ids = [invoice.id for invoice in invoices if invoice.is_customer]
        if customer_ids:
            for statement in profit_rollup_statements(only_listed_invoices=True):
                await self.session.execute(text(statement), {"ids": customer_ids})
        settled = [
            original
            for invoice in invoices
            if invoice.credited_invoice_id is not None and (original := await self._apply_credit_note(invoice))
        ]
        await events.invoices_posted(self.session, invoices)
        for original in settled:  # a credit note settled the rest of its invoice's balance
            await events.invoice_paid(self.session, original)
        return entries

    async def _number(self, invoices: Sequence[Invoice]) -> list[int]:
        """The next numbers of each kind for ``invoices``, in id order (one counter upsert per kind).

        They are set on the objects as their committed state, for the memos; ``post_many`` writes them."""
        by_kind: dict[str, list[Invoice]] = defaultdict(list)
        for invoice in invoices:
            by_kind[invoice.kind].append(invoice)
        now = utcnow()
        for kind in sorted(by_kind):  # one order of counter locks for every batch: no deadlock between batches
            documents = sorted(by_kind[kind], key=lambda invoice: invoice.id)
            statement = pg_insert(InvoiceCounter).values(
                kind=kind, last_number=len(documents), created_at=now, updated_at=now
            )
            statement = statement.on_conflict_do_update(
                index_elements=["kind"],
                set_={"last_number": InvoiceCounter.last_number + statement.excluded.last_number, "updated_at": now},
            )
            last = int((await self.session.execute(statement.returning(InvoiceCounter.last_number))).scalar_one())
            for offset, invoice in enumerate(documents):
                set_committed_value(invoice, "sequence_number", last - len(documents) + 1 + offset)
        return [int(invoice.sequence_number or 0) for invoice in invoices]

    async def _lines(self, invoice_id: int) -> list[InvoiceLine]:
        return list(await self.session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)))

    async def _expense_split(self, invoice: Invoice) -> tuple[Decimal, Decimal]:
        """Supplier documents: (goods received from orders → GRNI, everything else → expenses) net amounts."""
        if invoice.is_customer:
            return ZERO, ZERO
        if invoice.purchase_order_id is not None:
            ordered = await self.session.scalar(
                select(func.coalesce(func.sum(InvoiceLine.net_amount), 0)).where(
                    InvoiceLine.invoice_id == invoice.id, InvoiceLine.order_line_id.is_not(None)
                )
            )
            ordered = Decimal(ordered or 0)
            return ordered, invoice.subtotal - ordered
        return ZERO, invoice.subtotal

    async def _apply_credit_note(self, credit_note: Invoice) -> Invoice | None:
        """A credit note settles its invoice's open balance first; any rest stays open (to refund). Returns the
        invoice when this settled it in full."""
        original = await self.session.get(Invoice, credit_note.credited_invoice_id, with_for_update=True)
        assert original is not None
        applied = min(original.balance_due, credit_note.total)
        if applied <= 0:
            return None
        original.amount_paid += applied
        original.status = "paid" if original.amount_paid == original.total else original.status
        credit_note.amount_paid += applied
        credit_note.status = "paid" if credit_note.amount_paid == credit_note.total else "open"
        await self.session.flush()
        return original if original.status == "paid" else None

    async def credit(
        self, invoice_id: int, lines: Sequence[LineInput] | None = None, *, issue_date: datetime.date | None = None
    ) -> Invoice:
        """A credit note for an invoice or bill: all of it, or the ``lines`` given."""
        original = await self.get(invoice_id)
        if original.is_credit_note or original.status in ("draft", "cancelled"):
            raise BusinessRuleError("Only a posted invoice or bill can be credited.", "invoice_id")
        if lines is None:
            lines = [
                LineInput(
                    line.description,
                    line.quantity,
                    line.unit_price,
                    line.tax_rate,
                    line.product_id,
                    line.cost_amount,
                    line.order_line_id,
                )
                for line in await self._lines(original.id)
            ]
        credited_so_far = await self.session.scalar(
            select(func.coalesce(func.sum(Invoice.total), 0)).where(
                Invoice.credited_invoice_id == original.id, Invoice.status != "cancelled"
            )
        )
        kind = "customer_credit_note" if original.is_customer else "supplier_credit_note"
        note = await self.create(
            kind,
            original.partner_org_id,
            lines,
            issue_date=issue_date,
            reference=f"Credit for {original.number}",
            credited_invoice_id=original.id,
            post=False,
        )
        if Decimal(credited_so_far or 0) + note.total > original.total:
            raise BusinessRuleError(f"This would credit more than the total of {original.number}.", "lines")
        await self.post(note)
        return note

    async def get(self, invoice_id: int, *, lock: bool = False) -> Invoice:
        invoice = await self.session.get(Invoice, invoice_id, with_for_update=lock)
        if invoice is None:
            raise UnknownReferenceError("No such invoice in this workspace.", "invoice_id")
        return invoice

    async def pay(
        self,
        invoice_id: int,
        amount: Decimal,
        *,
        paid_on: datetime.date | None = None,
        account_role: str = "bank",
        reference: str = "",
    ) -> Payment:
        """Record a (partial) payment: money in for customer invoices, out for supplier bills (refunds reversed)."""
        invoice = await self.get(invoice_id, lock=True)
        amount = round_money(amount, self.context.currency)
        if invoice.status != "open":
            raise BusinessRuleError(f"{invoice.number} is not open for payment ({invoice.status}).", "amount")
        if amount <= 0:
            raise BusinessRuleError("Enter an amount greater than zero.", "amount")
        if amount > invoice.balance_due:
            raise BusinessRuleError(f"At most {invoice.balance_due} is due on {invoice.number}.", "amount")
        roles = await account_ids_by_role(self.session)
        if account_role not in ("bank", "cash"):
            raise BusinessRuleError("Pay from the bank or cash account.", "account")
        counterpart = "receivable" if invoice.is_customer else "payable"
        money_in = invoice.is_customer != invoice.is_credit_note
        paid_on = paid_on or clock.today()
        entry = await self.journal.post(
            paid_on,
            f"Payment {invoice.number} {reference}".strip(),
            [
                Posting(account_role, debit=amount if money_in else ZERO, credit=ZERO if money_in else amount),
                Posting(
                    counterpart,
                    debit=ZERO if money_in else amount,
                    credit=amount if money_in else ZERO,
                    partner_org_id=invoice.partner_org_id,
                ),
            ],
            source_type="payment",
            source_id=invoice.id,
        )
        payment = Payment(
            invoice_id=invoice.id,
            paid_on=paid_on,
            amount=amount,
            account_id=roles[account_role],
            journal_entry_id=entry.id,
            reference=reference[:200],
        )
        self.session.add(payment)
        invoice.amount_paid += amount
        if invoice.amount_paid == invoice.total:
            invoice.status = "paid"
        await self.session.flush()
        await events.payment_created(self.session, payment, invoice)
        return payment


def _invoice_postings(invoice: Invoice, cost: Decimal, expense_split: tuple[Decimal, Decimal]) -> list[Posting]:
    """The entry of an invoice, bill or credit note (credit notes mirror their document)."""
    partner = invoice.partner_org_id
    if invoice.is_customer:
        postings = [
            Posting("receivable", debit=invoice.total, partner_org_id=partner, label=invoice.number),
            Posting("revenue", credit=invoice.subtotal, label=invoice.number),
            Posting("vat_collected", credit=invoice.tax_total, label=invoice.number),
            Posting("cogs", debit=cost, label=invoice.number),
            Posting("inventory", credit=cost, label=invoice.number),
        ]
    else:
        goods, expenses = expense_split
        postings = [
            Posting("grni", debit=goods, label=invoice.number),
            Posting("expense", debit=expenses, label=invoice.number),
            Posting("vat_deductible", debit=invoice.tax_total, label=invoice.number),
            Posting("payable", credit=invoice.total, partner_org_id=partner, label=invoice.number),
        ]
    if invoice.is_credit_note:
        postings = [
            Posting(p.account, debit=p.credit, credit=p.debit, partner_org_id=p.partner_org_id, label=p.label)
            for p in postings
        ]
    return postings


async def post_stock_valuation(
    session: AsyncSession,
    context: ErpContext,
    entry_date: datetime.date,
    memo: str,
    value: Decimal,
    *,
    counterpart: str,
    source_type: str,
    source_id: int,
) -> JournalEntry | None:
    """Stock value in (positive ``value``) or out (negative) against ``counterpart`` (grni, stock_adjustment)."""
    if round_money(value, context.currency) == 0:
        return None
    debit, credit = (value, ZERO) if value > 0 else (ZERO, -value)
    return await JournalService(session, context).post(
        entry_date,
        memo,
        [Posting("inventory", debit=debit, credit=credit), Posting(counterpart, debit=credit, credit=debit)],
        source_type=source_type,
        source_id=source_id,
    )


async def mark_cancelled(session: AsyncSession, invoice: Invoice) -> None:
    if invoice.status != "draft":
        raise InvalidStateError("Only a draft can be cancelled; credit a posted document instead.", "status")
    await session.execute(update(Invoice).where(Invoice.id == invoice.id).values(status="cancelled"))
