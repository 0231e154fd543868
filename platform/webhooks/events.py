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

import msgspec
import structlog
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from nexo.platform.db.base import utcnow
from nexo.platform.db.tenancy import bound_schema
from nexo.platform.oauth.models import Installation, OAuthClient
from nexo.platform.webhooks.event_types import EVENT_SCOPES as EVENT_SCOPES
from nexo.platform.webhooks.event_types import EVENT_TYPES as EVENT_TYPES
from nexo.platform.webhooks.event_types import event_scope as event_scope
from nexo.platform.webhooks.event_types import register_event_types as register_event_types
from nexo.platform.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

logger = structlog.get_logger("nexo.webhooks")

PENDING_KEY = "nexo_webhook_pending"
SUBSCRIPTIONS_KEY = "nexo_webhook_subscriptions"
_background: set[asyncio.Task[Any]] = set()


def tenant_id_of(session: Session | AsyncSession) -> int | None:
    schema = bound_schema(session)
    return int(schema.rsplit("_", 1)[1]) if schema else None


async def _subscriptions(session: AsyncSession, tenant_id: int) -> list[tuple[int, int, frozenset[str]]]:
    """The tenant's active subscriptions, each with only the event types its app may still receive (installation
    not revoked, client not disabled, the event's scope granted); read once per transaction."""
    info = session.sync_session.info
    cached = info.get(SUBSCRIPTIONS_KEY)
    if cached is not None and cached[0] == tenant_id:
        return list(cached[1])
    rows = (
        await session.execute(
            select(WebhookSubscription.id, WebhookSubscription.installation_id, WebhookSubscription.event_types)
            .add_columns(Installation.scopes)
            .join(Installation, Installation.id == WebhookSubscription.installation_id)
            .join(OAuthClient, OAuthClient.id == Installation.client_pk)
            .where(
                WebhookSubscription.tenant_id == tenant_id,
                WebhookSubscription.active.is_(True),
                Installation.revoked_at.is_(None),
                OAuthClient.disabled_at.is_(None),
            )
        )
    ).all()
    found = []
    for subscription_id, installation_id, event_types, scopes in rows:
        granted = set(scopes or ())
        permitted = frozenset(t for t in event_types or () if event_scope(t) in granted)
        if permitted:
            found.append((subscription_id, installation_id, permitted))
    info[SUBSCRIPTIONS_KEY] = (tenant_id, found)
    return found


async def wants(session: AsyncSession, *event_types: str) -> bool:
    """Whether any active subscription of the session's tenant listens to one of ``event_types`` (lets a caller
    skip building a payload nobody receives)."""
    tenant_id = tenant_id_of(session)
    if tenant_id is None:
        return False
    return any(set(event_types) & s[2] for s in await _subscriptions(session, tenant_id))


async def emit(session: AsyncSession, event_type: str, data: dict[str, Any]) -> int:
    """Record deliveries of ``event_type`` for the tenant the session is bound to; returns how many."""
    tenant_id = tenant_id_of(session)
    if tenant_id is None:
        raise RuntimeError("emit() needs a tenant-bound session")
    matching = [s for s in await _subscriptions(session, tenant_id) if event_type in s[2]]
    if not matching:
        return 0
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {"id": event_id, "type": event_type, "created_at": utcnow().isoformat(), "data": data}
    rows = [
        {
            "subscription_id": s[0],
            "installation_id": s[1],
            "tenant_id": tenant_id,
            "event_id": event_id,
            "event_type": event_type,
            "payload": {**payload, "installation_id": s[1]},
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
        }
        for s in matching
    ]
    ids = (await session.execute(insert(WebhookDelivery).returning(WebhookDelivery.id), rows)).scalars().all()
    session.sync_session.info.setdefault(PENDING_KEY, []).extend(ids)
    return len(ids)


@event.listens_for(Session, "after_commit")
def _defer_after_commit(session: Session) -> None:
    session.info.pop(SUBSCRIPTIONS_KEY, None)
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        schedule_deliveries(list(pending))


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(SUBSCRIPTIONS_KEY, None)


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


def payload(record: msgspec.Struct) -> dict[str, Any]:
    """An event's data: the record's representation (the struct the REST API answers) as JSON-ready builtins."""
    data: dict[str, Any] = msgspec.to_builtins(record)
    return data


async def refresh_for_event(session: AsyncSession, record: Any, *relations: str) -> None:
    """Flush, then reload server-set columns (ids, timestamps, ``updated_at`` of set-based updates) and
    ``relations`` so the event carries what a ``GET`` would answer."""
    await session.flush()
    await session.refresh(record)
    if relations:
        await session.refresh(record, list(relations))
