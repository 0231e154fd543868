"""The workspace home page: each member's dashboard, made of the cards of the workspace's enabled modules
(nexo.platform.modules.home); the directory (always on) serves the page and adds its own counts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.services import directory_counts
from nexo.platform import clock
from nexo.platform.i18n.catalog import gettext
from nexo.platform.modules.home import Card, Figure, HomeContext, home_cards
from nexo.platform.modules.registry import get_registry
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.rendering import render


class WorkspaceHomeController(Controller):
    path = "/"

    @get("/", name="workspace.home")
    async def home(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        today = clock.today(tenant.timezone)
        context = HomeContext(tenant.slug, tenant.user_id, tenant.currency, today, tenant.modules)
        return render(request, "tenants/home.html", {"cards": await home_cards(db_session, context, get_registry())})


async def cards(session: AsyncSession, context: HomeContext) -> list[Card]:
    """The directory's card: how many people and organizations the workspace knows."""
    counts = await directory_counts(session)
    people = context.url("directory/people")
    return [
        Card(
            key="directory",
            title=gettext("Directory"),
            order=80,
            figures=(
                Figure(gettext("People"), str(counts.people), people),
                Figure(gettext("Organizations"), str(counts.organizations)),
            ),
        )
    ]
