"""Accounting pages: invoices and bills (list, detail, payments, credit notes) and the journal."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.forms import PAYMENT_FIELDS, parse_payment_form, record_id
from nexo.modules.erp.accounting.models import INVOICE_KINDS, Account, Invoice, JournalEntry, Payment
from nexo.modules.erp.accounting.services import InvoiceService
from nexo.modules.erp.context import ErpContext
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import FormData, FormErrors, form_refusals, get_or_404
from nexo.platform.web.rendering import render

INVOICE_LIST_STATUSES = ("open", "paid")


async def _partners(session: AsyncSession, selected: int | None) -> list[tuple[int, str]]:
    """The organizations with invoices or bills (the customer filter's choices), plus the selected one."""
    with_documents = select(Invoice.partner_org_id).distinct().scalar_subquery()
    rows = await session.execute(
        select(Organization.id, Organization.name)
        .where(or_(Organization.id.in_(with_documents), Organization.id == selected))
        .order_by(Organization.name, Organization.id)
        .limit(500)
    )
    return [(org_id, name) for org_id, name in rows]


class AccountingPages(Controller):
    path = "/erp/accounting"
    opt: dict[str, object] = {}  # the core tags it with the module key (a class attribute must exist)

    @get("/invoices", name="erp.invoices")
    async def invoices(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        kind: str = "",
        status: str = "",
        customer: str = "",
    ) -> Template:
        """Invoices and bills, newest first; filters by kind, status (open / paid) and customer (or supplier: the
        partner organization). The company page's open balance links here with its filters set."""
        statement = (
            select(Invoice, Organization.name)
            .join(Organization, Organization.id == Invoice.partner_org_id)
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            .limit(200)
        )
        if kind in INVOICE_KINDS:
            statement = statement.where(Invoice.kind == kind)
        if status in INVOICE_LIST_STATUSES:
            statement = statement.where(Invoice.status == status)
        customer_id = record_id(customer)
        if customer_id is not None:
            statement = statement.where(Invoice.partner_org_id == customer_id)
        rows = (await db_session.execute(statement)).all()
        context = {
            "rows": rows,
            "kind": kind,
            "status": status,
            "kinds": INVOICE_KINDS,
            "statuses": INVOICE_LIST_STATUSES,
            "customer": customer_id,
            "customers": await _partners(db_session, customer_id),
        }
        return render(request, "erp/invoices.html", context, partial="erp/_invoices_table.html")

    @get("/invoices/{invoice_id:int}", name="erp.invoice")
    async def invoice(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, invoice_id: int
    ) -> Template:
        context = await self._detail(db_session, invoice_id, {}, FormErrors())
        return render(request, "erp/invoice.html", context, partial="erp/_invoice.html")

    async def _detail(
        self, session: AsyncSession, invoice_id: int, data: dict[str, str], errors: FormErrors
    ) -> dict[str, Any]:
        invoice = await get_or_404(session, Invoice, invoice_id, "invoice")
        await session.refresh(invoice)
        await session.refresh(invoice, ["lines"])
        partner = await session.get(Organization, invoice.partner_org_id)
        payments = list(await session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)))
        notes = list(await session.scalars(select(Invoice).where(Invoice.credited_invoice_id == invoice.id)))
        credited = await session.get(Invoice, invoice.credited_invoice_id) if invoice.credited_invoice_id else None
        return {
            "invoice": invoice,
            "partner": partner,
            "payments": payments,
            "credit_notes": notes,
            "credited": credited,
            "data": data,
            "errors": errors,
        }

    @post("/invoices/{invoice_id:int}/payments", name="erp.invoice.pay")
    async def pay(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        invoice_id: int,
        data: FormData,
    ) -> Any:
        errors = FormErrors()
        payment = parse_payment_form(data, errors)
        if payment is not None:
            with form_refusals(errors, fields=PAYMENT_FIELDS, default="amount"):
                async with db_session.begin_nested():  # a refusal undoes only this step
                    await InvoiceService(db_session, ErpContext.of(tenant)).pay(
                        invoice_id,
                        payment.amount,
                        paid_on=payment.paid_on,
                        account_role=payment.account_role,
                        reference=payment.reference,
                    )
        context = await self._detail(db_session, invoice_id, data if errors else {}, errors)
        return render(
            request, "erp/invoice.html", context, partial="erp/_invoice.html", status_code=400 if errors else 200
        )

    @post("/invoices/{invoice_id:int}/credit", name="erp.invoice.credit")
    async def credit(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, invoice_id: int
    ) -> Any:
        errors = FormErrors()
        with form_refusals(errors, default="credit", known=()):
            async with db_session.begin_nested():
                note = await InvoiceService(db_session, ErpContext.of(tenant)).credit(invoice_id)
        if errors:
            context = await self._detail(db_session, invoice_id, {}, errors)
            return render(request, "erp/invoice.html", context, partial="erp/_invoice.html", status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/accounting/invoices/{note.id}", status_code=303)

    @get("/journal", name="erp.journal")
    async def journal(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        entries = list(
            await db_session.scalars(
                select(JournalEntry).order_by(JournalEntry.entry_date.desc(), JournalEntry.id.desc()).limit(100)
            )
        )
        accounts = {a.id: a for a in await db_session.scalars(select(Account))}
        return render(request, "erp/journal.html", {"entries": entries, "accounts": accounts})
