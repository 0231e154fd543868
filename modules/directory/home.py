"""The workspace home page: the directory's counts, the first thing every member sees (the directory is always on)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.services import directory_counts
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.rendering import render


class WorkspaceHomeController(Controller):
    path = "/"

    @get("/", name="workspace.home")
    async def home(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        counts = await directory_counts(db_session)
        return render(request, "tenants/home.html", {"counts": counts})
