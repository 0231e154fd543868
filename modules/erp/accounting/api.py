"""Accounting REST API (``/api/v1/erp/accounting/...``): the chart of accounts and the journal (read-only), customer
invoices and supplier bills with their payments and credit notes, through ``InvoiceService`` (and ``SalesService`` /
``PurchasingService`` for documents made from an order).

Customer documents live under ``/invoices``, supplier documents under ``/bills``: an id of the other family is a
404 there, like an id of another workspace."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.accounting.models import Account, Invoice, JournalEntry, Payment
from nexo.modules.erp.accounting.representations import (
    AccountOut,
    InvoiceOut,
    JournalEntryOut,
    PaymentOut,
    entry_out,
    invoice_out,
    payment_out,
)
from nexo.modules.erp.accounting.services import InvoiceService, LineInput
from nexo.modules.erp.context import erp_context, require_module
from nexo.modules.erp.purchasing.models import PurchaseOrder
from nexo.modules.erp.purchasing.services import PurchasingService
from nexo.modules.erp.sales.models import SalesOrder
from nexo.modules.erp.sales.services import SalesService
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.fields import Amount, Quantity, Rate, Text200
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import (
    REFUSAL_HANDLERS,
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Resource,
    Sort,
    action_op,
    check_choice,
    create_op,
    list_op,
    not_found,
    read_op,
    reloaded,
    with_refusals,
)
from nexo.platform.refusals import UnknownReferenceError

READ_SCOPE, WRITE_SCOPE = "erp.accounting.read", "erp.accounting.write"
CUSTOMER_KINDS = ("customer_invoice", "customer_credit_note")
SUPPLIER_KINDS = ("supplier_bill", "supplier_credit_note")
STATUSES = ("draft", "open", "paid", "cancelled")


class InvoiceFromOrder(msgspec.Struct, forbid_unknown_fields=True):
    """Invoice what was delivered on the sales order and not invoiced yet; posted at once."""

    sales_order_id: DbId
    issue_date: datetime.date | None = None
    due_date: datetime.date | None = None


class BillFromOrder(msgspec.Struct, forbid_unknown_fields=True):
    """Bill what was received on the purchase order and not billed yet; posted at once."""

    purchase_order_id: DbId
    issue_date: datetime.date | None = None
    reference: Text200 = ""


class PaymentCreate(msgspec.Struct, forbid_unknown_fields=True):
    amount: Amount
    paid_on: datetime.date | None = None
    account: Literal["bank", "cash"] = "bank"
    reference: Text200 = ""


class CreditLineIn(msgspec.Struct, forbid_unknown_fields=True):
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    quantity: Quantity
    unit_price: Amount
    tax_rate: Rate = "0"
    product_id: DbId | None = None


class CreditNoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Credit the whole document, or only the ``lines`` given."""

    lines: Annotated[list[CreditLineIn], msgspec.Meta(min_length=1, max_length=200)] | None = None
    issue_date: datetime.date | None = None


# --- shared by invoices (customer) and bills (supplier) --------------------------------------------------------


ACCOUNTS = Resource(Account, "account", sortable={"id": Account.id, "code": Account.code, "name": Account.name})
ENTRIES = Resource(JournalEntry, "journal entry", sortable={"id": JournalEntry.id})
INVOICES = Resource(Invoice, "invoice", sortable={"id": Invoice.id})


async def document(session: AsyncSession, invoice_id: int, kinds: tuple[str, ...], *, lock: bool = False) -> Invoice:
    invoice = await session.get(Invoice, invoice_id, with_for_update=lock)
    if invoice is None or invoice.kind not in kinds:
        raise not_found("invoice" if kinds == CUSTOMER_KINDS else "bill")
    return invoice


async def fresh(session: AsyncSession, invoice_id: int) -> InvoiceOut:
    return invoice_out(await reloaded(session, Invoice, invoice_id, "lines"))


async def list_documents(
    session: AsyncSession,
    kinds: tuple[str, ...],
    kind: str | None,
    status: str | None,
    partner_org_id: int | None,
    sort: str,
    cursor: str | None,
    limit: int,
) -> Page[InvoiceOut]:
    check_choice(status, STATUSES)
    check_choice(kind, kinds, "kind")
    statement = select(Invoice).where(Invoice.kind.in_([kind] if kind else kinds))
    filters = {Invoice.status: status, Invoice.partner_org_id: partner_org_id}
    rows, next_cursor = await INVOICES.page(session, statement, sort=sort, cursor=cursor, limit=limit, filters=filters)
    return Page(data=[invoice_out(i) for i in rows], next_cursor=next_cursor)


async def post_document(
    session: AsyncSession, principal: ApiPrincipal, invoice_id: int, kinds: tuple[str, ...]
) -> InvoiceOut:
    invoice = await document(session, invoice_id, kinds, lock=True)
    await InvoiceService(session, await erp_context(session, principal)).post(invoice)
    return await fresh(session, invoice_id)


