"""The webhook events of Manufacturing, emitted by its services (the one place that changes its state).

A rolled-back change sends nothing: ``emit`` writes the deliveries in the change's transaction and defers the
delivery jobs until it commits. The payload is the record as the REST API answers it (``representations.py``).
Every helper first asks ``wants`` (one cached query per transaction), so when nobody subscribed a change costs no
refresh and no payload.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.manufacturing.models import WorkOrder
from nexo.modules.erp.manufacturing.representations import work_order_out
from nexo.platform.webhooks.events import emit, payload, refresh_for_event, register_event_types, wants

register_event_types(
    {
        "erp.work_order.completed": ("A work order was completed", "erp.manufacturing.read"),
    }
)


async def work_order_completed(session: AsyncSession, order: WorkOrder) -> None:
    if not await wants(session, "erp.work_order.completed"):
        return

    await refresh_for_event(session, order)
    await emit(session, "erp.work_order.completed", payload(work_order_out(order)))
