"""Shared pieces of the CRM page controllers."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.services.listing import ListQuery
from nexo.modules.crm.services.members import Member, workspace_members
from nexo.platform.tenancy.context import TenantContext

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
AnyRequest = Request[Any, Any, Any]
T = TypeVar("T")


class CrmController(Controller):
    """Tags every handler with ``opt["module"] = "crm"`` so the workspace guard answers 403 while CRM is off.

    core.py adds the same tag, but declaring it here keeps the guard's input explicit where the pages live.
    """

    opt: dict[str, Any] = {"module": "crm"}


async def get_or_404(session: AsyncSession, model: type[T], record_id: int, what: str) -> T:
    record = await session.get(model, record_id)
    if record is None:
        raise NotFoundException(f"There is no such {what} in this workspace.")
    return record


def crm_url(tenant: TenantContext, path: str) -> str:
    return f"/w/{tenant.slug}/crm/{path}"


def see_other(tenant: TenantContext, path: str) -> Redirect:
    return Redirect(crm_url(tenant, path), status_code=303)


def today_for(tenant: TenantContext) -> datetime.date:
    """Today in the workspace's time zone (what "overdue" means to its people)."""
    try:
        return datetime.datetime.now(ZoneInfo(tenant.timezone)).date()
    except (KeyError, ValueError):
        return datetime.datetime.now(datetime.UTC).date()


async def members_of(session: AsyncSession, tenant: TenantContext) -> list[Member]:
    return await workspace_members(session, tenant.tenant_id)


def list_query(request: AnyRequest, tenant: TenantContext, sorts: dict[str, Any]) -> ListQuery:
    params = dict(request.query_params)
    if params.get("owner") == "me":
        params["owner"] = str(tenant.user_id)
    return ListQuery.from_params(params, sorts)


def clean_form(data: dict[str, Any]) -> dict[str, str]:
    """Form fields as stripped strings (a repeated field keeps its last value)."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = value[-1] if value else ""
        out[key] = str(value).strip()
    return out


def member_options(members: list[Member]) -> list[tuple[int, str]]:
    return [(m.user_id, f"{m.name} ({m.email})") for m in members]


def enum_options(values: Any) -> list[tuple[str, str]]:
    return [(v.value, v.value.capitalize()) for v in values]


def member_names(members: list[Member]) -> dict[int, str]:
    return {m.user_id: m.name for m in members}
