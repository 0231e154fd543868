"""Resolving the workspace of a page request, at the edge, failing closed.

``/w/{workspace}/...`` names the workspace by slug. The guard looks the slug up together with the signed-in user's
membership in one query. An unknown slug and a workspace the user does not belong to give the same 404. On success
the request's database session is bound to the tenant schema for every transaction it runs.

That one query also binds the current transaction (``set_config`` in its select list runs only for the row it
returns, so nothing is bound when the lookup fails; ``CUSTOM_PLANS`` says why it sets a second setting) and reads
the billing state the billing notice guard needs: a workspace request spends one round trip on resolution, not
three.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.db.tenancy import mark_bound
from nexo.platform.tenancy.catalog import billing_accounts
from nexo.platform.tenancy.context import NOT_FOUND, TENANT_STATE_KEY, Role, TenantContext
from nexo.platform.tenancy.policy import module_off_error, refuse_when_read_only, request_db_session
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.module_state import enabled_modules_subquery

# Page requests plan every statement for its own parameters. A pooled connection keeps its prepared statements, and
# after five runs PostgreSQL may switch one to a generic plan: for a search (``lower(name) LIKE $1``) that plan cannot
# use the prefix indexes and scans the table, for every later search, in every workspace the connection serves.
# Planning these statements takes a fraction of a millisecond.
CUSTOM_PLANS = ("plan_cache_mode", "force_custom_plan")


async def load_tenant_context(
    session: AsyncSession, slug: str, user: User, *, bind: bool = False
) -> TenantContext | None:
    """The workspace at ``slug`` as ``user`` sees it, or ``None`` (unknown, or not a member: the same answer).

    With ``bind``, the same query binds the session's current transaction to the workspace's schema, and the session
    stays bound for its later transactions.
    """
    billing_state = (  # read by the billing notice guard; the billing feature builds on this one, not the reverse
        select(billing_accounts.c.state)
        .where(billing_accounts.c.tenant_id == Tenant.id)
        .correlate(Tenant)
        .scalar_subquery()
    )
    binding = [func.set_config("search_path", Tenant.schema_name, true()), func.set_config(*CUSTOM_PLANS, true())]
    row = (
        await session.execute(
            select(
                Tenant, Membership.role, enabled_modules_subquery(Tenant.id), billing_state, *(binding if bind else [])
            )
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Tenant.slug == slug, Membership.user_id == user.id)
        )
    ).first()
    if row is None:
        return None
    tenant, role, modules, state = row[:4]
    if bind:
        mark_bound(session, tenant.schema_name)
    return TenantContext(
        tenant_id=tenant.id,
        slug=tenant.slug,
        name=tenant.name,
        schema=tenant.schema_name,
        status=str(tenant.status),
        currency=tenant.currency,
        timezone=tenant.timezone,
        user_id=user.id,
        user_email=user.email,
        user_name=user.full_name,
        role=Role(role),
        modules=frozenset(modules or ()),
        billing_state=None if state is None else str(state),
    )


async def workspace_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Resolve ``{workspace}``, require membership, bind the tenant; enforce ``opt['min_role']`` if set."""
    user = connection.scope.get("user")
    if not isinstance(user, User):
        raise NotAuthorizedException("Sign in to continue.")
    slug = str(connection.path_params.get("workspace", ""))
    session = request_db_session(connection)
    context = await load_tenant_context(session, slug, user, bind=True)
    if context is None:
        new_slug = await moved_workspace_slug(session, slug, user)
        if new_slug is not None:
            raise WorkspaceMovedError(connection, slug, new_slug)
        raise NotFoundException(NOT_FOUND)
    connection.state[TENANT_STATE_KEY] = context
    connection.scope["nexo_tenant"] = context.slug  # type: ignore[typeddict-unknown-key]
    refuse_when_read_only(connection, handler, context.status, context.name)
    module_key = handler.opt.get("module")
    if module_key and module_key not in context.modules:
        raise module_off_error(module_key)
    min_role = handler.opt.get("min_role")
    if min_role is not None and not context.role.at_least(Role(min_role)):
        raise PermissionDeniedException(f"This needs the {Role(min_role).value} role in {context.name}.")


async def moved_workspace_slug(session: AsyncSession, old_slug: str, user: User) -> str | None:
    """The current slug of a workspace that used to live at ``old_slug``, if ``user`` is a member of it.

    Non-members get ``None``, so a former address tells them no more than an unknown one.
    """
    from nexo.tenants.models import SlugRedirect

    new_slug: str | None = await session.scalar(
        select(Tenant.slug)
        .join(SlugRedirect, SlugRedirect.tenant_id == Tenant.id)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(SlugRedirect.old_slug == old_slug, Membership.user_id == user.id)
    )
    return new_slug


class WorkspaceMovedError(HTTPException):
    """The workspace's slug changed: a permanent redirect to the same page at the new address."""

    def __init__(self, connection: ASGIConnection[Any, Any, Any, Any], old_slug: str, new_slug: str) -> None:
        path = connection.url.path
        prefix = f"/w/{old_slug}"
        rest = (path[len(prefix) :] if path.startswith(prefix) else "") or "/"
        target = f"/w/{new_slug}{rest}"
        if connection.url.query:
            target += f"?{connection.url.query}"
        method = connection.scope.get("method", "GET")
        status = 301 if method in {"GET", "HEAD"} else 308
        super().__init__(
            status_code=status, detail=f"This workspace moved to /w/{new_slug}/.", headers={"location": target}
        )
