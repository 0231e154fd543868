"""The webhook events of Inventory, emitted by its services (the one place that changes its state).

A rolled-back change sends nothing: ``emit`` writes the deliveries in the change's transaction and defers the
delivery jobs until it commits. The payload is the record as the REST API answers it (``representations.py``).
Every helper first asks ``wants`` (one cached query per transaction), so when nobody subscribed a change costs no
refresh and no payload.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.inventory.models import Product, StockMove
from nexo.modules.erp.inventory.representations import move_out, product_out
from nexo.platform.webhooks.events import emit, payload, refresh_for_event, register_event_types, wants

register_event_types(
    {
        "erp.product.created": ("A product was created", "erp.inventory.read"),
        "erp.product.updated": ("A product changed (or was deactivated)", "erp.inventory.read"),
        "erp.stock_move.created": ("Stock was adjusted or transferred", "erp.inventory.read"),
    }
)


async def product_event(session: AsyncSession, event_type: str, product: Product) -> None:
    """``erp.product.created`` or ``.updated``."""
    if not await wants(session, event_type):
        return

    await refresh_for_event(session, product)
    await emit(session, event_type, payload(product_out(product)))


async def stock_move_created(session: AsyncSession, move_id: int) -> None:
    """A stock adjustment or transfer (the moves of deliveries, receipts and work orders come with their own
    documents' events)."""
    if not await wants(session, "erp.stock_move.created"):
        return

    await session.flush()
    row = await session.get_one(StockMove, move_id)
    await emit(session, "erp.stock_move.created", payload(move_out(row)))
