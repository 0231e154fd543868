"""The workspace billing notice: admins see a banner on every page while a payment is overdue or after cancelation."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from nexo.billing.models import BillingState
from nexo.billing.provider import get_provider
from nexo.platform.tenancy.context import TENANT_STATE_KEY, TenantContext

NOTICE_KEY = "billing_notice"


async def billing_notice_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Runs after ``workspace_guard``: put ``past_due``/``read_only``/``canceled`` in ``request.state`` for admins."""
    context = connection.state.get(TENANT_STATE_KEY)
    if not isinstance(context, TenantContext) or not context.is_admin or not get_provider().enabled:
        return
    if context.status in {"read_only", "canceled"}:
        connection.state[NOTICE_KEY] = context.status
        return
    if context.billing_state == BillingState.PAST_DUE.value:  # read by the workspace guard's lookup
        connection.state[NOTICE_KEY] = "past_due"
