"""Bearer tokens on the API: who is calling, for which tenant, with which scopes.

The tenant comes from the token only (never a header or the URL). Each lookup joins the token, its installation,
client, tenant and the tenant's enabled modules in one query. Results are cached in-process for a short time, and
the cache is emptied on every revocation or module switch through PostgreSQL ``NOTIFY nexo_api_auth``: every app
process ``LISTEN``s on its own connection, so a revoked token stops at once everywhere (the notification arrives
when the revoking transaction commits). If the listener is not connected (PgBouncer in transaction mode cannot
``LISTEN``, or the connection dropped) the cache is off and every call reads the database.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy import event, exists, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, attributes

from nexo.platform.accounts.models import User
from nexo.platform.api.principal import PRINCIPAL_STATE_KEY, ApiPrincipal, invalid_token
from nexo.platform.db.base import utcnow
from nexo.platform.db.tenancy import bind_tenant
from nexo.platform.modules.scopes import scope_module
from nexo.platform.oauth.models import Installation, OAuthClient, OAuthToken
from nexo.platform.oauth.secrets import digest
from nexo.platform.tenancy.catalog import enabled_modules_subquery, memberships, tenants
from nexo.platform.web.errors import ProblemError
from nexo.tenants.models import Membership

logger = structlog.get_logger("nexo.api.auth")

CHANNEL = "nexo_api_auth"
CACHE_SECONDS = 60.0  # safety net only: invalidation is by NOTIFY
LAST_USED_EVERY = datetime.timedelta(minutes=1)
ACCESS_CHANGED_KEY = "nexo_access_changed"


class TokenCache:
    """Token digest → principal, with a generation so a lookup racing a revocation never repopulates the cache."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[float, ApiPrincipal]] = {}
        self.generation = 0
        self.enabled = False
        self.max_entries = 10_000

    def get(self, key: str) -> ApiPrincipal | None:
        if not self.enabled:
            return None
        found = self.entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, principal: ApiPrincipal, generation: int) -> None:
        if not self.enabled or generation != self.generation:
            return
        if len(self.entries) >= self.max_entries:
            self.entries.clear()
        self.entries[key] = (time.monotonic() + CACHE_SECONDS, principal)

    def clear(self) -> None:
        self.generation += 1
        self.entries.clear()


token_cache = TokenCache()
_last_used: dict[int, datetime.datetime] = {}


async def notify_revocation(session: AsyncSession) -> None:
    """Tell every app process to drop cached tokens when the current transaction commits.

    This process drops its own cache synchronously at the commit: the NOTIFY reaches its listener a moment later,
    and a request served in between must not be answered from the stale cache."""
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    event.listen(session.sync_session, "after_commit", _clear_token_cache, once=True)


def _clear_token_cache(_session: Session) -> None:
    token_cache.clear()


async def notify_on_module_switch(session: AsyncSession, tenant: object, enabled: frozenset[str]) -> None:
    """Module-switch hook (registered by the app factory): a switch changes what every token may call."""
    await notify_revocation(session)


@asynccontextmanager
async def token_cache_listener(app: Litestar) -> AsyncIterator[None]:
    """Lifespan: LISTEN for invalidations on a dedicated connection; the cache is on only while it listens."""
    engine: AsyncEngine = app.state["nexo_engine"]
    settings = app.state["nexo_settings"]
    if settings.db.behind_pgbouncer:
        yield
        return
    connection = await engine.connect()
    try:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection

        def on_notify(*_: Any) -> None:
            token_cache.clear()

        def on_close(*_: Any) -> None:
            token_cache.enabled = False
            token_cache.clear()

        await driver.add_listener(CHANNEL, on_notify)
        driver.add_termination_listener(on_close)
        token_cache.clear()
        token_cache.enabled = True
        yield
    finally:
        token_cache.enabled = False
        token_cache.clear()
        await connection.close()


async def load_principal(session: AsyncSession, access_token: str) -> ApiPrincipal | None:
    key = digest(access_token)
    cached = token_cache.get(key)
    if cached is not None:
        return cached if cached.expires_at > utcnow() else None
    generation = token_cache.generation
    workspace = tenants.c
    row = (
        await session.execute(
            select(
                OAuthToken,
                Installation,
                OAuthClient,
                workspace.slug,
                workspace.name,
                workspace.status,
                workspace.schema_name,
                enabled_modules_subquery(workspace.id),
                _granter_may_act(),
            )
            .join(Installation, Installation.id == OAuthToken.installation_id)
            .join(OAuthClient, OAuthClient.id == OAuthToken.client_pk)
            .join(tenants, workspace.id == Installation.tenant_id)
            .where(OAuthToken.access_hash == key)
        )
    ).first()
    if row is None:
        return None
    token, installation, client, slug, name, status, schema, modules, granter_may_act = row
    if token.revoked_at or installation.revoked_at or client.disabled_at or token.access_expires_at <= utcnow():
        return None
    if token.user_id is not None and not granter_may_act:
        return None  # the person who granted it left the workspace or was deactivated
    principal = ApiPrincipal(
        token_id=token.id,
        installation_id=installation.id,
        client_id=client.client_id,
        client_name=client.name,
        tenant_id=installation.tenant_id,
        tenant_slug=slug,
        tenant_name=name,
        tenant_status=str(status),
        schema=schema,
        user_id=token.user_id,
        # what the installation holds now, not what it held when the token was issued
        granted_scopes=frozenset(token.scope.split()) & frozenset(installation.scopes or ()),
        modules=frozenset(modules or ()),
        expires_at=token.access_expires_at,
    )
    token_cache.put(key, principal, generation)
    return principal


