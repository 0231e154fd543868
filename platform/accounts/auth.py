"""Who is signed in: the session's user is loaded for every page request; a guard requires one by default.

Handlers (or controllers) with ``opt={"exclude_from_auth": True}`` are public; they still see the signed-in user
when there is one (signup uses that to add a workspace to an existing account).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from nexo.platform.accounts.models import User
from nexo.tenants.resolution import request_db_session

PUBLIC_PREFIXES = ("/static", "/healthz", "/readyz", "/api/", "/oauth/token", "/oauth/revoke", "/oauth/introspect",
                   "/.well-known", "/billing/webhooks", "/schema")  # fmt: skip


class SessionUserMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to the signed-in ``User`` or ``None``; never refuses by itself."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        user_id = connection.scope.get("session", {}) or {}
        user_id = user_id.get("user_id") if isinstance(user_id, dict) else None
        user: User | None = None
        if isinstance(user_id, int):
            session = request_db_session(connection)
            user = await session.get(User, user_id)
            if user is not None and not user.is_active:
                user = None
        return AuthenticationResult(user=user, auth=None)


def login_required(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if handler.opt.get("exclude_from_auth") or connection.scope["path"].startswith(PUBLIC_PREFIXES):
        return
    if not isinstance(connection.scope.get("user"), User):
        raise NotAuthorizedException("Sign in to continue.")
