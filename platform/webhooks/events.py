"""Domain events → webhook deliveries.

Services call ``emit(session, "crm.contact.created", data)`` (one line, inside their transaction). The deliveries
for every matching subscription of the session's tenant are written in the same transaction, and their delivery
jobs are deferred only after it commits: a rolled-back change sends nothing, and the HTTP call to the partner
happens in the worker, so a receiver that is down never slows the request that caused the event.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import structlog
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from nexo.platform.db.base import utcnow
from nexo.platform.db.tenancy import bound_schema
from nexo.platform.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

logger = structlog.get_logger("nexo.webhooks")

PENDING_KEY = "nexo_webhook_pending"
EVENT_TYPES: dict[str, str] = {
    "directory.person.created": "A person was added to the directory",
    "directory.person.updated": "A person in the directory changed",
    "directory.person.deleted": "A person was removed from the directory",
    "directory.organization.created": "An organization was added to the directory",
    "directory.organization.updated": "An organization in the directory changed",
    "directory.organization.deleted": "An organization was removed from the directory",
    "crm.contact.created": "A CRM contact was created",
    "crm.contact.updated": "A CRM contact changed",
    "crm.contact.deleted": "A CRM contact was deleted",
    "crm.company.created": "A CRM company was created",
    "crm.company.updated": "A CRM company changed",
    "crm.company.deleted": "A CRM company was deleted",
}
# Event types whose scope is not ``<first part>.read`` (``erp.invoice.paid`` needs ``erp.accounting.read``).
EVENT_SCOPES: dict[str, str] = {}
_background: set[asyncio.Task[Any]] = set()


def register_event_types(types: dict[str, tuple[str, str]]) -> None:
    """Modules add their event types: ``{event_type: (description, scope needed to receive it)}``."""
    for event_type, (description, scope) in types.items():
        EVENT_TYPES[event_type] = description
        EVENT_SCOPES[event_type] = scope


def event_scope(event_type: str) -> str:
    """The scope needed to receive an event: ``<module>.read`` (``crm.contact.created`` → ``crm.read``)."""
    return EVENT_SCOPES.get(event_type) or event_type.split(".", 1)[0] + ".read"


def tenant_id_of(session: Session | AsyncSession) -> int | None:
    schema = bound_schema(session)
    return int(schema.rsplit("_", 1)[1]) if schema else None


async def emit(session: AsyncSession, event_type: str, data: dict[str, Any]) -> int:
    """Record deliveries of ``event_type`` for the tenant the session is bound to; returns how many."""
    tenant_id = tenant_id_of(session)
    if tenant_id is None:
        raise RuntimeError("emit() needs a tenant-bound session")
    subscriptions = (
        await session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.tenant_id == tenant_id, WebhookSubscription.active.is_(True)
            )
        )
    ).all()
    matching = [s for s in subscriptions if event_type in s.event_types]
    if not matching:
        return 0
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {"id": event_id, "type": event_type, "created_at": utcnow().isoformat(), "data": data}
    rows = [
        {"subscription_id": s.id, "installation_id": s.installation_id, "tenant_id": tenant_id, "event_id": event_id,
         "event_type": event_type, "payload": {**payload, "installation_id": s.installation_id},
         "status": DeliveryStatus.PENDING, "attempts": 0}
        for s in matching
    ]  # fmt: skip
    ids = (await session.execute(insert(WebhookDelivery).returning(WebhookDelivery.id), rows)).scalars().all()
    session.sync_session.info.setdefault(PENDING_KEY, []).extend(ids)
    return len(ids)


@event.listens_for(Session, "after_commit")
def _defer_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        schedule_deliveries(list(pending))


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def schedule_deliveries(delivery_ids: list[int]) -> None:
    """Defer one delivery job per id, off the request path."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        logger.warning("no event loop: webhook deliveries stay pending", deliveries=delivery_ids)
        return
    task = loop.create_task(_defer(delivery_ids))
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _defer(delivery_ids: list[int]) -> None:
    from nexo.platform.webhooks.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            await deliver_webhook.defer_async(delivery_id=delivery_id)
        except Exception:  # the job queue is down: the delivery stays pending and can be redelivered
            logger.exception("could not defer webhook delivery", delivery=delivery_id)


async def wait_for_deferrals() -> None:
    """Tests: wait until deliveries deferred by committed transactions are in the queue."""
    # the tasks may run on another loop (the test client's portal), so poll rather than await them
    while _background:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
