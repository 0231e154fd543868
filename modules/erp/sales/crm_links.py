"""The ERP side of CRM ↔ ERP: what the CRM shows of a customer's ERP documents, and quotes from won opportunities.

Importing this module registers the providers with the CRM's seams (``nexo.modules.crm.services.timeline`` and
``nexo.modules.crm.services.integrations``); each names the ERP module that must be on, so the CRM calls it only
while that module is on in the workspace. The sales manifest declares it (``integrations``), so the app imports
and registers it when it is built.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import Opportunity, OpportunityStatus
from nexo.modules.crm.services.integrations import (
    BalanceProvider,
    DocumentLink,
    IntegrationError,
    QuoteProvider,
    register_balance_provider,
    register_quote_provider,
)
from nexo.modules.crm.services.timeline import Subject, TimelineEntry, register_source
from nexo.modules.directory.models import Person
from nexo.modules.erp.accounting.models import Invoice, Payment
from nexo.modules.erp.context import ACCOUNTING, SALES, ErpContext
from nexo.modules.erp.inventory.models import Product
from nexo.modules.erp.sales.models import Delivery, Quote, SalesOrder
from nexo.modules.erp.sales.services import OrderLineInput, SalesService
from nexo.platform.money import round_money
from nexo.platform.refusals import RefusalError
from nexo.platform.tenancy.context import TenantContext

CUSTOMER_DOCUMENTS = ("customer_invoice", "customer_credit_note")
DOCUMENT_LABELS = {"customer_invoice": "Invoice", "customer_credit_note": "Credit note"}


async def _organization_of(session: AsyncSession, subject: Subject) -> int | None:
    """The customer (organization) whose documents a company's or a person's timeline shows."""
    if subject.organization_id is not None:
        return subject.organization_id
    if subject.person_id is not None:
        organization_id: int | None = await session.scalar(
            select(Person.organization_id).where(Person.id == subject.person_id)
        )
        return organization_id
    return None


def _money(amount: Decimal, currency: str) -> str:
    return f"{round_money(amount, currency)} {currency}"


async def sales_entries(session: AsyncSession, subject: Subject) -> list[TimelineEntry]:
    """Quotes, sales orders and deliveries of the customer (erp.sales); an opportunity's timeline shows its quote."""
    if subject.opportunity_id is not None:
        quotes = await session.scalars(select(Quote).where(Quote.opportunity_id == subject.opportunity_id))
        return [_quote_entry(q) for q in quotes]
    organization_id = await _organization_of(session, subject)
    quote_filter = [Quote.customer_org_id == organization_id] if organization_id is not None else []
    if subject.person_id is not None:
        quote_filter.append(Quote.contact_person_id == subject.person_id)
    if not quote_filter:
        return []
    entries = [_quote_entry(q) for q in await session.scalars(select(Quote).where(or_(*quote_filter)))]
    if organization_id is None:
        return entries
    orders = list(await session.scalars(select(SalesOrder).where(SalesOrder.customer_org_id == organization_id)))
    entries += [
        TimelineEntry(
            o.created_at,
            "sales order",
            f"Sales order {o.number}",
            f"{o.status.replace('_', ' ')} · ordered {o.order_date}",
            f"sales/orders/{o.id}",
            area="erp",
        )
        for o in orders
    ]
    deliveries = await session.execute(
        select(Delivery, SalesOrder)
        .join(SalesOrder, SalesOrder.id == Delivery.order_id)
        .where(SalesOrder.customer_org_id == organization_id)
    )
    entries += [
        TimelineEntry(
            d.created_at,
            "delivery",
            f"Delivery {d.number} for {o.number}",
            f"shipped {d.delivered_on}",
            f"sales/orders/{o.id}#delivery-{d.id}",
            area="erp",
        )
        for d, o in deliveries.tuples()
    ]
    return entries


def _quote_entry(quote: Quote) -> TimelineEntry:
    return TimelineEntry(
        quote.created_at,
        "quote",
        f"Quote {quote.number}",
        f"{quote.status} · {quote.quote_date}",
        f"sales/quotes/{quote.id}",
        area="erp",
    )


async def accounting_entries(session: AsyncSession, subject: Subject) -> list[TimelineEntry]:
    """Posted customer invoices and credit notes of the customer and the payments on them (erp.accounting)."""
    organization_id = await _organization_of(session, subject)
    if organization_id is None:
        return []
    invoices = list(
        await session.scalars(
            select(Invoice).where(
                Invoice.partner_org_id == organization_id,
                Invoice.kind.in_(CUSTOMER_DOCUMENTS),
                Invoice.status != "draft",
            )
        )
    )
    entries = [
        TimelineEntry(
            i.created_at,
            "invoice",
            f"{DOCUMENT_LABELS[i.kind]} {i.number}",
            f"{i.status} · {_money(i.total, i.currency)} · due {_money(i.total - i.amount_paid, i.currency)}",
            f"accounting/invoices/{i.id}",
            area="erp",
        )
        for i in invoices
    ]
    by_id = {i.id: i for i in invoices}
    if by_id:
        payments = await session.scalars(select(Payment).where(Payment.invoice_id.in_(by_id)))
        entries += [
            TimelineEntry(
                p.created_at,
                "payment",
                f"Payment on {by_id[p.invoice_id].number}",
                f"{_money(p.amount, by_id[p.invoice_id].currency)} on {p.paid_on}",
                f"accounting/invoices/{p.invoice_id}#payment-{p.id}",
                area="erp",
            )
            for p in payments
        ]
    return entries


