"""Contacts: list with search as you type, filters, sorting and paging (htmx partials)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import LifecycleStage
from nexo.modules.crm.pages.base import CrmController
from nexo.modules.crm.services.listing import CONTACT_SORTS, ListQuery, list_contacts, tags_in_use
from nexo.modules.directory.models import Person
from nexo.platform.web.rendering import render
from nexo.tenants.resolution import TenantContext


def list_query(request: Request[Any, Any, Any], tenant: TenantContext, sorts: dict[str, Any]) -> ListQuery:
    params = dict(request.query_params)
    if params.get("owner") == "me":
        params["owner"] = str(tenant.user_id)
    return ListQuery.from_params(params, sorts)


class ContactPages(CrmController):
    path = "/crm/contacts"

    @get("/", name="crm.contacts")
    async def list_contacts_page(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        query = list_query(request, tenant, CONTACT_SORTS)
        page = await list_contacts(db_session, query)
        context = {
            "page": page,
            "query": query,
            "stages": list(LifecycleStage),
            "tags": await tags_in_use(db_session, Person),
        }
        return render(request, "crm/contacts.html", context, partial="crm/_contacts_table.html")
