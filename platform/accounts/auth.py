"""Who is signed in: the session's user is loaded for every page request; a guard requires one by default.

Handlers (or controllers) with ``opt={"exclude_from_auth": True}`` are public; they still see the signed-in user
when there is one (signup uses that to add a workspace to an existing account).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import JSON, func, select, text, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.tenancy.catalog import memberships, tenants
from nexo.platform.tenancy.policy import request_db_session

PUBLIC_PREFIXES = (
    "/static",
    "/healthz",
    "/readyz",
    "/api/",
    "/oauth/token",
    "/oauth/revoke",
    "/oauth/introspect",
    "/.well-known",
    "/billing/webhooks",
    "/schema",
)


WORKSPACES_SCOPE_KEY = "nexo_workspaces"
AUTH_VERSION_KEY = "auth"


def auth_version(secret_key: str, user: User) -> str:
    """What a session must carry, besides the user, to stay signed in: a keyed digest of the password hash.

    A password reset or change gives the user a new hash, so every session signed in before it (on any device,
    including one an attacker opened) stops at its next request, while the session doing the change signs in again
    with the new version. The hash itself never leaves the database."""
    return hmac.new(secret_key.encode(), user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def session_data(secret_key: str, user: User) -> dict[str, Any]:
    """The session of a signed-in user."""
    return {"user_id": user.id, AUTH_VERSION_KEY: auth_version(secret_key, user)}


@dataclass(frozen=True)
class WorkspaceLink:
    """One entry of the header's workspace switcher."""

    slug: str
    name: str


class SessionUserMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to the signed-in ``User`` or ``None``; never refuses by itself.

    For a signed-in user it also lists their workspaces in ``scope["nexo_workspaces"]`` for the header's switcher,
    read by the same query as the user: one round trip per signed-in request.
    """

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        raw = connection.scope.get("session", {}) or {}
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        user_id = data.get("user_id")
        user: User | None = None
        if isinstance(user_id, int):
            user, workspaces = await _user_and_workspaces(request_db_session(connection), user_id)
            if user is not None and not user.is_active:
                user = None
            secret = connection.app.state["nexo_settings"].app.secret_key
            if user is not None and data.get(AUTH_VERSION_KEY) != auth_version(secret, user):
                user = None  # the password changed since this session signed in: it ends here
            if user is not None:
                connection.scope[WORKSPACES_SCOPE_KEY] = workspaces  # type: ignore[literal-required]
        return AuthenticationResult(user=user, auth=None)


def _workspaces_column() -> Any:
    """A scalar subquery: the user's workspaces as a JSON array of ``[slug, name]``, ordered by name."""
    tenant = tenants.c
    pair = func.json_build_array(tenant.slug, tenant.name)
    return type_coerce(
        select(func.coalesce(func.json_agg(aggregate_order_by(pair, tenant.name, tenant.slug)), text("'[]'::json")))
        .select_from(memberships)
        .join(tenants, tenant.id == memberships.c.tenant_id)
        .where(memberships.c.user_id == User.id)
        .correlate(User)
        .scalar_subquery(),
        JSON(),
    )


async def _user_and_workspaces(session: AsyncSession, user_id: int) -> tuple[User | None, list[WorkspaceLink]]:
    row = (await session.execute(select(User, _workspaces_column()).where(User.id == user_id))).first()
    if row is None:
        return None, []
    user, pairs = row
    return user, [WorkspaceLink(slug=slug, name=name) for slug, name in pairs or ()]


def login_required(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if handler.opt.get("exclude_from_auth") or connection.scope["path"].startswith(PUBLIC_PREFIXES):
        return
    if not isinstance(connection.scope.get("user"), User):
        raise NotAuthorizedException("Sign in to continue.")