async def open_balance(session: AsyncSession, organization_id: int, currency: str) -> Decimal:
    """What the customer still owes: open amounts of its posted, unpaid or partly paid invoices.

    Credit notes applied to an invoice already count as paid on it (see the accounting service).
    """
    value = await session.scalar(
        select(func.coalesce(func.sum(Invoice.total - Invoice.amount_paid), 0)).where(
            Invoice.partner_org_id == organization_id,
            Invoice.kind == "customer_invoice",
            Invoice.status == "open",
        )
    )
    return round_money(Decimal(value or 0), currency)


async def existing_quote(session: AsyncSession, opportunity_id: int) -> DocumentLink | None:
    quote = await session.scalar(
        select(Quote).where(Quote.opportunity_id == opportunity_id).order_by(Quote.id).limit(1)
    )
    return None if quote is None else DocumentLink(quote.number, f"erp/sales/quotes/{quote.id}")


async def product_choices(session: AsyncSession) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(Product.id, Product.sku, Product.name).where(Product.active).order_by(Product.sku).limit(500)
    )
    return [(pid, f"{sku} · {name}") for pid, sku, name in rows]


FIELDS = {"product_id": "quote_product", "quantity": "quote_quantity", "unit_price": "quote_price"}
MAX_ID_DIGITS = 18  # ids are bigint
MAX_AMOUNT = Decimal(10) ** 13  # quote lines are numeric(18, 4)


async def quote_from_opportunity(
    session: AsyncSession, tenant: TenantContext, opportunity: Opportunity, form: dict[str, str]
) -> DocumentLink:
    """Make the won opportunity's quote (one line from the form), or return the one it already has."""
    # Lock the opportunity so two clicks at once make one quote, not two.
    await session.execute(select(Opportunity.id).where(Opportunity.id == opportunity.id).with_for_update())
    existing = await existing_quote(session, opportunity.id)
    if existing is not None:
        return existing
    if opportunity.status != OpportunityStatus.WON:
        raise IntegrationError("Only a won opportunity becomes a quote.", "quote_product")
    if opportunity.organization_id is None:
        raise IntegrationError("Link a company to the opportunity first: the quote is made out to it.", "quote_product")
    line = _line_from_form(form)
    try:
        async with session.begin_nested():
            quote = await SalesService(session, ErpContext.of(tenant)).quote_from_opportunity(
                opportunity_id=opportunity.id,
                organization_id=opportunity.organization_id,
                lines=[line],
                contact_person_id=opportunity.person_id,
                title=opportunity.title,
            )
    except RefusalError as error:
        raise IntegrationError(error.message, FIELDS.get(error.field, "quote_product")) from error
    return DocumentLink(quote.number, f"erp/sales/quotes/{quote.id}")


def _line_from_form(form: dict[str, str]) -> OrderLineInput:
    product = form.get("quote_product", "").strip()
    if not product.isdigit() or len(product) > MAX_ID_DIGITS:
        raise IntegrationError("Choose the product to quote.", "quote_product")
    quantity = _decimal(form.get("quote_quantity", ""), "quote_quantity", "quantity", Decimal(1))
    if quantity is None or quantity <= 0:
        raise IntegrationError("The quantity must be greater than zero.", "quote_quantity")
    price = _decimal(form.get("quote_price", ""), "quote_price", "unit price", None)
    if price is not None and price < 0:
        raise IntegrationError("The unit price cannot be negative.", "quote_price")
    return OrderLineInput(int(product), quantity, price)


def _decimal(raw: str, field: str, label: str, default: Decimal | None) -> Decimal | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise IntegrationError(f"The {label} must be a number.", field) from None
    if not value.is_finite():
        raise IntegrationError(f"The {label} must be a number.", field)
    if abs(value) >= MAX_AMOUNT:
        raise IntegrationError(f"The {label} is too large.", field)
    return value


def register() -> None:
    """Register the ERP providers with the CRM (idempotent)."""
    register_source(SALES, sales_entries)
    register_source(ACCOUNTING, accounting_entries)
    register_quote_provider(QuoteProvider(SALES, existing_quote, product_choices, quote_from_opportunity))
    register_balance_provider(BalanceProvider(ACCOUNTING, open_balance))


register()

__all__ = ["open_balance", "register"]
