"""Purchasing pages: purchase orders (list, create, detail) with send, receive and bill actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.forms import lines_form_context
from nexo.modules.erp.purchasing.forms import parse_purchase_order_form
from nexo.modules.erp.purchasing.models import PurchaseOrder, Receipt
from nexo.modules.erp.purchasing.services import PurchasingService
from nexo.platform.refusals import RefusalError
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import FormData, FormErrors, form_refusals, get_or_404
from nexo.platform.web.rendering import render


class PurchasingPages(Controller):
    path = "/erp/purchasing"
    opt: dict[str, object] = {}  # the core tags it with the module key (a class attribute must exist)

    @get("/orders", name="erp.purchasing.orders")
    async def orders(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        rows = (
            await db_session.execute(
                select(PurchaseOrder, Organization.name)
                .join(Organization, Organization.id == PurchaseOrder.supplier_org_id)
                .order_by(PurchaseOrder.id.desc())
                .limit(100)
            )
        ).all()
        return render(request, "erp/purchase_orders.html", {"rows": rows})

    @get("/orders/new", name="erp.purchasing.new")
    async def new_order(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        return render(
            request, "erp/sales_form.html", await lines_form_context(db_session, {}, FormErrors(), "purchase")
        )

    @post("/orders/new", name="erp.purchasing.create")
    async def create_order(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        errors = FormErrors()
        form = parse_purchase_order_form(data, errors)
        if form is not None:
            with form_refusals(errors, default="product_0", known=data):
                async with db_session.begin_nested():
                    order = await PurchasingService(db_session, ErpContext.of(tenant)).create_order(
                        form.supplier_id, form.warehouse_id, form.lines
                    )
                await db_session.commit()  # redirects are not auto-committed
                return Redirect(f"/w/{tenant.slug}/erp/purchasing/orders/{order.id}", status_code=303)
        context = await lines_form_context(db_session, data, errors, "purchase")
        return render(request, "erp/sales_form.html", context, status_code=400)

    @get("/orders/{order_id:int}", name="erp.purchasing.order")
    async def order(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, order_id: int
    ) -> Template:
        context = await self._detail(db_session, tenant, order_id)
        return render(request, "erp/purchase_order.html", context, partial="erp/_purchase_order.html")

    async def _detail(
        self, session: AsyncSession, tenant: TenantContext, order_id: int, error: str = ""
    ) -> dict[str, Any]:
        order = await get_or_404(session, PurchaseOrder, order_id, "purchase order")
        await session.refresh(order)
        await session.refresh(order, ["lines"])
        bills = []
        if "erp.accounting" in tenant.modules:
            bills = list(await session.scalars(select(Invoice).where(Invoice.purchase_order_id == order.id)))
        return {
            "order": order,
            "supplier": await session.get(Organization, order.supplier_org_id),
            "error": error,
            "receipts": list(await session.scalars(select(Receipt).where(Receipt.order_id == order.id))),
            "bills": bills,
            "accounting_on": "erp.accounting" in tenant.modules,
        }

    @post("/orders/{order_id:int}/{action:str}", name="erp.purchasing.action")
    async def action(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        order_id: int,
        action: str,
    ) -> Template:
        service = PurchasingService(db_session, ErpContext.of(tenant))
        steps: dict[str, Callable[[int], Awaitable[object]]] = {
            "send": service.send,
            "receive": service.receive,
            "bill": service.bill,
            "close": service.close,
        }
        if action not in steps:
            return render(request, "erp/message.html", {"message": "Unknown action."}, status_code=404)
        try:
            async with db_session.begin_nested():
                await steps[action](order_id)
        except RefusalError as error:
            context = await self._detail(db_session, tenant, order_id, error.message)
            return render(
                request, "erp/purchase_order.html", context, partial="erp/_purchase_order.html", status_code=400
            )
        context = await self._detail(db_session, tenant, order_id)
        return render(request, "erp/purchase_order.html", context, partial="erp/_purchase_order.html")