async def pay_document(
    session: AsyncSession, principal: ApiPrincipal, invoice_id: int, kinds: tuple[str, ...], data: PaymentCreate
) -> PaymentOut:
    await document(session, invoice_id, kinds)
    service = InvoiceService(session, await erp_context(session, principal))
    payment = await service.pay(
        invoice_id, Decimal(data.amount), paid_on=data.paid_on, account_role=data.account, reference=data.reference
    )
    await session.refresh(payment)
    invoice = await fresh(session, invoice_id)
    return payment_out(payment, invoice.currency)


async def list_payments(session: AsyncSession, invoice_id: int, kinds: tuple[str, ...]) -> list[PaymentOut]:
    invoice = await document(session, invoice_id, kinds)
    rows = await session.scalars(select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id))
    return [payment_out(p, invoice.currency) for p in rows]


async def credit_document(
    session: AsyncSession, principal: ApiPrincipal, invoice_id: int, kinds: tuple[str, ...], data: CreditNoteCreate
) -> InvoiceOut:
    await document(session, invoice_id, kinds)
    lines = (
        None
        if data.lines is None
        else [
            LineInput(ln.description, Decimal(ln.quantity), Decimal(ln.unit_price), Decimal(ln.tax_rate), ln.product_id)
            for ln in data.lines
        ]
    )
    note = await InvoiceService(session, await erp_context(session, principal)).credit(
        invoice_id, lines, issue_date=data.issue_date
    )
    return await fresh(session, note.id)


# --- controllers -----------------------------------------------------------------------------------------------


