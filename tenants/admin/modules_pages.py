"""Settings → Modules: every module with its description, dependencies, price and state, and a switch."""

from __future__ import annotations

import dataclasses
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.csvkit import CsvFormat
from nexo.platform.db.base import utcnow
from nexo.platform.modules.manifest import Manifest
from nexo.platform.modules.registry import get_registry
from nexo.platform.tenancy.context import TENANT_STATE_KEY, TenantContext
from nexo.platform.tenancy.policy import ALLOWED_WHEN_READ_ONLY
from nexo.platform.web.errors import ProblemError
from nexo.platform.web.kit import FormData
from nexo.platform.web.rendering import render
from nexo.tenants.admin.common import ADMIN_ONLY, tenant_row
from nexo.tenants.audit import record
from nexo.tenants.module_export import (
    export_csv_zip,
    export_json,
    export_tables,
    table_row_counts,
)
from nexo.tenants.module_switches import (
    ModuleSwitchError,
    disable_module,
    enable_module,
    enabled_dependents,
    module_states,
    purge_module,
)


def module_rows(states: dict[str, bool]) -> list[dict[str, Any]]:
    registry = get_registry()
    rows = []
    for manifest in registry:
        rows.append(
            {
                "manifest": manifest,
                "enabled": states.get(manifest.key, False),
                "has_data": manifest.key in states,
                "dependencies": [registry.get(d).name for d in manifest.dependencies],
                "needed_by": [registry.get(d).name for d in enabled_dependents(registry, states, manifest.key)],
            }
        )
    return rows


class ModulesPages(Controller):
    path = "/settings/modules"
    opt = ADMIN_ONLY

    async def _table(
        self, request: Request[Any, Any, Any], session: AsyncSession, tenant: TenantContext, **message: Any
    ) -> dict[str, Any]:
        states = await module_states(session, tenant.tenant_id)
        # the page (and its navigation) shows the state after the switch, not the one the request started with
        enabled = frozenset(k for k, on in states.items() if on)
        request.state[TENANT_STATE_KEY] = dataclasses.replace(tenant, modules=enabled)
        return {"modules": module_rows(states), **message}

    @get("/", name="admin.modules")
    async def modules_page(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        context = await self._table(request, db_session, tenant)
        return render(request, "admin/modules.html", context, partial="admin/_modules_table.html")

    @post("/{key:str}/enable", name="admin.modules.enable")
    async def enable(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, key: str
    ) -> Template:
        return await self._switch(request, tenant, db_session, key, on=True)

    @post("/{key:str}/disable", name="admin.modules.disable")
    async def disable(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, key: str
    ) -> Template:
        return await self._switch(request, tenant, db_session, key, on=False)

    async def _switch(
        self, request: Request[Any, Any, Any], tenant: TenantContext, session: AsyncSession, key: str, *, on: bool
    ) -> Template:
        if key not in get_registry():
            raise NotFoundException(f"There is no module called {key!r}.")
        row = await tenant_row(session, tenant)
        switch = enable_module if on else disable_module
        try:
            result = await switch(session, row, key, actor=tenant.actor)
        except ModuleSwitchError as refused:
            context = await self._table(request, session, tenant, message_for=key, error=refused.message)
            return render(request, "admin/modules.html", context, partial="admin/_modules_table.html", status_code=409)
        registry = get_registry()
        names = [registry.get(k).name for k in result.changed]
        if on:
            note = f"Switched on: {', '.join(names)}." if names else f"{registry.get(key).name} was already on."
        else:
            note = f"{registry.get(key).name} is off. Its data is kept; switch it on again to get it back."
        context = await self._table(request, session, tenant, message_for=key, success=note)
        return render(request, "admin/modules.html", context, partial="admin/_modules_table.html")


class PurgePages(Controller):
    """Purging a switched-off module's data: export first, then confirm by typing the workspace address."""

    path = "/settings/modules/{key:str}"
    opt = ADMIN_ONLY

    @get("/purge", name="admin.modules.purge")
    async def purge_page(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, key: str
    ) -> Template:
        manifest = _manifest_or_404(key)
        counts = await table_row_counts(db_session, tenant.schema, key)
        return render(request, "admin/purge.html", {"module": manifest, "counts": counts, "errors": {}})

    @post("/purge", name="admin.modules.purge.submit")
    async def purge(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        key: str,
        data: FormData,
    ) -> Any:
        manifest = _manifest_or_404(key)
        row = await tenant_row(db_session, tenant)
        try:
            await purge_module(db_session, row, key, confirmation=data.get("confirm_slug", ""), actor=tenant.actor)
        except ModuleSwitchError as refused:
            counts = await table_row_counts(db_session, tenant.schema, key)
            context = {"module": manifest, "counts": counts, "errors": {"confirm_slug": refused.message}}
            return render(request, "admin/purge.html", context, status_code=400)
        return Redirect(f"/w/{tenant.slug}/settings/modules", status_code=303)

    @get("/export", name="admin.modules.export", opt=ALLOWED_WHEN_READ_ONLY)
    async def export(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        key: str,
        format: str = "json",
    ) -> Response[bytes]:
        _manifest_or_404(key)
        if format not in {"json", *(f.value for f in CsvFormat)}:
            raise ProblemError(400, "Choose the json, csv or excel-es format.", "bad-export-format")
        tables = await export_tables(db_session, tenant.schema, key)
        await record(db_session, "module.exported", target=key, details={"format": format}, **tenant.actor)
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        if format == "json":
            body = export_json(key, tables)
            return _download(body, "application/json", f"{tenant.slug}-{key}-{stamp}.json")
        fmt = CsvFormat(format)
        return _download(export_csv_zip(tables, fmt), "application/zip", f"{tenant.slug}-{key}-{stamp}-{fmt}.zip")


def _manifest_or_404(key: str) -> Manifest:
    registry = get_registry()
    if key not in registry or registry.get(key).always_on:
        raise NotFoundException(f"There is no module called {key!r} that can be purged.")
    return registry.get(key)


def _download(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"},
    )
