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
from nexo.modules.erp.inventory.models import Product, StockLevel, StockMove, Warehouse
from nexo.modules.erp.inventory.services import (
    StockService,
    adjust_stock,
    create_product,
    create_warehouse,
    product_errors,
    stock_on_hand,
    transfer_stock,
    update_product,
)
from nexo.platform.refusals import RefusalError
from nexo.platform.tenancy.context import Role, TenantContext, require_role
from nexo.platform.web.kit import FormData, FormErrors, get_or_404, parse_decimal, parse_int
from nexo.platform.web.rendering import is_htmx, render
from nexo.tenants.audit import record

PAGE_SIZE = 50
LAST_MOVES = 20
CHECKED = {"on", "true", "1"}
# Service error fields → the form fields they belong next to, per stock form.
ADJUST_FIELDS = {
    "product_id": "adj_product",
    "warehouse_id": "adj_warehouse",
    "quantity": "counted",
    "unit_cost": "counted",
}
TRANSFER_FIELDS = {
    "product_id": "tr_product",
    "from_warehouse_id": "from_warehouse",
    "to_warehouse_id": "to_warehouse",
    "quantity": "tr_quantity",
}


def product_form_data(product: Product) -> dict[str, str]:
    """The edit form's values for ``product`` (the tax rate shown as a percentage)."""
    return {
        "sku": product.sku,
        "name": product.name,
        "unit": product.unit,
        "cost": f"{product.cost.normalize():f}",
        "sale_price": f"{product.sale_price.normalize():f}",
        "tax_rate": f"{(product.tax_rate * 100).normalize():f}",
    }


def parse_product_form(data: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    """The product fields of a create or edit form, checked; the tax rate comes in as a percentage."""
    cost = parse_decimal(data, "cost", errors, label="cost", default=Decimal(0))
    price = parse_decimal(data, "sale_price", errors, label="sale price", default=Decimal(0))
    tax = parse_decimal(data, "tax_rate", errors, label="tax rate", default=Decimal(0))
    if tax is not None and tax >= 100:
        errors["tax_rate"] = "The tax rate is a percentage below 100."
    sku, name, unit = data.get("sku", ""), data.get("name", ""), data.get("unit", "") or "unit"
    cost, price = cost or Decimal(0), price or Decimal(0)
    for field_name, message in product_errors(
        sku=sku, name=name, unit=unit, cost=cost, sale_price=price, tax_rate=Decimal(0)
    ).items():  # the tax rate was checked above, as a percentage
        errors.setdefault(field_name, message)
    return {
        "sku": sku,
        "name": name,
        "unit": unit,
        "cost": cost,
        "sale_price": price,
        "tax_rate": (tax or Decimal(0)) / 100,
    }


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


async def check_refs(session: AsyncSession, errors: FormErrors, refs: dict[str, tuple[type[Any], int | None]]) -> None:
    """Each chosen product or warehouse must exist in this workspace (an error next to its select box otherwise)."""
    for name, (model, key) in refs.items():
        if key is not None and name not in errors and await session.get(model, key) is None:
            what = "product" if model is Product else "warehouse"
            errors[name] = f"Choose a {what} of this workspace."


def done(request: Request[Any, Any, Any], target: str) -> Any:
    """After a successful form post: htmx follows an ``HX-Redirect``, a plain form a 303."""
    if is_htmx(request):
        return Template(template_name="partials/empty.html", headers={"hx-redirect": target})
    return Redirect(target, status_code=303)


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
            try:
                await create_product(db_session, **values)
            except RefusalError as error:
                errors[error.field or "sku"] = error.message
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
            try:
                await update_product(db_session, product, **values)
            except RefusalError as error:
                errors[error.field or "sku"] = error.message
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
        raw = (data.get("active") or "").strip().lower()
        if raw not in {"true", "false"}:
            context = {
                **await product_context(db_session, product),
                "data": product_form_data(product),
                "errors": {},
                "active_error": "Choose to deactivate or reactivate the product.",
            }
            return render(request, "erp/product.html", context, status_code=400)
        if product.active != (raw == "true"):
            await update_product(db_session, product, active=raw == "true")
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/inventory/products/{product.id}", status_code=303)

    @get("/stock", name="erp.stock")
    async def stock(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        return render(request, "erp/stock.html", await stock_context(db_session))

    @post("/warehouses", name="erp.warehouses.create")
    async def create_warehouse(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        try:
            await create_warehouse(db_session, code=data.get("code", ""), name=data.get("name", ""))
        except RefusalError as error:
            context = await stock_context(db_session, data=data, errors={error.field or "code": error.message})
            return render(request, "erp/stock.html", context, status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return Redirect(f"/w/{tenant.slug}/erp/inventory/stock", status_code=303)

    @post("/stock/adjustments", name="erp.stock.adjust")
    async def adjust(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        """Bring a product's on-hand in a warehouse to the counted quantity (one adjustment move, if it differs)."""
        errors = FormErrors()
        product = parse_int(data, "adj_product", errors, label="product")
        warehouse = parse_int(data, "adj_warehouse", errors, label="warehouse")
        counted = parse_decimal(data, "counted", errors, label="counted quantity")
        reason = (data.get("reason") or "").strip()
        if len(reason) > 200:
            errors["reason"] = "Use at most 200 characters."
        await check_refs(
            db_session, errors, {"adj_product": (Product, product), "adj_warehouse": (Warehouse, warehouse)}
        )
        if not errors and product is not None and warehouse is not None and counted is not None:
            try:
                await adjust_stock(
                    db_session, ErpContext.of(tenant), product, warehouse, counted, reason=reason or "Stock count"
                )
            except RefusalError as error:
                errors[ADJUST_FIELDS.get(error.field or "", "counted")] = error.message
        if errors:
            context = await stock_context(db_session, adj=data, adj_errors=errors)
            return render(request, "erp/stock.html", context, partial="erp/_stock_adjust.html", status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return done(request, f"/w/{tenant.slug}/erp/inventory/stock")

    @post("/stock/transfers", name="erp.stock.transfer")
    async def transfer(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        """Move a quantity of a product from one warehouse to another (the negative-stock rule applies)."""
        errors = FormErrors()
        product = parse_int(data, "tr_product", errors, label="product")
        source = parse_int(data, "from_warehouse", errors, label="warehouse to take from")
        target = parse_int(data, "to_warehouse", errors, label="warehouse to move to")
        quantity = parse_decimal(data, "tr_quantity", errors, label="quantity")
        if quantity is not None and quantity <= 0:
            errors["tr_quantity"] = "The quantity must be greater than zero."
        refs = {
            "tr_product": (Product, product),
            "from_warehouse": (Warehouse, source),
            "to_warehouse": (Warehouse, target),
        }
        await check_refs(db_session, errors, refs)
        if not errors and product is not None and source is not None and target is not None and quantity is not None:
            try:
                await transfer_stock(db_session, product, source, target, quantity)
            except RefusalError as error:
                errors[TRANSFER_FIELDS.get(error.field or "", "tr_quantity")] = error.message
        if errors:
            context = await stock_context(db_session, tr=data, tr_errors=errors)
            return render(request, "erp/stock.html", context, partial="erp/_stock_transfer.html", status_code=400)
        await db_session.commit()  # redirects are not auto-committed
        return done(request, f"/w/{tenant.slug}/erp/inventory/stock")

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
                db_session,
                "inventory.negative_stock_changed",
                target="erp.inventory",
                details={"allow_negative_stock": allowed, "was": was},
                **tenant.actor,
            )
        return render(request, "erp/inventory_settings.html", {"allowed": allowed, "errors": {}, "saved": True})
