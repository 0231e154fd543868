"""POST /billing/webhooks/stripe: verify the signature on the raw body, store the event once, queue it."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.response import Response
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.billing.inbox import store_event
from nexo.billing.provider import WebhookSignatureError, get_provider
from nexo.billing.transitions import defer_in_transaction
from nexo.platform.web.errors import ProblemError


@post("/billing/webhooks/stripe", opt={"exclude_from_auth": True}, include_in_schema=False, status_code=200)
async def stripe_webhook(request: Request[Any, Any, Any], db_session: AsyncSession) -> Response[dict[str, Any]]:
    provider = get_provider()
    if not provider.enabled:
        raise ProblemError(404, "Billing is off on this server.", "billing-off")
    payload = await request.body()
    try:
        event = provider.verify_webhook(payload, request.headers.get("stripe-signature"))
    except WebhookSignatureError as exc:
        raise ProblemError(400, f"Invalid webhook signature: {exc}", "bad-signature") from exc
    row_id = await store_event(db_session, event)
    if row_id is not None:  # queued in this transaction: the job exists exactly when the event row does
        await defer_in_transaction(db_session, "nexo.billing.process_event", {"row_id": row_id})
    await db_session.commit()  # acknowledge only what is durably stored
    return Response({"received": True, "duplicate": row_id is None})
