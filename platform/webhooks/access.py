"""Whether an installed app may still receive an event: the one rule used when events are recorded, when queued
deliveries are sent, on redelivery, and when an installation is revoked or its scopes narrowed.

An app receives an event only while its installation is not revoked, its client is not disabled and the
installation's scopes include the event's scope. Checking at send time (not only at subscription) is what stops a
delivery already queued when the app was disconnected.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.oauth.models import Installation, OAuthClient
from nexo.platform.webhooks.event_types import event_scope
from nexo.platform.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

DISCONNECTED = "the app was disconnected from the workspace"
NOT_PERMITTED = "the app may no longer receive this event"


def delivery_refusal(installation: Installation | None, client: OAuthClient | None, event_type: str) -> str | None:
    """Why this event may not go to the installation's app any more, or ``None`` when it may."""
    if installation is None or client is None or installation.revoked_at is not None or client.disabled_at:
        return DISCONNECTED
    if event_scope(event_type) not in set(installation.scopes):
        return NOT_PERMITTED
    return None


async def load_refusal(session: AsyncSession, installation_id: int, event_type: str) -> str | None:
    row = (
        await session.execute(
            select(Installation, OAuthClient)
            .join(OAuthClient, OAuthClient.id == Installation.client_pk)
            .where(Installation.id == installation_id)
        )
    ).first()
    if row is None:
        return DISCONNECTED
    return delivery_refusal(row[0], row[1], event_type)


async def stop_deliveries(session: AsyncSession, installation: Installation) -> None:
    """Bring the installation's subscriptions and queued deliveries in line with what it may receive now.

    A revoked installation loses every subscription; a narrowed one loses the event types its scopes no longer
    cover (a subscription left with none is deactivated). Deliveries still pending or retrying for events it may
    not receive are marked failed, so the log says why they were never sent."""
    revoked = installation.revoked_at is not None
    scopes = set(installation.scopes)
    subscriptions = await session.scalars(
        select(WebhookSubscription).where(
            WebhookSubscription.installation_id == installation.id, WebhookSubscription.active.is_(True)
        )
    )
    for subscription in subscriptions:
        if revoked:
            subscription.active = False
            continue
        kept = [t for t in subscription.event_types if event_scope(t) in scopes]
        if kept != list(subscription.event_types):
            subscription.event_types = kept
        if not kept:
            subscription.active = False
    queued = await session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.installation_id == installation.id,
            WebhookDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
        )
    )
    stopped = [d.id for d in queued if revoked or event_scope(d.event_type) not in scopes]
    if stopped:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(stopped))
            .values(status=DeliveryStatus.FAILED, last_error=DISCONNECTED if revoked else NOT_PERMITTED)
        )
    await session.flush()
