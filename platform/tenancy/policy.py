"""Policies every workspace request obeys, pages and API alike: the request's session, a switched-off module, a
read-only workspace."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.modules.registry import get_registry
from nexo.platform.web.errors import ProblemError

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_ONLY_STATUSES = frozenset({"read_only", "canceled"})
# Handler ``opt`` for the writes and exports a read-only workspace still allows (billing, data export).
ALLOWED_WHEN_READ_ONLY: dict[str, Any] = {"allow_when_read_only": True}


def request_db_session(connection: ASGIConnection[Any, Any, Any, Any]) -> AsyncSession:
    """The request's own database session (the one handlers receive as ``db_session``)."""
    config = connection.app.state["nexo_alchemy_config"]
    session: AsyncSession = config.provide_session(connection.app.state, connection.scope)
    return session


def refuse_when_read_only(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler, status: str, name: str
) -> None:
    """Pages and the API alike: in a read-only or canceled workspace only safe methods pass, plus the handlers
    marked ``allow_when_read_only`` (billing, data export); anything else is a 403 problem of type ``read-only``."""
    if status not in READ_ONLY_STATUSES:
        return
    if connection.scope.get("method") not in UNSAFE_METHODS or handler.opt.get("allow_when_read_only"):
        return
    reason = "its subscription has ended" if status == "canceled" else "a payment is overdue"
    raise ProblemError(
        403,
        f"{name} is read-only because {reason}: you can still read and export its data. "
        "The owner can restore it under Settings → Billing.",
        "read-only",
    )


def module_off_error(module_key: str) -> ProblemError:
    """403 for a switched-off module: its pages and API refuse, its data stays."""
    registry = get_registry()
    name = registry.get(module_key).name if module_key in registry else module_key
    return ProblemError(
        403,
        f"The {name} module is off in this workspace. An admin can switch it on under Settings → Modules.",
        "module-disabled",
        module=module_key,
    )
