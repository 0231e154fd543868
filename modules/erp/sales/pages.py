"""Sales pages: quotes and sales orders (create, confirm), order detail with delivery and invoicing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import Opportunity
from nexo.modules.directory.models import Organization, Person
from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.forms import lines_form_context
from nexo.modules.erp.inventory.models import Warehouse
from nexo.modules.erp.sales.forms import parse_document_form
from nexo.modules.erp.sales.models import Delivery, Quote, SalesOrder
from nexo.modules.erp.sales.services import SalesService
from nexo.platform.refusals import RefusalError
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import FormData, FormErrors, form_refusals, get_or_404, parse_int
from nexo.platform.web.rendering import render


class SalesPages(Controller):
    path = "/erp/sales"
    opt: dict[str, object] = {}  # the core tags it with the module key (a class attribute must exist)

    @get("/orders", name="erp.sales.orders")
    async def orders(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        rows = (
            await db_session.execute(
                select(SalesOrder, Organization.name)
                .join(Organization, Organization.id == SalesOrder.customer_org_id)
                .order_by(SalesOrder.id.desc())
                .limit(100)
            )
        ).all()
        return render(request, "erp/sales_orders.html", {"rows": rows})

    @get("/quotes", name="erp.sales.quotes")
    async def quotes(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        rows = (
            await db_session.execute(
                select(Quote, Organization.name)
                .join(Organization, Organization.id == Quote.customer_org_id)
                .order_by(Quote.id.desc())
                .limit(100)
            )
        ).all()
        warehouses = list(await db_session.scalars(select(Warehouse).order_by(Warehouse.code)))
        return render(request, "erp/quotes.html", {"rows": rows, "warehouses": warehouses})

    @get("/quotes/{quote_id:int}", name="erp.sales.quote")
    async def quote_detail(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, quote_id: int
    ) -> Template:
        quote = await get_or_404(db_session, Quote, quote_id, "quote")
        await db_session.refresh(quote, ["lines"])
        opportunity = None
        if quote.opportunity_id is not None and "crm" in tenant.modules:
            opportunity = await db_session.get(Opportunity, quote.opportunity_id)
        context = {
            "quote": quote,
            "customer": await db_session.get(Organization, quote.customer_org_id),
            "contact": await db_session.get(Person, quote.contact_person_id) if quote.contact_person_id else None,
            "opportunity": opportunity,
            "order": await db_session.scalar(
                select(SalesOrder).where(SalesOrder.quote_id == quote.id).order_by(SalesOrder.id).limit(1)
            ),
            "warehouses": list(await db_session.scalars(select(Warehouse).order_by(Warehouse.code))),
            "total": sum((ln.quantity * ln.unit_price for ln in quote.lines), Decimal(0)),
        }
        return render(request, "erp/quote.html", context)

    @get(["/orders/new", "/quotes/new"], name="erp.sales.new")
    async def new_document(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        kind = "quotes" if "/quotes/" in request.url.path else "orders"
        return render(request, "erp/sales_form.html", await lines_form_context(db_session, {}, FormErrors(), kind))

    @post(["/orders/new", "/quotes/new"], name="erp.sales.create")
    async def create_document(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        kind = "quotes" if "/quotes/" in request.url.path else "orders"
        errors = FormErrors()
        form = parse_document_form(data, errors, kind)
        target = ""
        if form is not None:
            service = SalesService(db_session, ErpContext.of(tenant))
            with form_refusals(errors, default="product_0", known=data):
                async with db_session.begin_nested():
                    if kind == "quotes":
                        quote = await service.create_quote(form.customer_id, form.lines)
                        target = f"quotes/{quote.id}"
                    else:
                        assert form.warehouse_id is not None
                        order = await service.create_order(form.customer_id, form.warehouse_id, form.lines)
                        target = f"orders/{order.id}"
        if errors:
            context = await lines_form_context(db_session, data, errors, kind)
            return render(request, "erp/sales_form.html", context, status_code=400)
        await db_session.commit()  # the request session commits 2xx answers only; this one is a redirect
        return Redirect(f"/w/{tenant.slug}/erp/sales/{target}", status_code=303)

    @post("/quotes/{quote_id:int}/confirm", name="erp.sales.quote.confirm")
    async def confirm_quote(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        quote_id: int,
        data: FormData,
    ) -> Any:
        errors = FormErrors()
        warehouse = parse_int(data, "warehouse", errors, label="warehouse")
        if warehouse is not None:
            with form_refusals(errors, default="warehouse", known=()):
                async with db_session.begin_nested():
                    order = await SalesService(db_session, ErpContext.of(tenant)).confirm_quote(quote_id, warehouse)
                await db_session.commit()
                return Redirect(f"/w/{tenant.slug}/erp/sales/orders/{order.id}", status_code=303)
        return render(request, "erp/message.html", {"message": errors["warehouse"]}, status_code=400)

    @get("/orders/{order_id:int}", name="erp.sales.order")
    async def order_detail(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, order_id: int
    ) -> Template:
        return render(
            request,
            "erp/sales_order.html",
            await self._detail(db_session, tenant, order_id),
            partial="erp/_sales_order.html",
        )

    async def _detail(
        self, session: AsyncSession, tenant: TenantContext, order_id: int, error: str = ""
    ) -> dict[str, Any]:
        order = await get_or_404(session, SalesOrder, order_id, "sales order")
        await session.refresh(order, ["lines"])
        customer = await session.get(Organization, order.customer_org_id)
        deliveries = list(await session.scalars(select(Delivery).where(Delivery.order_id == order.id)))
        invoices = []
        if "erp.accounting" in tenant.modules:
            invoices = list(await session.scalars(select(Invoice).where(Invoice.sales_order_id == order.id)))
        quote = await session.get(Quote, order.quote_id) if order.quote_id else None
        return {
            "order": order,
            "customer": customer,
            "deliveries": deliveries,
            "invoices": invoices,
            "quote": quote,
            "error": error,
            "accounting_on": "erp.accounting" in tenant.modules,
        }

    @post("/orders/{order_id:int}/{action:str}", name="erp.sales.order.action")
    async def order_action(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        order_id: int,
        action: str,
    ) -> Any:
        service = SalesService(db_session, ErpContext.of(tenant))
        try:
            if action == "deliver":
                async with db_session.begin_nested():
                    await service.deliver(order_id)
            elif action == "invoice":
                async with db_session.begin_nested():  # a refusal undoes only this step
                    invoice = await service.invoice(order_id)
                if not request.headers.get("hx-request"):
                    await db_session.commit()
                    return Redirect(f"/w/{tenant.slug}/erp/accounting/invoices/{invoice.id}", status_code=303)
            else:
                return render(request, "erp/message.html", {"message": "Unknown action."}, status_code=404)
        except RefusalError as error:
            context = await self._detail(db_session, tenant, order_id, error.message)
            return render(request, "erp/sales_order.html", context, partial="erp/_sales_order.html", status_code=400)
        context = await self._detail(db_session, tenant, order_id)
        return render(request, "erp/sales_order.html", context, partial="erp/_sales_order.html")
