"""Delivering webhooks from the worker, with exponential backoff (procrastinate retries)."""

from __future__ import annotations

import json
from functools import lru_cache

import httpx
import structlog
from procrastinate import JobContext, RetryStrategy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.db.base import utcnow
from nexo.platform.db.engine import create_engine, create_session_maker
from nexo.platform.jobs import jobs
from nexo.platform.settings import Settings
from nexo.platform.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from nexo.platform.webhooks.signing import SIGNATURE_HEADER, sign

logger = structlog.get_logger("nexo.webhooks")

MAX_ATTEMPTS = 8  # waits 4 s, 16 s, 64 s, ... about 18 h in all
RETRY = RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, exponential_wait=4)
TIMEOUT_SECONDS = 10.0


class DeliveryFailedError(Exception):
    """The receiver did not answer 2xx; procrastinate retries the job."""


@lru_cache(maxsize=1)
def _sessions() -> async_sessionmaker[AsyncSession]:
    return create_session_maker(create_engine(Settings.from_env(), pool_size=2, max_overflow=2))


@jobs.task(name="nexo.webhooks.deliver", queue="webhooks", retry=RETRY, pass_context=True)
async def deliver_webhook(context: JobContext, delivery_id: int) -> str:
    attempt = (context.job.attempts if context.job else 0) + 1
    return await attempt_delivery(_sessions(), delivery_id, final=attempt >= MAX_ATTEMPTS)


async def attempt_delivery(sessions: async_sessionmaker[AsyncSession], delivery_id: int, *, final: bool) -> str:
    """POST the signed event once and log the outcome; raise ``DeliveryFailedError`` to have it retried."""
    async with sessions() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status is DeliveryStatus.SUCCEEDED:
            return "skipped"
        subscription = await session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is None or not subscription.active:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, "subscription removed"
            await session.commit()
            return "no subscription"
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Nexo-Webhooks/1",
            SIGNATURE_HEADER: sign(subscription.secret, body),
            "Nexo-Event": delivery.event_type,
            "Nexo-Delivery": str(delivery.id),
        }
        error: str | None = None
        status_code: int | None = None
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
                response = await client.post(subscription.url, content=body, headers=headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"receiver answered {status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
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
