"""Manufacturing forms: planning a work order (bill of materials, quantity, warehouse)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nexo.platform.web.kit import FormErrors, parse_decimal, parse_int

# Refusals about these fields are shown next to them; the rest next to the bill of materials.
WORK_ORDER_FIELDS = ("quantity", "warehouse")


@dataclass(frozen=True)
class WorkOrderForm:
    bom_id: int
    quantity: Decimal
    warehouse_id: int


def parse_work_order_form(data: dict[str, str], errors: FormErrors) -> WorkOrderForm | None:
    bom = parse_int(data, "bom", errors, label="bill of materials")
    warehouse = parse_int(data, "warehouse", errors, label="warehouse")
    quantity = parse_decimal(data, "quantity", errors, label="quantity")
    if errors or bom is None or warehouse is None or quantity is None:
        return None
    return WorkOrderForm(bom, quantity, warehouse)