def _granter_may_act() -> Any:
    """Whether the token's user (for authorization-code tokens) is still active and a member of the workspace."""
    return (
        exists()
        .where(
            User.id == OAuthToken.user_id,
            User.is_active.is_(True),
            memberships.c.user_id == User.id,
            memberships.c.tenant_id == Installation.tenant_id,
        )
        .correlate(OAuthToken, Installation)
        .label("granter_may_act")
    )


@event.listens_for(Session, "after_flush")
def _drop_tokens_when_access_changes(session: Session, _context: Any) -> None:
    """A membership removed or a user (de)activated changes what their tokens may do: drop cached principals in
    every process when the transaction commits, as a revocation does."""
    changed = any(isinstance(row, Membership) for row in session.deleted) or any(
        isinstance(row, User) and attributes.get_history(row, "is_active").has_changes() for row in session.dirty
    )
    if changed and not session.info.get(ACCESS_CHANGED_KEY):
        session.info[ACCESS_CHANGED_KEY] = True
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
        event.listen(session, "after_commit", _clear_token_cache, once=True)
        event.listen(session, "after_commit", _forget_access_change, once=True)
        event.listen(session, "after_rollback", _forget_access_change, once=True)


def _forget_access_change(session: Session) -> None:
    session.info.pop(ACCESS_CHANGED_KEY, None)


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        error = ProblemError(401, "Send an OAuth access token: 'Authorization: Bearer <token>'.", "missing-token")
        error.headers = {"WWW-Authenticate": 'Bearer realm="nexo"'}
        raise error
    return value.strip()


async def touch_last_used(session: AsyncSession, principal: ApiPrincipal) -> None:
    """Record an installation's last use, at most once a minute per process (admins see it)."""
    now = utcnow()
    previous = _last_used.get(principal.installation_id)
    if previous is not None and now - previous < LAST_USED_EVERY:
        return
    _last_used[principal.installation_id] = now
    await session.execute(
        update(Installation).where(Installation.id == principal.installation_id).values(last_used_at=now)
    )


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any], access_token: str) -> ApiPrincipal:
    """The token's principal, with this call counted against its installation's rate limit.

    One short autocommit connection serves both: the token lookup when the in-process cache misses, and the
    shared rate-limit counter (one statement). It is back in the pool before the request's own transaction
    starts, so a request never holds two connections."""
    from nexo.platform.api.ratelimit import count_call, enforce_window

    engine: AsyncEngine = connection.app.state["nexo_engine"]
    limit = connection.app.state["nexo_settings"].security.api_rate_per_minute
    async with engine.connect() as pooled:
        autocommit = await pooled.execution_options(isolation_level="AUTOCOMMIT")
        async with AsyncSession(bind=autocommit) as lookup:
            principal = await load_principal(lookup, access_token)
        if principal is None:
            raise invalid_token("The access token is unknown, expired or revoked.")
        window = await count_call(autocommit, principal.installation_id, limit)
    connection.state[PRINCIPAL_STATE_KEY] = principal
    enforce_window(connection, window)
    return principal


async def api_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Authenticate the bearer token, count the call, bind its tenant, refuse a switched-off module, a missing
    scope, or a write to a read-only workspace."""
    from nexo.platform.tenancy.policy import module_off_error, refuse_when_read_only, request_db_session

    principal = await authenticate(connection, bearer_token(connection))
    session = request_db_session(connection)
    module_key = handler.opt.get("module")
    if module_key and module_key not in principal.modules:
        raise module_off_error(module_key)
    scope = handler.opt.get("scope")
    if scope:
        module_of_scope = scope_module(scope)
        if module_of_scope and module_of_scope not in principal.modules and scope in principal.granted_scopes:
            raise module_off_error(module_of_scope)
        if scope not in principal.scopes:
            error = ProblemError(403, f"This call needs the '{scope}' scope.", "insufficient-scope", scope=scope)
            error.headers = {"WWW-Authenticate": f'Bearer realm="nexo", error="insufficient_scope", scope="{scope}"'}
            raise error
    refuse_when_read_only(connection, handler, principal.tenant_status, principal.tenant_name)
    await bind_tenant(session, principal.schema)
    await touch_last_used(session, principal)