class AccountsApi(Controller):
    path = "/erp/accounting/accounts"
    tags = ["erp.accounting"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List the chart of accounts", "listAccounts")))
    async def list_accounts(
        self,
        db_session: AsyncSession,
        type: str | None = None,
        sort: Sort = "code",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[AccountOut]:
        """``type`` filters (asset, liability, equity, income, expense); ``sort``: ``id``, ``code`` or ``name``."""
        rows, next_cursor = await ACCOUNTS.page(
            db_session, sort=sort, cursor=cursor, limit=limit, filters={Account.type: type}
        )
        return Page(
            data=[AccountOut(a.id, a.code, a.name, a.type, a.role, a.active) for a in rows], next_cursor=next_cursor
        )

    @get("/{account_id:int}", **with_refusals(read_op(READ_SCOPE, "Get an account", "getAccount")))
    async def get_account(self, db_session: AsyncSession, account_id: IdParam) -> AccountOut:
        a = await ACCOUNTS.get(db_session, account_id)
        return AccountOut(a.id, a.code, a.name, a.type, a.role, a.active)


class JournalApi(Controller):
    path = "/erp/accounting/journal-entries"
    tags = ["erp.accounting"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List journal entries", "listJournalEntries")))
    async def list_entries(
        self,
        db_session: AsyncSession,
        source_type: str | None = None,
        source_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[JournalEntryOut]:
        """Newest first by default. ``source_type`` (invoice, payment, receipt, stock_move, ...) and ``source_id``
        find the entries a document posted."""
        filters = {JournalEntry.source_type: source_type, JournalEntry.source_id: source_id}
        rows, next_cursor = await ENTRIES.page(db_session, sort=sort, cursor=cursor, limit=limit, filters=filters)
        return Page(data=[entry_out(e) for e in rows], next_cursor=next_cursor)

    @get("/{entry_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a journal entry", "getJournalEntry")))
    async def get_entry(self, db_session: AsyncSession, entry_id: IdParam) -> JournalEntryOut:
        return entry_out(await ENTRIES.get(db_session, entry_id))


class InvoicesApi(Controller):
    path = "/erp/accounting/invoices"
    tags = ["erp.accounting"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List customer invoices and credit notes", "listInvoices")))
    async def list_invoices(
        self,
        db_session: AsyncSession,
        kind: str | None = None,
        status: str | None = None,
        partner_org_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[InvoiceOut]:
        """``kind``: customer_invoice or customer_credit_note; ``status``: draft, open, paid, cancelled."""
        return await list_documents(db_session, CUSTOMER_KINDS, kind, status, partner_org_id, sort, cursor, limit)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Invoice a sales order", "createInvoice")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: InvoiceFromOrder,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[InvoiceOut]:
        """Needs the Sales module on too. The invoice is posted to the journal at once. Send
        ``Idempotency-Key`` to retry safely."""
        require_module(principal, "erp.sales")

        async def make() -> InvoiceOut:
            if await db_session.get(SalesOrder, data.sales_order_id) is None:
                raise UnknownReferenceError("No such sales order in this workspace.", "sales_order_id")
            service = SalesService(db_session, await erp_context(db_session, principal))
            invoice = await service.invoice(data.sales_order_id, issue_date=data.issue_date, due_date=data.due_date)
            return await fresh(db_session, invoice.id)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{invoice_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a customer invoice", "getInvoice")))
    async def get_invoice(self, db_session: AsyncSession, invoice_id: IdParam) -> InvoiceOut:
        return invoice_out(await document(db_session, invoice_id, CUSTOMER_KINDS))

    @post("/{invoice_id:int}/post", **with_refusals(action_op(WRITE_SCOPE, "Post a draft invoice", "postInvoice", 422)))
    async def post_invoice(self, db_session: AsyncSession, principal: ApiPrincipal, invoice_id: IdParam) -> InvoiceOut:
        return await post_document(db_session, principal, invoice_id, CUSTOMER_KINDS)

    @get(
        "/{invoice_id:int}/payments",
        **with_refusals(read_op(READ_SCOPE, "Payments of a customer invoice", "listInvoicePayments")),
    )
    async def payments(self, db_session: AsyncSession, invoice_id: IdParam) -> list[PaymentOut]:
        return await list_payments(db_session, invoice_id, CUSTOMER_KINDS)

    @post(
        "/{invoice_id:int}/payments",
        **with_refusals(create_op(WRITE_SCOPE, "Record a (partial) payment", "payInvoice", 404)),
    )
    async def pay(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        invoice_id: IdParam,
        data: PaymentCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[PaymentOut]:
        """Money in (a refund out for a credit note). Paying the balance in full fires ``erp.invoice.paid``.
        Send ``Idempotency-Key``: a retried payment is then recorded once."""
        return await idempotent_create(
            request,
            db_session,
            principal,
            data,
            lambda: pay_document(db_session, principal, invoice_id, CUSTOMER_KINDS, data),
        )

    @post(
        "/{invoice_id:int}/credit-notes",
        **with_refusals(create_op(WRITE_SCOPE, "Credit a customer invoice", "creditInvoice", 404)),
    )
    async def credit(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        invoice_id: IdParam,
        data: CreditNoteCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[InvoiceOut]:
        """A posted credit note settles the invoice's open balance first."""
        return await idempotent_create(
            request,
            db_session,
            principal,
            data,
            lambda: credit_document(db_session, principal, invoice_id, CUSTOMER_KINDS, data),
        )


class BillsApi(Controller):
    path = "/erp/accounting/bills"
    tags = ["erp.accounting"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List supplier bills and credit notes", "listBills")))
    async def list_bills(
        self,
        db_session: AsyncSession,
        kind: str | None = None,
        status: str | None = None,
        partner_org_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[InvoiceOut]:
        """``kind``: supplier_bill or supplier_credit_note; ``status``: draft, open, paid, cancelled."""
        return await list_documents(db_session, SUPPLIER_KINDS, kind, status, partner_org_id, sort, cursor, limit)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Bill a purchase order", "createBill")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: BillFromOrder,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[InvoiceOut]:
        """Needs the Purchasing module on too. The bill is posted at once. Send ``Idempotency-Key``."""
        require_module(principal, "erp.purchasing")

        async def make() -> InvoiceOut:
            if await db_session.get(PurchaseOrder, data.purchase_order_id) is None:
                raise UnknownReferenceError("No such purchase order in this workspace.", "purchase_order_id")
            service = PurchasingService(db_session, await erp_context(db_session, principal))
            bill = await service.bill(data.purchase_order_id, issue_date=data.issue_date, reference=data.reference)
            return await fresh(db_session, bill.id)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{bill_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a supplier bill", "getBill")))
    async def get_bill(self, db_session: AsyncSession, bill_id: IdParam) -> InvoiceOut:
        return invoice_out(await document(db_session, bill_id, SUPPLIER_KINDS))

    @post("/{bill_id:int}/post", **with_refusals(action_op(WRITE_SCOPE, "Post a draft bill", "postBill", 422)))
    async def post_bill(self, db_session: AsyncSession, principal: ApiPrincipal, bill_id: IdParam) -> InvoiceOut:
        return await post_document(db_session, principal, bill_id, SUPPLIER_KINDS)

    @get(
        "/{bill_id:int}/payments",
        **with_refusals(read_op(READ_SCOPE, "Payments of a supplier bill", "listBillPayments")),
    )
    async def payments(self, db_session: AsyncSession, bill_id: IdParam) -> list[PaymentOut]:
        return await list_payments(db_session, bill_id, SUPPLIER_KINDS)

    @post(
        "/{bill_id:int}/payments",
        **with_refusals(create_op(WRITE_SCOPE, "Pay a supplier bill (partly or fully)", "payBill", 404)),
    )
    async def pay(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        bill_id: IdParam,
        data: PaymentCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[PaymentOut]:
        return await idempotent_create(
            request,
            db_session,
            principal,
            data,
            lambda: pay_document(db_session, principal, bill_id, SUPPLIER_KINDS, data),
        )

    @post(
        "/{bill_id:int}/credit-notes",
        **with_refusals(create_op(WRITE_SCOPE, "Record a supplier credit note", "creditBill", 404)),
    )
    async def credit(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        bill_id: IdParam,
        data: CreditNoteCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[InvoiceOut]:
        return await idempotent_create(
            request,
            db_session,
            principal,
            data,
            lambda: credit_document(db_session, principal, bill_id, SUPPLIER_KINDS, data),
        )


__all__ = ["AccountsApi", "BillsApi", "InvoicesApi", "JournalApi"]
