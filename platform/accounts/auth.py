"""Who is signed in: the session's user is loaded for every page request; a guard requires one by default.

Handlers (or controllers) with ``opt={"exclude_from_auth": True}`` are public; they still see the signed-in user
when there is one (signup uses that to add a workspace to an existing account).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.resolution import request_db_session

PUBLIC_PREFIXES = ("/static", "/healthz", "/readyz", "/api/", "/oauth/token", "/oauth/revoke", "/oauth/introspect",
                   "/.well-known", "/billing/webhooks", "/schema")  # fmt: skip


WORKSPACES_SCOPE_KEY = "nexo_workspaces"


@dataclass(frozen=True)
class WorkspaceLink:
    """One entry of the header's workspace switcher."""

    slug: str
    name: str


class SessionUserMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to the signed-in ``User`` or ``None``; never refuses by itself.

    For a signed-in user it also lists their workspaces in ``scope["nexo_workspaces"]`` for the header's switcher.
    """

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        user_id = connection.scope.get("session", {}) or {}
        user_id = user_id.get("user_id") if isinstance(user_id, dict) else None
        user: User | None = None
        if isinstance(user_id, int):
            session = request_db_session(connection)
            user = await session.get(User, user_id)
            if user is not None and not user.is_active:
                user = None
            if user is not None:
                connection.scope[WORKSPACES_SCOPE_KEY] = await _workspaces_of(session, user.id)  # type: ignore[literal-required]
        return AuthenticationResult(user=user, auth=None)


async def _workspaces_of(session: AsyncSession, user_id: int) -> list[WorkspaceLink]:
    rows = await session.execute(
        select(Tenant.slug, Tenant.name)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Membership.user_id == user_id)
        .order_by(Tenant.name, Tenant.slug)
    )
    return [WorkspaceLink(slug=slug, name=name) for slug, name in rows]


def login_required(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if handler.opt.get("exclude_from_auth") or connection.scope["path"].startswith(PUBLIC_PREFIXES):
        return
    if not isinstance(connection.scope.get("user"), User):
        raise NotAuthorizedException("Sign in to continue.")
