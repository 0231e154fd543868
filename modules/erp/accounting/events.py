"""The webhook events of Accounting, emitted by its services (the one place that changes its state).

A rolled-back change sends nothing: ``emit`` writes the deliveries in the change's transaction and defers the
delivery jobs until it commits. The payload is the record as the REST API answers it (``representations.py``).
Every helper first asks ``wants`` (one cached query per transaction), so when nobody subscribed a change costs no
refresh and no payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.accounting.models import Invoice, Payment
from nexo.modules.erp.accounting.representations import invoice_out, payment_out
from nexo.platform.webhooks.events import emit, payload, refresh_for_event, register_event_types, wants

register_event_types(
    {
        "erp.invoice.posted": ("A customer invoice, supplier bill or credit note was posted", "erp.accounting.read"),
        "erp.payment.created": ("A payment was recorded against an invoice or bill", "erp.accounting.read"),
        "erp.invoice.paid": ("An invoice or bill is fully paid", "erp.accounting.read"),
    }
)


async def _invoicepayload(session: AsyncSession, invoice: Invoice) -> dict[str, Any]:

    await refresh_for_event(session, invoice, "lines")
    return payload(invoice_out(invoice))


async def invoices_posted(session: AsyncSession, invoices: Sequence[Invoice]) -> None:
    """One ``erp.invoice.posted`` per document of a posting batch (nothing at all when nobody subscribed)."""
    if not invoices or not await wants(session, "erp.invoice.posted"):
        return
    for invoice in invoices:
        await emit(session, "erp.invoice.posted", await _invoicepayload(session, invoice))


async def invoice_paid(session: AsyncSession, invoice: Invoice) -> None:
    if not await wants(session, "erp.invoice.paid"):
        return
    await emit(session, "erp.invoice.paid", await _invoicepayload(session, invoice))


async def payment_created(session: AsyncSession, payment: Payment, invoice: Invoice) -> None:
    """``erp.payment.created`` (``{"payment": …, "invoice": …}``), then ``erp.invoice.paid`` once it is settled."""
    if await wants(session, "erp.payment.created"):
        await refresh_for_event(session, payment)
        await emit(
            session,
            "erp.payment.created",
            {
                "payment": payload(payment_out(payment, invoice.currency)),
                "invoice": await _invoicepayload(session, invoice),
            },
        )
    if invoice.status == "paid":
        await invoice_paid(session, invoice)
