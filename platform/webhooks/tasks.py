"""Delivering webhooks from the worker, with exponential backoff (procrastinate retries)."""

from __future__ import annotations

import datetime
import json
from functools import lru_cache

import httpx
import structlog
from procrastinate import JobContext, RetryStrategy
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.db.base import utcnow
from nexo.platform.db.engine import create_engine, create_session_maker
from nexo.platform.jobs import jobs
from nexo.platform.settings import Settings
from nexo.platform.webhooks.access import load_refusal
from nexo.platform.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from nexo.platform.webhooks.receivers import (
    ReceiverPolicy,
    ReceiverRefusedError,
    Target,
    check_receiver,
    receiver_policy,
)
from nexo.platform.webhooks.signing import SIGNATURE_HEADER, sign

logger = structlog.get_logger("nexo.webhooks")

MAX_ATTEMPTS = 8  # waits 4 s, 16 s, 64 s, ... about 18 h in all
RETRY = RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, exponential_wait=4)
TIMEOUT_SECONDS = 10.0
THROTTLE_SECONDS = 60
THROTTLED = "throttled"


class DeliveryFailedError(Exception):
    """The receiver did not answer 2xx; procrastinate retries the job."""


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def _sessions() -> async_sessionmaker[AsyncSession]:
    return create_session_maker(create_engine(_settings(), pool_size=2, max_overflow=2))


@jobs.task(name="nexo.webhooks.deliver", queue="webhooks", retry=RETRY, pass_context=True)
async def deliver_webhook(context: JobContext, delivery_id: int) -> str:
    attempt = (context.job.attempts if context.job else 0) + 1
    settings = _settings()
    outcome = await attempt_delivery(
        _sessions(),
        delivery_id,
        final=attempt >= MAX_ATTEMPTS,
        policy=receiver_policy(settings),
        per_minute=settings.security.webhook_deliveries_per_minute,
    )
    if outcome == THROTTLED:  # this installation used its minute: try again in the next one (not an attempt)
        await deliver_webhook.configure(schedule_in={"seconds": THROTTLE_SECONDS}).defer_async(delivery_id=delivery_id)
    return outcome


async def _sent_last_minute(session: AsyncSession, installation_id: int) -> int:
    since = utcnow() - datetime.timedelta(seconds=THROTTLE_SECONDS)
    count = await session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.installation_id == installation_id, WebhookDelivery.last_attempt_at >= since)
    )
    return int(count or 0)


async def _post(target: Target, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """POST to the checked address (never re-resolved), without following redirects; errors are generic."""
    extensions = {"sni_hostname": target.server_name} if target.https else {}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            response = await client.post(
                target.connect_url,
                content=body,
                headers={**headers, "Host": target.host_header},
                extensions=extensions,
            )
    except httpx.TimeoutException:
        return None, "the receiver did not answer in time"
    except httpx.HTTPError:
        return None, "could not connect to the receiver"
    if 300 <= response.status_code < 400:
        return response.status_code, "the receiver answered with a redirect (redirects are not followed)"
    if not 200 <= response.status_code < 300:
        return response.status_code, f"receiver answered {response.status_code}"
    return response.status_code, None


async def attempt_delivery(
    sessions: async_sessionmaker[AsyncSession],
    delivery_id: int,
    *,
    final: bool,
    policy: ReceiverPolicy,
    per_minute: int,
) -> str:
    """POST the signed event once and log the outcome; raise ``DeliveryFailedError`` to have it retried.

    Nothing is sent when the app may no longer receive the event (disconnected, disabled, scope narrowed: also for
    jobs queued before that), when the receiver's address is not allowed, or when the installation has used its
    deliveries for this minute (``"throttled"``: the caller schedules it again)."""
    async with sessions() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
            return "skipped"
        subscription = await session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is None or not subscription.active:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, "subscription removed"
            await session.commit()
            return "no subscription"
        refusal = await load_refusal(session, delivery.installation_id, delivery.event_type)
        if refusal is not None:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, refusal
            await session.commit()
            return "not permitted"
        if await _sent_last_minute(session, delivery.installation_id) >= per_minute:
            return THROTTLED
        try:
            target = await check_receiver(subscription.url, policy)
        except ReceiverRefusedError as refused:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, f"receiver refused: {refused}"
            delivery.last_attempt_at = utcnow()
            await session.commit()
            logger.info("webhook receiver refused", delivery=delivery_id)
            return "refused"
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Nexo-Webhooks/1",
            SIGNATURE_HEADER: sign(subscription.secret, body),
            "Nexo-Event": delivery.event_type,
            "Nexo-Delivery": str(delivery.id),
        }
        status_code, error = await _post(target, body, headers)
        delivery.attempts += 1
        delivery.last_attempt_at = utcnow()
        delivery.last_status_code = status_code
        delivery.last_error = error
        if error is None:
            delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, utcnow()
        else:
            delivery.status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
        await session.commit()
    if error is not None:
        logger.info("webhook delivery failed", delivery=delivery_id, error=error)
        raise DeliveryFailedError(error)
    return "delivered"
