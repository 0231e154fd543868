"""Inventory pages: products (search, create), stock on hand and valuation per warehouse, warehouses, and the
inventory settings (whether stock may go negative: admins and owners only, audit-logged)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.errors import ErpError
from nexo.modules.erp.inventory.models import Product, Warehouse
from nexo.modules.erp.inventory.services import (
    StockService,
    create_product,
    create_warehouse,
    product_errors,
    stock_on_hand,
)
from nexo.modules.erp.web import FormData, FormErrors, parse_decimal
from nexo.platform.web.rendering import render
from nexo.tenants.audit import record
from nexo.tenants.models import Role
from nexo.tenants.resolution import TenantContext, require_role

PAGE_SIZE = 50
CHECKED = {"on", "true", "1"}


class InventoryPages(Controller):
    path = "/erp/inventory"
    opt: dict[str, object] = {}  # the core tags it with the module key (a class attribute must exist)

    @get("/products", name="erp.products")
    async def products(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, q: str = ""
    ) -> Template:
        statement = select(Product).order_by(Product.sku).limit(PAGE_SIZE)
        if q.strip():
            like = f"%{q.strip()}%"
            statement = statement.where(or_(Product.sku.ilike(like), Product.name.ilike(like)))
        products = list(await db_session.scalars(statement))
        total = await db_session.scalar(select(func.count()).select_from(Product))
        context = {"products": products, "q": q, "total": total}
        return render(request, "erp/products.html", context, partial="erp/_products_table.html")

    @get("/products/new", name="erp.products.new")
    async def new_product(self, request: Request[Any, Any, Any], tenant: TenantContext) -> Template:
        return render(request, "erp/product_form.html", {"data": {"unit": "unit"}, "errors": {}})

    @post("/products/new", name="erp.products.create")
    async def create_product(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        errors = FormErrors()
        cost = parse_decimal(data, "cost", errors, label="cost", default=Decimal(0))
        price = parse_decimal(data, "sale_price", errors, label="sale price", default=Decimal(0))
        tax = parse_decimal(data, "tax_rate", errors, label="tax rate", default=Decimal(0))
        if tax is not None and tax >= 100:
            errors["tax_rate"] = "The tax rate is a percentage below 100."
        for name, message in product_errors(
            sku=data.get("sku", ""), name=data.get("name", ""), unit=data.get("unit", ""), cost=cost or Decimal(0),
            sale_price=price or Decimal(0), tax_rate=Decimal(0),
        ).items():  # fmt: skip
            errors.setdefault(name, message)
        if not errors:
            try:
                await create_product(
                    db_session, sku=data.get("sku", ""), name=data.get("name", ""), unit=data.get("unit", "unit"),
                    cost=cost or Decimal(0), sale_price=price or Decimal(0), tax_rate=(tax or Decimal(0)) / 100,
                )  # fmt: skip
            except ErpError as error:
                errors[error.field or "sku"] = error.message
        if errors:
            context = {"data": data, "errors": errors}
            return render(request, "erp/product_form.html", context, partial="erp/_product_form.html", status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/inventory/products", status_code=303)

    @get("/stock", name="erp.stock")
    async def stock(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        rows = await stock_on_hand(db_session)
        warehouses = list(await db_session.scalars(select(Warehouse).order_by(Warehouse.code)))
        per_warehouse: dict[str, Decimal] = {}
        for row in rows:
            per_warehouse[row.warehouse] = per_warehouse.get(row.warehouse, Decimal(0)) + row.value
        context = {"rows": rows, "warehouses": warehouses, "per_warehouse": per_warehouse, "errors": {}, "data": {}}
        return render(request, "erp/stock.html", context)

    @post("/warehouses", name="erp.warehouses.create")
    async def create_warehouse(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        try:
            await create_warehouse(db_session, code=data.get("code", ""), name=data.get("name", ""))
        except ErpError as error:
            rows = await stock_on_hand(db_session)
            warehouses = list(await db_session.scalars(select(Warehouse).order_by(Warehouse.code)))
            context = {"rows": rows, "warehouses": warehouses, "per_warehouse": {}, "data": data,
                       "errors": {error.field or "code": error.message}}  # fmt: skip
            return render(request, "erp/stock.html", context, status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/inventory/stock", status_code=303)

    # Settings: admins and owners switch negative stock on or off; each change is audit-logged.
    @get("/settings", name="erp.inventory.settings", opt=require_role(Role.ADMIN))
    async def settings(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        allowed = await StockService(db_session).allow_negative()
        return render(request, "erp/inventory_settings.html", {"allowed": allowed, "errors": {}, "saved": False})

    @post("/settings", name="erp.inventory.settings.save", opt=require_role(Role.ADMIN))
    async def save(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Template:
        stock = StockService(db_session)
        was = await stock.allow_negative()
        raw = (data.get("allow_negative_stock") or "").strip().lower()
        if raw and raw not in CHECKED:
            errors = {"allow_negative_stock": "Tick the box to allow negative stock, or leave it empty."}
            context = {"allowed": was, "errors": errors, "saved": False}
            return render(request, "erp/inventory_settings.html", context, status_code=400)
        allowed = raw in CHECKED
        if allowed != was:
            await stock.set_allow_negative(allowed)
            await record(
                db_session, "inventory.negative_stock_changed", target="erp.inventory",
                details={"allow_negative_stock": allowed, "was": was}, **tenant.actor,
            )  # fmt: skip
        return render(request, "erp/inventory_settings.html", {"allowed": allowed, "errors": {}, "saved": True})
