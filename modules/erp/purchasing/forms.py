"""Purchasing forms: a new purchase order (supplier, receiving warehouse, product lines)."""

from __future__ import annotations

from dataclasses import dataclass

from nexo.modules.erp.inventory.forms import parse_product_lines
from nexo.modules.erp.purchasing.services import PurchaseLineInput
from nexo.platform.web.kit import FormErrors, parse_int


@dataclass(frozen=True)
class PurchaseOrderForm:
    supplier_id: int
    warehouse_id: int
    lines: list[PurchaseLineInput]


def parse_purchase_order_form(data: dict[str, str], errors: FormErrors) -> PurchaseOrderForm | None:
    """The shared product-lines form, the supplier in its ``customer`` picker; ``None`` when a field is wrong."""
    supplier = parse_int(data, "customer", errors, label="supplier")
    warehouse = parse_int(data, "warehouse", errors, label="warehouse")
    lines = [PurchaseLineInput(ln.product_id, ln.quantity, ln.price) for ln in parse_product_lines(data, errors)]
    if errors or supplier is None or warehouse is None:
        return None
    return PurchaseOrderForm(supplier, warehouse, lines)
