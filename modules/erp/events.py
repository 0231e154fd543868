"""The webhook events the ERP services emit.

The services are the one place that changes each kind of ERP state, so they emit the events: a sales order
confirmed, an invoice posted or paid from the pages, a CSV import, a batch posting or the API sends the same event,
and a rolled-back change sends nothing (``emit`` writes the deliveries in the change's transaction and defers the
delivery jobs until it commits).

The payload of an event is the record as the REST API answers it: the ``*_out`` builders of the API modules, so a
webhook and a ``GET`` of the same record carry the same fields. They are imported when an event is built (the API
modules import the services). Every helper first asks ``wants`` (one cached query per transaction), so when nobody
subscribed a change costs no refresh and no payload — the batch posting paths stay set-based.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.webhooks.events import emit, register_event_types, wants

if TYPE_CHECKING:
    from nexo.modules.erp.accounting.models import Invoice, Payment
    from nexo.modules.erp.hr.models import LeaveRequest
    from nexo.modules.erp.inventory.models import Product
    from nexo.modules.erp.inventory.services import RecordedMove
    from nexo.modules.erp.manufacturing.models import WorkOrder
    from nexo.modules.erp.purchasing.models import PurchaseOrder, Receipt
    from nexo.modules.erp.sales.models import Delivery, Quote, SalesOrder

register_event_types(
    {
        "erp.product.created": ("A product was created", "erp.inventory.read"),
        "erp.product.updated": ("A product changed (or was deactivated)", "erp.inventory.read"),
        "erp.stock_move.created": ("Stock was adjusted or transferred", "erp.inventory.read"),
        "erp.purchase_order.created": ("A purchase order was created", "erp.purchasing.read"),
        "erp.purchase_order.sent": ("A purchase order was sent to the supplier", "erp.purchasing.read"),
        "erp.purchase_order.received": ("Goods of a purchase order were received", "erp.purchasing.read"),
        "erp.quote.created": ("A quote was created", "erp.sales.read"),
        "erp.sales_order.confirmed": (
            "A sales order was confirmed (created, or from an accepted quote)",
            "erp.sales.read",
        ),
        "erp.sales_order.delivered": ("Goods of a sales order were delivered", "erp.sales.read"),
        "erp.invoice.posted": ("A customer invoice, supplier bill or credit note was posted", "erp.accounting.read"),
        "erp.payment.created": ("A payment was recorded against an invoice or bill", "erp.accounting.read"),
        "erp.invoice.paid": ("An invoice or bill is fully paid", "erp.accounting.read"),
        "erp.leave_request.created": ("A leave request was made", "erp.hr.read"),
        "erp.leave_request.decided": ("A leave request was approved or refused", "erp.hr.read"),
        "erp.work_order.completed": ("A work order was completed", "erp.manufacturing.read"),
    }
)


def _data(record: msgspec.Struct) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(record)
    return data


async def _fresh(session: AsyncSession, record: Any, *relations: str) -> None:
    """Flush, then reload server-set columns (ids, timestamps, ``updated_at`` of set-based updates) and
    ``relations`` so the event carries what a ``GET`` would answer."""
    await session.flush()
    await session.refresh(record)
    if relations:
        await session.refresh(record, list(relations))


# --- sales ---------------------------------------------------------------------------------------------------


async def quote_created(session: AsyncSession, quote: Quote) -> None:
    if not await wants(session, "erp.quote.created"):
        return
    from nexo.modules.erp.sales.api import quote_out

    await _fresh(session, quote, "lines")
    await emit(session, "erp.quote.created", _data(quote_out(quote)))


async def orders_confirmed(session: AsyncSession, orders: Sequence[SalesOrder]) -> None:
    if not orders or not await wants(session, "erp.sales_order.confirmed"):
        return
    from nexo.modules.erp.sales.api import order_out

    for order in orders:
        await _fresh(session, order, "lines")
        await emit(session, "erp.sales_order.confirmed", _data(order_out(order)))


async def orders_delivered(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
    """One ``erp.sales_order.delivered`` per delivery: ``{"order": …, "delivery": …}``."""
    if not deliveries or not await wants(session, "erp.sales_order.delivered"):
        return
    from nexo.modules.erp.sales.api import delivery_out, order_out
    from nexo.modules.erp.sales.models import SalesOrder

    for delivery in deliveries:
        await _fresh(session, delivery, "lines")
        order = await session.get_one(SalesOrder, delivery.order_id)
        await _fresh(session, order, "lines")
        await emit(
            session,
            "erp.sales_order.delivered",
            {"order": _data(order_out(order)), "delivery": _data(delivery_out(delivery))},
        )


# --- purchasing ----------------------------------------------------------------------------------------------


async def purchase_order_event(session: AsyncSession, event_type: str, order: PurchaseOrder) -> None:
    """``erp.purchase_order.created`` or ``.sent``."""
    if not await wants(session, event_type):
        return
    from nexo.modules.erp.purchasing.api import order_out

    await _fresh(session, order, "lines")
    await emit(session, event_type, _data(order_out(order)))


async def purchase_order_received(session: AsyncSession, receipt: Receipt) -> None:
    if not await wants(session, "erp.purchase_order.received"):
        return
    from nexo.modules.erp.purchasing.api import order_out, receipt_out
    from nexo.modules.erp.purchasing.models import PurchaseOrder

    await _fresh(session, receipt, "lines")
    order = await session.get_one(PurchaseOrder, receipt.order_id)
    await _fresh(session, order, "lines")
    await emit(
        session,
        "erp.purchase_order.received",
        {"order": _data(order_out(order)), "receipt": _data(receipt_out(receipt))},
    )


# --- accounting ----------------------------------------------------------------------------------------------


async def _invoice_data(session: AsyncSession, invoice: Invoice) -> dict[str, Any]:
    from nexo.modules.erp.accounting.api import invoice_out

    await _fresh(session, invoice, "lines")
    return _data(invoice_out(invoice))


async def invoices_posted(session: AsyncSession, invoices: Sequence[Invoice]) -> None:
    """One ``erp.invoice.posted`` per document of a posting batch (nothing at all when nobody subscribed)."""
    if not invoices or not await wants(session, "erp.invoice.posted"):
        return
    for invoice in invoices:
        await emit(session, "erp.invoice.posted", await _invoice_data(session, invoice))


async def invoice_paid(session: AsyncSession, invoice: Invoice) -> None:
    if not await wants(session, "erp.invoice.paid"):
        return
    await emit(session, "erp.invoice.paid", await _invoice_data(session, invoice))


async def payment_created(session: AsyncSession, payment: Payment, invoice: Invoice) -> None:
    """``erp.payment.created`` (``{"payment": …, "invoice": …}``), then ``erp.invoice.paid`` once it is settled."""
    if await wants(session, "erp.payment.created"):
        from nexo.modules.erp.accounting.api import payment_out

        await _fresh(session, payment)
        await emit(
            session,
            "erp.payment.created",
            {
                "payment": _data(payment_out(payment, invoice.currency)),
                "invoice": await _invoice_data(session, invoice),
            },
        )
    if invoice.status == "paid":
        await invoice_paid(session, invoice)


# --- inventory -----------------------------------------------------------------------------------------------


async def product_event(session: AsyncSession, event_type: str, product: Product) -> None:
    """``erp.product.created`` or ``.updated``."""
    if not await wants(session, event_type):
        return
    from nexo.modules.erp.inventory.api import product_out

    await _fresh(session, product)
    await emit(session, event_type, _data(product_out(product)))


async def stock_move_created(session: AsyncSession, move: RecordedMove) -> None:
    """A stock adjustment or transfer (the moves of deliveries, receipts and work orders come with their own
    documents' events)."""
    if not await wants(session, "erp.stock_move.created"):
        return
    from nexo.modules.erp.inventory.api import move_out
    from nexo.modules.erp.inventory.models import StockMove

    await session.flush()
    row = await session.get_one(StockMove, move.id)
    await emit(session, "erp.stock_move.created", _data(move_out(row)))


# --- hr and manufacturing ------------------------------------------------------------------------------------


async def leave_request_event(session: AsyncSession, event_type: str, leave: LeaveRequest) -> None:
    """``erp.leave_request.created`` or ``.decided``."""
    if not await wants(session, event_type):
        return
    from nexo.modules.erp.hr.api import leave_out

    await _fresh(session, leave)
    await emit(session, event_type, _data(leave_out(leave)))


async def work_order_completed(session: AsyncSession, order: WorkOrder) -> None:
    if not await wants(session, "erp.work_order.completed"):
        return
    from nexo.modules.erp.manufacturing.api import work_order_out

    await _fresh(session, order)
    await emit(session, "erp.work_order.completed", _data(work_order_out(order)))
