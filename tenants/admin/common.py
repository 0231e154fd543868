"""Shared bits of the admin pages."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.settings import Settings
from nexo.platform.tenancy.context import NOT_FOUND, Role, TenantContext, require_role
from nexo.tenants.models import Tenant

ADMIN_ONLY = require_role(Role.ADMIN)


def app_settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state["nexo_settings"]
    return settings


async def tenant_row(session: AsyncSession, tenant: TenantContext) -> Tenant:
    row = await session.get(Tenant, tenant.tenant_id)
    if row is None:
        raise NotFoundException(NOT_FOUND)
    return row
