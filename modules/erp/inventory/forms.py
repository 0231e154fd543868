"""Inventory forms: what the pages' fields mean, checked field by field into the services' typed inputs.

Also the product-lines form (up to ``LINE_ROWS`` rows of product, quantity and price) that the sales and purchasing
pages share: their documents are lines of this module's products.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import organizations
from nexo.modules.erp.inventory.models import Product, Warehouse
from nexo.modules.erp.inventory.services import Adjustment, ProductInput, Transfer, product_errors
from nexo.platform.web.kit import FormErrors, parse_decimal, parse_int

LINE_ROWS = 5
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


def parse_product_form(data: dict[str, str], errors: FormErrors) -> ProductInput:
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
    return ProductInput(sku=sku, name=name, unit=unit, cost=cost, sale_price=price, tax_rate=(tax or Decimal(0)) / 100)


def parse_active(data: dict[str, str]) -> bool | None:
    """The deactivate/reactivate button's value; ``None`` when it is neither."""
    raw = (data.get("active") or "").strip().lower()
    return None if raw not in {"true", "false"} else raw == "true"


def parse_allow_negative(data: dict[str, str]) -> bool | None:
    """The settings checkbox: ticked, empty, or ``None`` for any other value."""
    raw = (data.get("allow_negative_stock") or "").strip().lower()
    if raw and raw not in CHECKED:
        return None
    return raw in CHECKED


async def check_refs(session: AsyncSession, errors: FormErrors, refs: dict[str, tuple[type[Any], int | None]]) -> None:
    """Each chosen product or warehouse must exist in this workspace (an error next to its select box otherwise)."""
    for name, (model, key) in refs.items():
        if key is not None and name not in errors and await session.get(model, key) is None:
            what = "product" if model is Product else "warehouse"
            errors[name] = f"Choose a {what} of this workspace."


async def parse_adjustment(session: AsyncSession, data: dict[str, str], errors: FormErrors) -> Adjustment | None:
    """The stock count form: product, warehouse, counted quantity and a reason."""
    product = parse_int(data, "adj_product", errors, label="product")
    warehouse = parse_int(data, "adj_warehouse", errors, label="warehouse")
    counted = parse_decimal(data, "counted", errors, label="counted quantity")
    reason = (data.get("reason") or "").strip()
    if len(reason) > 200:
        errors["reason"] = "Use at most 200 characters."
    await check_refs(session, errors, {"adj_product": (Product, product), "adj_warehouse": (Warehouse, warehouse)})
    if errors or product is None or warehouse is None or counted is None:
        return None
    return Adjustment(product, warehouse, counted, reason=reason or "Stock count")


async def parse_transfer(session: AsyncSession, data: dict[str, str], errors: FormErrors) -> Transfer | None:
    """The transfer form: product, the two warehouses and a quantity above zero."""
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
    await check_refs(session, errors, refs)
    if errors or product is None or source is None or target is None or quantity is None:
        return None
    return Transfer(product, source, target, quantity)


# --- the product-lines form of sales and purchasing documents ---------------------------------------------------


@dataclass(frozen=True)
class ProductLine:
    """One filled row of a product-lines form (the price is the product's own when left empty)."""

    product_id: int
    quantity: Decimal
    price: Decimal | None


def parse_product_lines(data: dict[str, str], errors: FormErrors) -> list[ProductLine]:
    lines = []
    for n in range(LINE_ROWS):
        if not (data.get(f"product_{n}") or "").strip():
            continue
        product = parse_int(data, f"product_{n}", errors, label="product")
        quantity = parse_decimal(data, f"quantity_{n}", errors, label="quantity")
        price = parse_decimal(data, f"price_{n}", errors, label="price", required=False)
        if quantity is not None and quantity <= 0:
            errors[f"quantity_{n}"] = "The quantity must be greater than zero."
        if product is not None and quantity is not None and quantity > 0:
            lines.append(ProductLine(product, quantity, price))
    if not lines and not errors:
        errors["product_0"] = "Add at least one product."
    return lines


async def lines_form_context(
    session: AsyncSession, data: dict[str, str], errors: FormErrors, kind: str
) -> dict[str, Any]:
    """What ``erp/sales_form.html`` needs: the pickers (customers or suppliers, warehouses, active products)."""
    return {
        "data": data,
        "errors": errors,
        "kind": kind,
        "rows": range(LINE_ROWS),
        "heading": {"quotes": "New quote", "orders": "New sales order", "purchase": "New purchase order"}[kind],
        "customers": await organizations(session),
        "warehouses": list(await session.scalars(select(Warehouse).order_by(Warehouse.code))),
        "products": list(await session.scalars(select(Product).where(Product.active).order_by(Product.sku))),
    }
