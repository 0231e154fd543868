"""The webhook events of Sales, emitted by its services (the one place that changes its state).

A rolled-back change sends nothing: ``emit`` writes the deliveries in the change's transaction and defers the
delivery jobs until it commits. The payload is the record as the REST API answers it (``representations.py``).
Every helper first asks ``wants`` (one cached query per transaction), so when nobody subscribed a change costs no
refresh and no payload.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.sales.models import Delivery, Quote, SalesOrder
from nexo.modules.erp.sales.representations import delivery_out, order_out, quote_out
from nexo.platform.webhooks.events import emit, payload, refresh_for_event, register_event_types, wants

register_event_types(
    {
        "erp.quote.created": ("A quote was created", "erp.sales.read"),
        "erp.sales_order.confirmed": (
            "A sales order was confirmed (created, or from an accepted quote)",
            "erp.sales.read",
        ),
        "erp.sales_order.delivered": ("Goods of a sales order were delivered", "erp.sales.read"),
    }
)


async def quote_created(session: AsyncSession, quote: Quote) -> None:
    if not await wants(session, "erp.quote.created"):
        return

    await refresh_for_event(session, quote, "lines")
    await emit(session, "erp.quote.created", payload(quote_out(quote)))


async def orders_confirmed(session: AsyncSession, orders: Sequence[SalesOrder]) -> None:
    if not orders or not await wants(session, "erp.sales_order.confirmed"):
        return

    for order in orders:
        await refresh_for_event(session, order, "lines")
        await emit(session, "erp.sales_order.confirmed", payload(order_out(order)))


async def orders_delivered(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
    """One ``erp.sales_order.delivered`` per delivery: ``{"order": …, "delivery": …}``."""
    if not deliveries or not await wants(session, "erp.sales_order.delivered"):
        return

    for delivery in deliveries:
        await refresh_for_event(session, delivery, "lines")
        order = await session.get_one(SalesOrder, delivery.order_id)
        await refresh_for_event(session, order, "lines")
        await emit(
            session,
            "erp.sales_order.delivered",
            {"order": payload(order_out(order)), "delivery": payload(delivery_out(delivery))},
        )
