"""Settings → Audit log: who did what and when, filterable by action, actor and date range, paginated."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy import Select, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.rendering import render
from nexo.tenants.admin.common import ADMIN_ONLY
from nexo.tenants.audit import AuditEntry

PAGE_SIZE = 25


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] | None = None

    def query_string(self, page: int) -> str:
        from urllib.parse import urlencode

        values = {
            k: v
            for k, v in (
                ("action", self.action),
                ("actor", self.actor),
                ("date_from", self.date_from),
                ("date_to", self.date_to),
            )
            if v
        }
        return urlencode({**values, "page": page})


def _day(raw: str, field: str, errors: dict[str, str]) -> datetime.date | None:
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors[field] = "Use a date like 2026-11-28."
        return None


def filtered(filters: AuditFilters, timezone: str) -> Select[tuple[AuditEntry]]:
    """The entries matching ``filters``; dates are whole days in the workspace's time zone."""
    errors: dict[str, str] = {}
    query = select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        escaped = filters.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEntry.actor_label.ilike(f"%{escaped}%", escape="\\"))
    zone = zoneinfo.ZoneInfo(timezone)
    start = _day(filters.date_from, "date_from", errors)
    end = _day(filters.date_to, "date_to", errors)
    if start:
        query = query.where(AuditEntry.created_at >= datetime.datetime.combine(start, datetime.time(), zone))
    if end:
        next_day = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), zone)
        query = query.where(AuditEntry.created_at < next_day)
    if start and end and end < start:
        errors["date_to"] = "The end date is before the start date."
    filters.errors = errors
    return query


class AuditPages(Controller):
    path = "/settings/audit"
    opt = ADMIN_ONLY

    @get("/", name="admin.audit")
    async def audit_page(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        action: str = "",
        actor: str = "",
        date_from: str = "",
        date_to: str = "",
        page: int = 1,
    ) -> Template:
        filters = AuditFilters(action.strip(), actor.strip()[:200], date_from.strip(), date_to.strip())
        query = filtered(filters, tenant.timezone)
        page = max(page, 1)
        if filters.errors:
            entries, total = [], 0
        else:
            total = int(await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0)
            entries = list(
                await db_session.scalars(
                    query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
                    .limit(PAGE_SIZE)
                    .offset((page - 1) * PAGE_SIZE)
                )
            )
        actions = list(await db_session.scalars(select(distinct(AuditEntry.action)).order_by(AuditEntry.action)))
        context = {
            "entries": entries,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "filters": filters,
            "actions": actions,
            "zone": zoneinfo.ZoneInfo(tenant.timezone),
        }
        return render(
            request,
            "admin/audit.html",
            context,
            partial="admin/_audit_table.html",
            status_code=400 if filters.errors else 200,
        )
