"""The webhook events of Purchasing, emitted by its services (the one place that changes its state).

A rolled-back change sends nothing: ``emit`` writes the deliveries in the change's transaction and defers the
delivery jobs until it commits. The payload is the record as the REST API answers it (``representations.py``).
Every helper first asks ``wants`` (one cached query per transaction), so when nobody subscribed a change costs no
refresh and no payload.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.purchasing.models import PurchaseOrder, Receipt
from nexo.modules.erp.purchasing.representations import order_out, receipt_out
from nexo.platform.webhooks.events import emit, payload, refresh_for_event, register_event_types, wants

register_event_types(
    {
        "erp.purchase_order.created": ("A purchase order was created", "erp.purchasing.read"),
        "erp.purchase_order.sent": ("A purchase order was sent to the supplier", "erp.purchasing.read"),
        "erp.purchase_order.received": ("Goods of a purchase order were received", "erp.purchasing.read"),
    }
)


async def purchase_order_event(session: AsyncSession, event_type: str, order: PurchaseOrder) -> None:
    """``erp.purchase_order.created`` or ``.sent``."""
    if not await wants(session, event_type):
        return

    await refresh_for_event(session, order, "lines")
    await emit(session, event_type, payload(order_out(order)))


async def purchase_order_received(session: AsyncSession, receipt: Receipt) -> None:
    if not await wants(session, "erp.purchase_order.received"):
        return

    await refresh_for_event(session, receipt, "lines")
    order = await session.get_one(PurchaseOrder, receipt.order_id)
    await refresh_for_event(session, order, "lines")
    await emit(
        session,
        "erp.purchase_order.received",
        {"order": payload(order_out(order)), "receipt": payload(receipt_out(receipt))},
    )
