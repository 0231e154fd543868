"""Report pages: profitability, liquidity (cash position, receivables and payables aging), performance and stock,
with a date-range filter, charts (Chart.js, fed by the JSON endpoint) and CSV export. While CRM is on, the
performance section adds the pipeline conversion (leads → opportunities → won) and the win rate."""

from __future__ import annotations

import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.accounting.forms import GROUPS, parse_group, parse_period
from nexo.modules.erp.accounting.reports import (
    Period,
    aging,
    cash_position,
    ledger_totals,
    pipeline_conversion,
    profitability,
)
from nexo.modules.erp.inventory.services import stock_on_hand
from nexo.platform.csvkit import write_csv
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.tenancy.policy import module_off_error
from nexo.platform.web.downloads import csv_download, requested_csv_format
from nexo.platform.web.errors import ProblemError
from nexo.platform.web.rendering import render

CRM = "crm"


async def _pipeline_chart(session: AsyncSession, tenant: TenantContext, period: Period, chart: str) -> dict[str, Any]:
    if CRM not in tenant.modules:
        raise module_off_error(CRM)
    funnel = await pipeline_conversion(session, period)
    if chart == "pipeline":
        return {
            "type": "bar",
            "labels": ["Leads", "Became opportunities", "Won"],
            "datasets": [
                {
                    "label": "Leads created in the period",
                    "data": [funnel.leads, funnel.converted, funnel.won_from_leads],
                }
            ],
        }
    return {
        "type": "bar",
        "labels": ["Won", "Lost"],
        "datasets": [{"label": "Deals closed in the period", "data": [funnel.won, funnel.lost]}],
    }


class ReportPages(Controller):
    path = "/erp/reports"
    opt: dict[str, object] = {}  # the core tags it with the module key (a class attribute must exist)

    @get("/", name="erp.reports")
    async def reports(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        start: str | None = None,
        end: str | None = None,
        group_by: str = "product",
    ) -> Template:
        period, errors = parse_period(start, end)
        group = parse_group(group_by)
        rows = await profitability(db_session, period, group)
        context: dict[str, Any] = {
            "period": period,
            "errors": errors,
            "group_by": group,
            "groups": GROUPS,
            "rows": rows,
            "ledger": await ledger_totals(db_session, period),
            "receivables": await aging(db_session, "receivable", period.end),
            "payables": await aging(db_session, "payable", period.end),
            "revenue": sum((r.revenue for r in rows), 0),
            "cost": sum((r.cost for r in rows), 0),
            "stock": None,
            "pipeline": None,
        }
        if CRM in tenant.modules:
            context["pipeline"] = await pipeline_conversion(db_session, period)
        if "erp.inventory" in tenant.modules:
            context["stock"] = await stock_on_hand(db_session)
        return render(
            request, "erp/reports.html", context, partial="erp/_reports_body.html", status_code=400 if errors else 200
        )

    @get("/data.json", name="erp.reports.data")
    async def data(
        self,
        tenant: TenantContext,
        db_session: AsyncSession,
        chart: str = "sales",
        start: str | None = None,
        end: str | None = None,
    ) -> dict[str, Any]:
        period, errors = parse_period(start, end)
        if errors:
            raise ProblemError(400, next(iter(errors.values())), "bad-date-range")
        if chart == "cash":
            points = await cash_position(db_session, period)
            return {
                "type": "line",
                "labels": [p.month for p in points],
                "datasets": [
                    {"label": f"Cash and bank ({tenant.currency})", "data": [float(p.balance) for p in points]}
                ],
            }
        if chart in ("pipeline", "winrate"):
            return await _pipeline_chart(db_session, tenant, period, chart)
        if chart == "aging":
            receivables = await aging(db_session, "receivable", period.end)
            payables = await aging(db_session, "payable", period.end)
            return {
                "type": "bar",
                "labels": list(receivables.buckets),
                "datasets": [
                    {"label": "Receivables", "data": [float(v) for v in receivables.buckets.values()]},
                    {"label": "Payables", "data": [float(v) for v in payables.buckets.values()]},
                ],
            }
        rows = await profitability(db_session, period, "month")
        return {
            "type": "bar",
            "labels": [r.label for r in rows],
            "datasets": [
                {"label": f"Revenue ({tenant.currency})", "data": [float(r.revenue) for r in rows]},
                {"label": "Cost of goods sold", "data": [float(r.cost) for r in rows]},
                {"label": "Margin", "data": [float(r.margin) for r in rows]},
            ],
        }

    @get("/profitability.csv", name="erp.reports.csv")
    async def csv_export(
        self,
        tenant: TenantContext,
        db_session: AsyncSession,
        start: str | None = None,
        end: str | None = None,
        group_by: str = "product",
        format: str | None = None,
    ) -> Response[bytes]:
        fmt = requested_csv_format(format)
        period, errors = parse_period(start, end)
        if errors:
            raise ProblemError(400, next(iter(errors.values())), "bad-date-range")
        group = parse_group(group_by)
        rows = [
            [row.key, row.label, row.revenue, row.cost, row.margin, tenant.currency]
            for row in await profitability(db_session, period, group)
        ]
        body = write_csv([[group, "label", "revenue", "cost", "margin", "currency"], *rows], fmt)
        return csv_download(body, f"profitability-{group}-{period.start}-{period.end}.csv")


__all__ = ["ReportPages", "datetime"]
