"""Shared bits of the admin pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.i18n.catalog import gettext
from nexo.platform.settings import Settings
from nexo.tenants.models import Role, Tenant
from nexo.tenants.resolution import NOT_FOUND, TenantContext, require_role

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ADMIN_ONLY = require_role(Role.ADMIN)


def app_settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state["nexo_settings"]
    return settings


async def tenant_row(session: AsyncSession, tenant: TenantContext) -> Tenant:
    row = await session.get(Tenant, tenant.tenant_id)
    if row is None:
        raise NotFoundException(gettext(NOT_FOUND))
    return row
