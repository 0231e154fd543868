"""Webhook subscriptions and the delivery log, for the installation behind the token (``/api/v1/webhooks``)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.api.base import DEFAULT_LIMIT, Page, keyset_page, problem_responses
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import IdParam
from nexo.platform.oauth.models import Installation
from nexo.platform.web.errors import ProblemError
from nexo.platform.webhooks.access import load_refusal
from nexo.platform.webhooks.events import EVENT_TYPES, event_scope, schedule_deliveries
from nexo.platform.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from nexo.platform.webhooks.receivers import ReceiverPolicy, ReceiverRefusedError, check_receiver, receiver_policy
from nexo.platform.webhooks.signing import new_signing_secret

EventType = Annotated[str, msgspec.Meta(min_length=3, max_length=80)]
Limit = Annotated[int, Parameter(ge=1, le=200)]
ANY_TOKEN: list[dict[str, list[str]]] = [{"oauth2": []}]


class SubscriptionCreate(msgspec.Struct, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(min_length=8, max_length=500)]
    event_types: Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=50)]


class SubscriptionOut(msgspec.Struct):
    id: int
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime.datetime


class SubscriptionCreated(SubscriptionOut):
    signing_secret: str  # shown once


class DeliveryOut(msgspec.Struct):
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    created_at: datetime.datetime


def subscription_out(row: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=row.id, url=row.url, event_types=list(row.event_types), active=row.active, created_at=row.created_at
    )


def delivery_out(row: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=str(row.status),
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        last_attempt_at=row.last_attempt_at,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )


def url_error(message: str) -> ProblemError:
    error = ProblemError(400, f"url: {message}.", "validation-error")
    error.extra = [{"key": "url", "message": message, "source": "body"}]
    return error


async def check_receiver_url(url: str, policy: ReceiverPolicy) -> str:
    """The receiver URL, if its host resolves to allowed addresses only (it is checked again at every delivery)."""
    try:
        await check_receiver(url.strip(), policy)
    except ReceiverRefusedError as refused:
        raise url_error(str(refused)) from None
    return url.strip()


async def check_room(session: AsyncSession, installation_id: int, url: str, event_types: list[str], cap: int) -> None:
    """At most ``cap`` active subscriptions per installation, and one per (URL, event type): the installation's row
    is locked so two concurrent requests cannot both pass."""
    await session.execute(select(Installation.id).where(Installation.id == installation_id).with_for_update())
    active = list(
        await session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.installation_id == installation_id, WebhookSubscription.active.is_(True)
            )
        )
    )
    if len(active) >= cap:
        raise ProblemError(
            409, f"This app already has {cap} webhook subscriptions: delete one first.", "too-many-subscriptions"
        )
    taken = sorted({t for row in active if row.url == url for t in row.event_types} & set(event_types))
    if taken:
        raise ProblemError(
            409,
            f"This URL is already subscribed to {', '.join(taken)}.",
            "duplicate-subscription",
            subscription_ids=[row.id for row in active if row.url == url and set(row.event_types) & set(taken)],
        )


async def redeliver(session: AsyncSession, original: WebhookDelivery) -> WebhookDelivery:
    """A new log entry with the same event, delivered after the transaction commits; refused when the app may no
    longer receive the event (disconnected, disabled, or its scopes no longer cover it)."""
    refusal = await load_refusal(session, original.installation_id, original.event_type)
    if refusal is not None:
        raise ProblemError(409, f"Cannot redeliver: {refusal}.", "delivery-not-permitted")
    copy = WebhookDelivery(
        subscription_id=original.subscription_id,
        installation_id=original.installation_id,
        tenant_id=original.tenant_id,
        event_id=original.event_id,
        event_type=original.event_type,
        payload=original.payload,
        status=DeliveryStatus.PENDING,
        attempts=0,
    )
    session.add(copy)
    await session.flush()
    from nexo.platform.webhooks.events import PENDING_KEY

    session.sync_session.info.setdefault(PENDING_KEY, []).append(copy.id)
    return copy


class WebhooksApi(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @get(
        "/event-types",
        security=ANY_TOKEN,
        responses=problem_responses(),
        operation_id="listEventTypes",
        summary="Event types you can subscribe to",
    )
    async def event_types(self) -> dict[str, str]:
        return EVENT_TYPES

    @get(
        "/subscriptions",
        security=ANY_TOKEN,
        responses=problem_responses(),
        operation_id="listSubscriptions",
        summary="This installation's webhook subscriptions",
    )
    async def list_subscriptions(self, db_session: AsyncSession, principal: ApiPrincipal) -> list[SubscriptionOut]:
        rows = await db_session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.installation_id == principal.installation_id)
            .order_by(WebhookSubscription.id)
        )
        return [subscription_out(r) for r in rows]

    @post(
        "/subscriptions",
        security=ANY_TOKEN,
        responses=problem_responses(409),
        operation_id="createSubscription",
        summary="Subscribe a URL to event types",
        status_code=201,
    )
    async def create_subscription(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: SubscriptionCreate,
    ) -> SubscriptionCreated:
        """The answer carries the signing secret once; verify deliveries with it (see the README recipe)."""
        errors = []
        for event_type in data.event_types:
            if event_type not in EVENT_TYPES:
                errors.append({"key": "event_types", "message": f"unknown event type {event_type!r}", "source": "body"})
            elif event_scope(event_type) not in principal.scopes:
                errors.append(
                    {
                        "key": "event_types",
                        "source": "body",
                        "message": f"{event_type!r} needs the {event_scope(event_type)!r} scope",
                    }
                )
        if errors:
            error = ProblemError(400, "Some event types cannot be subscribed to.", "validation-error")
            error.extra = errors
            raise error
        settings = request.app.state["nexo_settings"]
        url = await check_receiver_url(data.url, receiver_policy(settings))
        event_types = sorted(set(data.event_types))
        cap = settings.security.webhook_subscriptions_per_installation
        await check_room(db_session, principal.installation_id, url, event_types, cap)
        row = WebhookSubscription(
            installation_id=principal.installation_id,
            tenant_id=principal.tenant_id,
            url=url,
            event_types=event_types,
            secret=new_signing_secret(),
            active=True,
        )
        db_session.add(row)
        await db_session.flush()
        await db_session.refresh(row)
        out = subscription_out(row)
        return SubscriptionCreated(**msgspec.structs.asdict(out), signing_secret=row.secret)

    @delete(
        "/subscriptions/{subscription_id:int}",
        security=ANY_TOKEN,
        responses=problem_responses(404),
        operation_id="deleteSubscription",
        summary="Stop a subscription",
    )
    async def delete_subscription(
        self, db_session: AsyncSession, principal: ApiPrincipal, subscription_id: IdParam
    ) -> None:
        row = await db_session.get(WebhookSubscription, subscription_id)
        if row is None or row.installation_id != principal.installation_id:
            raise ProblemError(404, "No such subscription for this installation.", "not-found")
        await db_session.delete(row)

    @get(
        "/deliveries",
        security=ANY_TOKEN,
        responses=problem_responses(),
        operation_id="listDeliveries",
        summary="Delivery log, newest first",
    )
    async def list_deliveries(
        self,
        db_session: AsyncSession,
        principal: ApiPrincipal,
        status: str | None = None,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[DeliveryOut]:
        statement = select(WebhookDelivery).where(WebhookDelivery.installation_id == principal.installation_id)
        if status:
            if status not in {s.value for s in DeliveryStatus}:
                raise ProblemError(400, "status: one of pending, retrying, succeeded, failed.", "validation-error")
            statement = statement.where(WebhookDelivery.status == DeliveryStatus(status))
        rows, next_cursor = await keyset_page(
            db_session,
            statement,
            sortable={"id": WebhookDelivery.id},
            id_column=WebhookDelivery.id,
            sort="-id",
            cursor=cursor,
            limit=limit,
        )
        return Page(data=[delivery_out(r) for r in rows], next_cursor=next_cursor)

    @post(
        "/deliveries/{delivery_id:int}/redeliver",
        security=ANY_TOKEN,
        responses=problem_responses(404, 409),
        operation_id="redeliver",
        summary="Send a delivery again",
        status_code=202,
    )
    async def redeliver(self, db_session: AsyncSession, principal: ApiPrincipal, delivery_id: IdParam) -> DeliveryOut:
        row = await db_session.get(WebhookDelivery, delivery_id)
        if row is None or row.installation_id != principal.installation_id:
            raise ProblemError(404, "No such delivery for this installation.", "not-found")
        return delivery_out(await redeliver(db_session, row))


__all__ = ["WebhooksApi", "schedule_deliveries"]
