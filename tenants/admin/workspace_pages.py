"""Settings → Workspace: name, address (slug), currency, time zone and logo; the logo served to members."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import FormData
from nexo.platform.web.rendering import render
from nexo.tenants.admin.common import ADMIN_ONLY
from nexo.tenants.workspace_settings import (
    CURRENCIES,
    MAX_LOGO_BYTES,
    SettingsForm,
    get_logo,
    remove_logo,
    set_logo,
    time_zones,
    update_settings,
)

UploadData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _context(tenant: TenantContext, form: SettingsForm, **extra: Any) -> dict[str, Any]:
    return {
        "form": form,
        "currencies": CURRENCIES,
        "time_zones": time_zones(),
        "errors": form.errors,
        "max_logo_kb": MAX_LOGO_BYTES // 1024,
        **extra,
    }


def _current(tenant: TenantContext) -> SettingsForm:
    return SettingsForm(tenant.name, tenant.slug, tenant.currency, tenant.timezone)


class WorkspaceSettingsPages(Controller):
    path = "/settings/workspace"
    opt = ADMIN_ONLY

    @get("/", name="admin.workspace")
    async def settings_page(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, saved: bool = False
    ) -> Template:
        has_logo = await get_logo(db_session, tenant.tenant_id) is not None
        context = _context(tenant, _current(tenant), has_logo=has_logo, saved=saved, logo_error=None)
        return render(request, "admin/workspace.html", context)

    @post("/", name="admin.workspace.save")
    async def save(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        form = SettingsForm.from_data(data)
        updated = await update_settings(db_session, tenant, form)
        if updated is None:
            has_logo = await get_logo(db_session, tenant.tenant_id) is not None
            context = _context(tenant, form, has_logo=has_logo, saved=False, logo_error=None)
            return render(request, "admin/workspace.html", context, status_code=400)
        return Redirect(f"/w/{updated.slug}/settings/workspace?saved=1", status_code=303)

    @post("/logo", name="admin.workspace.logo", request_max_body_size=MAX_LOGO_BYTES + 64 * 1024)
    async def upload_logo(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: UploadData
    ) -> Any:
        upload = data.get("logo")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        filename = upload.filename if isinstance(upload, UploadFile) else ""
        problem = await set_logo(db_session, tenant, content, filename or "")
        if problem:
            context = _context(
                tenant,
                _current(tenant),
                has_logo=await get_logo(db_session, tenant.tenant_id) is not None,
                saved=False,
                logo_error=problem,
            )
            return render(request, "admin/workspace.html", context, status_code=400)
        return Redirect(f"/w/{tenant.slug}/settings/workspace?saved=1", status_code=303)

    @post("/logo/remove", name="admin.workspace.logo.remove")
    async def delete_logo(self, tenant: TenantContext, db_session: AsyncSession) -> Redirect:
        await remove_logo(db_session, tenant)
        return Redirect(f"/w/{tenant.slug}/settings/workspace?saved=1", status_code=303)


class LogoPage(Controller):
    """The workspace logo, for every member (it is shown in the workspace)."""

    path = "/logo"

    @get("/", name="workspace.logo")
    async def logo(self, tenant: TenantContext, db_session: AsyncSession) -> Response[bytes]:
        logo = await get_logo(db_session, tenant.tenant_id)
        if logo is None:
            raise NotFoundException("This workspace has no logo.")
        return Response(
            logo.data,
            media_type=logo.content_type,
            headers={
                "cache-control": "private, max-age=300",
                "content-security-policy": "default-src 'none'",
                "x-content-type-options": "nosniff",
            },
        )
