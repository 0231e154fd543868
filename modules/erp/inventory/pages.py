"""Inventory pages: products (search, create, detail and edit, deactivate and reactivate), stock on hand and
valuation per warehouse, stock adjustments (counted quantity) and transfers, warehouses, and the inventory settings
(whether stock may go negative: admins and owners only, audit-logged)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.forms import (
    ADJUST_FIELDS,
    TRANSFER_FIELDS,
    parse_active,
    parse_adjustment,
    parse_allow_negative,
    parse_product_form,
    parse_transfer,
    product_form_data,
)
from nexo.modules.erp.inventory.models import Product, StockLevel, StockMove, Warehouse
from nexo.modules.erp.inventory.services import (
    InventoryService,
    ProductChanges,
    StockService,
    WarehouseInput,
    stock_on_hand,
)
from nexo.platform.tenancy.context import Role, TenantContext, require_role
from nexo.platform.web.kit import FormData, FormErrors, after_post, form_refusals, get_or_404
from nexo.platform.web.rendering import render
from nexo.tenants.audit import record

PAGE_SIZE = 50
LAST_MOVES = 20


async def product_context(session: AsyncSession, product: Product) -> dict[str, Any]:
    """What the product page shows besides the form: on-hand per warehouse and the last stock moves."""
    levels = await session.execute(
        select(Warehouse.code, Warehouse.name, StockLevel.quantity)
        .join(StockLevel, StockLevel.warehouse_id == Warehouse.id)
        .where(StockLevel.product_id == product.id)
        .order_by(Warehouse.code)
    )
    moves = list(
        await session.scalars(
            select(StockMove).where(StockMove.product_id == product.id).order_by(StockMove.id.desc()).limit(LAST_MOVES)
        )
    )
    codes = dict((await session.execute(select(Warehouse.id, Warehouse.code))).tuples().all())
    return {"product": product, "levels": list(levels), "moves": moves, "codes": codes}


async def stock_context(session: AsyncSession, **forms: Any) -> dict[str, Any]:
    """The stock page: on-hand rows, valuation per warehouse, the select boxes and each form's data and errors."""
    rows = await stock_on_hand(session)
    per_warehouse: dict[str, Decimal] = {}
    for row in rows:
        per_warehouse[row.warehouse] = per_warehouse.get(row.warehouse, Decimal(0)) + row.value
    context: dict[str, Any] = {
        "rows": rows,
        "per_warehouse": per_warehouse,
        "warehouses": list(await session.scalars(select(Warehouse).order_by(Warehouse.code))),
        "products": list(await session.scalars(select(Product).order_by(Product.sku).limit(500))),
        "data": {},
        "errors": {},
        "adj": {},
        "adj_errors": {},
        "tr": {},
        "tr_errors": {},
    }
    context["product_choices"] = [
        (p.id, f"{p.sku} — {p.name}" + ("" if p.active else " (inactive)")) for p in context["products"]
    ]
    context["warehouse_choices"] = [(w.id, f"{w.code} — {w.name}") for w in context["warehouses"]]
    context.update(forms)
    return context


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
        values = parse_product_form(data, errors)
        if not errors:
            with form_refusals(errors, default="sku"):
                await InventoryService(db_session, ErpContext.of(tenant)).create_product(values)
        if errors:
            context = {"data": data, "errors": errors}
            return render(request, "erp/product_form.html", context, partial="erp/_product_form.html", status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/inventory/products", status_code=303)

    @get("/products/{product_id:int}", name="erp.product")
    async def product(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, product_id: int
    ) -> Template:
        product = await get_or_404(db_session, Product, product_id, "product")
        context = {**await product_context(db_session, product), "data": product_form_data(product), "errors": {}}
        return render(request, "erp/product.html", context, partial="erp/_product_edit.html")

    @post("/products/{product_id:int}", name="erp.product.update")
    async def update_product(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        data: FormData,
        product_id: int,
    ) -> Template:
        """Edit the master data; errors come back next to the fields and nothing is changed."""
        product = await get_or_404(db_session, Product, product_id, "product")
        errors = FormErrors()
        values = parse_product_form(data, errors)
        if not errors:
            changes = ProductChanges(
                values.sku, values.name, values.unit, values.cost, values.sale_price, values.tax_rate
            )
            with form_refusals(errors, default="sku"):
                await InventoryService(db_session, ErpContext.of(tenant)).update_product(product, changes)
        if errors:
            # update_product checks everything before it changes the product; the 400 rolls the transaction back.
            context = {**await product_context(db_session, product), "data": data, "errors": errors}
            return render(request, "erp/product.html", context, partial="erp/_product_edit.html", status_code=400)
        context = {
            **await product_context(db_session, product),
            "data": product_form_data(product),
            "errors": {},
            "saved": True,
        }
        return render(request, "erp/product.html", context, partial="erp/_product_edit.html")

    @post("/products/{product_id:int}/active", name="erp.product.active")
    async def set_active(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        data: FormData,
        product_id: int,
    ) -> Any:
        """Deactivate (no longer on new orders) or reactivate a product; its stock and history stay."""
        product = await get_or_404(db_session, Product, product_id, "product")
        active = parse_active(data)
        if active is None:
            context = {
                **await product_context(db_session, product),
                "data": product_form_data(product),
                "errors": {},
                "active_error": "Choose to deactivate or reactivate the product.",
            }
            return render(request, "erp/product.html", context, status_code=400)
        if product.active != active:
            await InventoryService(db_session, ErpContext.of(tenant)).update_product(
                product, ProductChanges(active=active)
            )
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/inventory/products/{product.id}", status_code=303)

    @get("/stock", name="erp.stock")
    async def stock(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        return render(request, "erp/stock.html", await stock_context(db_session))

    @post("/warehouses", name="erp.warehouses.create")
    async def create_warehouse(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        errors = FormErrors()
        with form_refusals(errors, default="code"):
            await InventoryService(db_session, ErpContext.of(tenant)).create_warehouse(
                WarehouseInput(code=data.get("code", ""), name=data.get("name", ""))
            )
        if errors:
            context = await stock_context(db_session, data=data, errors=errors)
            return render(request, "erp/stock.html", context, status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/inventory/stock", status_code=303)

    @post("/stock/adjustments", name="erp.stock.adjust")
    async def adjust(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        """Bring a product's on-hand in a warehouse to the counted quantity (one adjustment move, if it differs)."""
        errors = FormErrors()
        adjustment = await parse_adjustment(db_session, data, errors)
        if adjustment is not None:
            with form_refusals(errors, fields=ADJUST_FIELDS, default="counted"):
                await InventoryService(db_session, ErpContext.of(tenant)).adjust_stock(adjustment)
        if errors:
            context = await stock_context(db_session, adj=data, adj_errors=errors)
            return render(request, "erp/stock.html", context, partial="erp/_stock_adjust.html", status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return after_post(request, f"/w/{tenant.slug}/erp/inventory/stock")

    @post("/stock/transfers", name="erp.stock.transfer")
    async def transfer(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        """Move a quantity of a product from one warehouse to another (the negative-stock rule applies)."""
        errors = FormErrors()
        transfer = await parse_transfer(db_session, data, errors)
        if transfer is not None:
            with form_refusals(errors, fields=TRANSFER_FIELDS, default="tr_quantity"):
                await InventoryService(db_session, ErpContext.of(tenant)).transfer_stock(transfer)
        if errors:
            context = await stock_context(db_session, tr=data, tr_errors=errors)
            return render(request, "erp/stock.html", context, partial="erp/_stock_transfer.html", status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return after_post(request, f"/w/{tenant.slug}/erp/inventory/stock")

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
        allowed = parse_allow_negative(data)
        if allowed is None:
            errors = {"allow_negative_stock": "Tick the box to allow negative stock, or leave it empty."}
            context = {"allowed": was, "errors": errors, "saved": False}
            return render(request, "erp/inventory_settings.html", context, status_code=400)
        if allowed != was:
            await stock.set_allow_negative(allowed)
            await record(
                db_session,
                "inventory.negative_stock_changed",
                target="erp.inventory",
                details={"allow_negative_stock": allowed, "was": was},
                **tenant.actor,
            )
        return render(request, "erp/inventory_settings.html", {"allowed": allowed, "errors": {}, "saved": True})
