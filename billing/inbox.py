"""The webhook inbox: store each verified event once (unique event id), then process it once through the queue."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.billing.accounts import reconcile_account
from nexo.billing.models import BillingAccount, InboxStatus, WebhookEvent

# Events that can change what a tenant pays or may do; anything else is stored and marked processed.
HANDLED_PREFIXES = ("invoice.", "customer.subscription.", "customer.deleted", "payment_method.", "setup_intent.")


async def store_event(session: AsyncSession, event: dict[str, Any]) -> int | None:
    """Insert the event unless its id is known; the new row's id, or ``None`` for a duplicate delivery."""
    row_id: int | None = await session.scalar(
        insert(WebhookEvent)
        .values(
            event_id=str(event["id"]),
            event_type=str(event.get("type", "")),
            payload=event,
            status=InboxStatus.RECEIVED,
            attempts=0,
            error="",
        )
        .on_conflict_do_nothing(index_elements=[WebhookEvent.event_id])
        .returning(WebhookEvent.id)
    )
    return row_id


def customer_of(event: dict[str, Any]) -> str | None:
    obj = event.get("data", {}).get("object", {}) or {}
    if obj.get("object") == "customer":
        return str(obj.get("id"))
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return str(customer) if customer else None


async def claim(session: AsyncSession, row_id: int) -> WebhookEvent | None:
    """Mark the event processing (one attempt more), unless it is processed or another worker holds it."""
    claimed: WebhookEvent | None = await session.scalar(
        update(WebhookEvent)
        .where(WebhookEvent.id == row_id, WebhookEvent.status.in_([InboxStatus.RECEIVED, InboxStatus.FAILED]))
        .values(status=InboxStatus.PROCESSING, attempts=WebhookEvent.attempts + 1)
        .returning(WebhookEvent)
    )
    return claimed


async def process_event(sessions: async_sessionmaker[AsyncSession], row_id: int, now: datetime.datetime) -> str:
    """Process one stored event: re-read its tenant's subscriptions from the provider and apply the state."""
    async with sessions() as session, session.begin():
        event = await claim(session, row_id)
        if event is None:
            return "skipped"
        payload = event.payload
    try:
        async with sessions() as session, session.begin():
            tenant_id = await _handle(session, payload, now)
            await session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id == row_id)
                .values(status=InboxStatus.PROCESSED, error="", tenant_id=tenant_id, processed_at=now)
            )
    except Exception as exc:
        async with sessions() as session, session.begin():
            await session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id == row_id)
                .values(status=InboxStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
            )
        raise
    return "processed"


async def _handle(session: AsyncSession, payload: dict[str, Any], now: datetime.datetime) -> int | None:
    customer_id = customer_of(payload)
    if customer_id is None:
        return None
    tenant_id = await session.scalar(select(BillingAccount.tenant_id).where(BillingAccount.customer_id == customer_id))
    if tenant_id is None:
        return None  # not one of ours (another app on the same Stripe account): stored, nothing to do
    if str(payload.get("type", "")).startswith(HANDLED_PREFIXES):
        await reconcile_account(session, tenant_id, now)
    return tenant_id
