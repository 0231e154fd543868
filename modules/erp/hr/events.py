"""The webhook events of HR, emitted by its services (the one place that changes its state).

A rolled-back change sends nothing: ``emit`` writes the deliveries in the change's transaction and defers the
delivery jobs until it commits. The payload is the record as the REST API answers it (``representations.py``).
Every helper first asks ``wants`` (one cached query per transaction), so when nobody subscribed a change costs no
refresh and no payload.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.hr.models import LeaveRequest
from nexo.modules.erp.hr.representations import leave_out
from nexo.platform.webhooks.events import emit, payload, refresh_for_event, register_event_types, wants

register_event_types(
    {
        "erp.leave_request.created": ("A leave request was made", "erp.hr.read"),
        "erp.leave_request.decided": ("A leave request was approved or refused", "erp.hr.read"),
    }
)


async def leave_request_event(session: AsyncSession, event_type: str, leave: LeaveRequest) -> None:
    """``erp.leave_request.created`` or ``.decided``."""
    if not await wants(session, event_type):
        return

    await refresh_for_event(session, leave)
    await emit(session, event_type, payload(leave_out(leave)))
