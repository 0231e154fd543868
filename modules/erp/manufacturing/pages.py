"""Manufacturing pages: work orders (list, plan from a bill of materials, complete)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.models import Warehouse
from nexo.modules.erp.manufacturing.forms import WORK_ORDER_FIELDS, parse_work_order_form
from nexo.modules.erp.manufacturing.models import BillOfMaterials, WorkOrder
from nexo.modules.erp.manufacturing.services import ManufacturingService
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import FormData, FormErrors, form_refusals
from nexo.platform.web.rendering import render


class ManufacturingPages(Controller):
    path = "/erp/manufacturing"
    opt: dict[str, object] = {}  # the core tags it with the module key (a class attribute must exist)

    async def _context(self, session: AsyncSession, data: dict[str, str], errors: FormErrors) -> dict[str, Any]:
        return {
            "orders": list(await session.scalars(select(WorkOrder).order_by(WorkOrder.id.desc()).limit(100))),
            "boms": list(await session.scalars(select(BillOfMaterials).where(BillOfMaterials.active))),
            "warehouses": list(await session.scalars(select(Warehouse).order_by(Warehouse.code))),
            "data": data,
            "errors": errors,
        }

    @get("/work-orders", name="erp.manufacturing.orders")
    async def work_orders(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        context = await self._context(db_session, {}, FormErrors())
        return render(request, "erp/work_orders.html", context, partial="erp/_work_orders.html")

    @post("/work-orders", name="erp.manufacturing.plan")
    async def plan(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Template:
        errors = FormErrors()
        form = parse_work_order_form(data, errors)
        if form is not None:
            with form_refusals(errors, default="bom", known=WORK_ORDER_FIELDS):
                async with db_session.begin_nested():
                    await ManufacturingService(db_session, ErpContext.of(tenant)).create_work_order(
                        form.bom_id, form.quantity, form.warehouse_id
                    )
        context = await self._context(db_session, data if errors else {}, errors)
        return render(
            request,
            "erp/work_orders.html",
            context,
            partial="erp/_work_orders.html",
            status_code=400 if errors else 200,
        )

    @post("/work-orders/{order_id:int}/complete", name="erp.manufacturing.complete")
    async def complete(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, order_id: int
    ) -> Template:
        errors = FormErrors()
        with form_refusals(errors, default=f"order-{order_id}", known=()):
            async with db_session.begin_nested():
                await ManufacturingService(db_session, ErpContext.of(tenant)).complete(order_id)
        context = await self._context(db_session, {}, errors)
        return render(
            request,
            "erp/work_orders.html",
            context,
            partial="erp/_work_orders.html",
            status_code=400 if errors else 200,
        )
