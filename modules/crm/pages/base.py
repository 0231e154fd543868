"""What the CRM page controllers share beyond the page kit (``nexo.platform.web.kit``): the module guard tag, CRM
URLs, the workspace's today, members as choices, the list query."""

from __future__ import annotations

import datetime
from typing import Any

from litestar import Controller
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.services.listing import ListQuery
from nexo.modules.crm.services.members import Member, workspace_members
from nexo.platform import clock
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import AnyRequest


class CrmController(Controller):
    """Tags every handler with ``opt["module"] = "crm"`` so the workspace guard answers 403 while CRM is off.

    core.py adds the same tag, but declaring it here keeps the guard's input explicit where the pages live.
    """

    opt: dict[str, Any] = {"module": "crm"}


def crm_url(tenant: TenantContext, path: str) -> str:
    return f"/w/{tenant.slug}/crm/{path}"


def see_other(tenant: TenantContext, path: str) -> Redirect:
    return Redirect(crm_url(tenant, path), status_code=303)


def today_for(tenant: TenantContext) -> datetime.date:
    """Today in the workspace's time zone (what "overdue" means to its people), from the kernel clock."""
    return clock.today(tenant.timezone)


async def members_of(session: AsyncSession, tenant: TenantContext) -> list[Member]:
    return await workspace_members(session, tenant.tenant_id)


def list_query(request: AnyRequest, tenant: TenantContext, sorts: dict[str, Any]) -> ListQuery:
    params = dict(request.query_params)
    if params.get("owner") == "me":
        params["owner"] = str(tenant.user_id)
    return ListQuery.from_params(params, sorts)


def member_options(members: list[Member]) -> list[tuple[int, str]]:
    return [(m.user_id, f"{m.name} ({m.email})") for m in members]


def enum_options(values: Any) -> list[tuple[str, str]]:
    return [(v.value, v.value.capitalize()) for v in values]


def member_names(members: list[Member]) -> dict[int, str]:
    return {m.user_id: m.name for m in members}
