"""Duplicates: suggestions for a contact or company, a merge preview, and the merge."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.pages.base import CrmController, see_other
from nexo.modules.crm.services.duplicates import MergeError, merge, preview_merge, suggestions
from nexo.modules.directory.models import Organization, Person
from nexo.platform.i18n.catalog import gettext
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import AnyRequest, get_or_404
from nexo.platform.web.rendering import render

KINDS: dict[str, tuple[Any, str]] = {"contacts": (Person, "contact"), "companies": (Organization, "company")}


def _kind(kind: str) -> tuple[Any, str]:
    if kind not in KINDS:
        raise NotFoundException(gettext("There is no such record type."))
    return KINDS[kind]


class DuplicatePages(CrmController):
    path = "/crm/duplicates"

    @get("/{kind:str}/{record_id:int}", name="crm.duplicates")
    async def suggestions_page(
        self, request: AnyRequest, db_session: AsyncSession, kind: str, record_id: int
    ) -> Template:
        model, label = _kind(kind)
        target = await get_or_404(db_session, model, record_id, label)
        found = await suggestions(db_session, target)
        return render(
            request, "crm/duplicates.html", {"kind": kind, "label": label, "target": target, "suggestions": found}
        )

    @get("/{kind:str}/{record_id:int}/merge/{other_id:int}", name="crm.duplicates.preview")
    async def preview(
        self, request: AnyRequest, db_session: AsyncSession, kind: str, record_id: int, other_id: int
    ) -> Template:
        model, label = _kind(kind)
        survivor = await get_or_404(db_session, model, record_id, label)
        other = await get_or_404(db_session, model, other_id, label)
        try:
            preview = await preview_merge(db_session, survivor, other)
        except MergeError as exc:
            raise NotFoundException(str(exc)) from None
        return render(request, "crm/merge_preview.html", {"kind": kind, "label": label, "preview": preview})

    @post("/{kind:str}/{record_id:int}/merge/{other_id:int}", name="crm.duplicates.merge")
    async def do_merge(
        self, tenant: TenantContext, db_session: AsyncSession, kind: str, record_id: int, other_id: int
    ) -> Redirect:
        model, label = _kind(kind)
        survivor = await get_or_404(db_session, model, record_id, label)
        other = await get_or_404(db_session, model, other_id, label)
        try:
            await merge(db_session, survivor, other, actor=tenant.actor)
        except MergeError as exc:
            raise NotFoundException(str(exc)) from None
        return see_other(tenant, f"{kind}/{survivor.id}")
