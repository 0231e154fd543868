"""Sales forms: a new quote or sales order (customer, warehouse, product lines) and a quote's confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from nexo.modules.erp.inventory.forms import parse_product_lines
from nexo.modules.erp.sales.services import OrderLineInput
from nexo.platform.web.kit import FormErrors, parse_int


@dataclass(frozen=True)
class DocumentForm:
    """A checked new-document form; ``warehouse_id`` is required for orders only."""

    customer_id: int
    warehouse_id: int | None
    lines: list[OrderLineInput]


def parse_document_form(data: dict[str, str], errors: FormErrors, kind: str) -> DocumentForm | None:
    """``kind`` is ``quotes`` or ``orders``; ``None`` (and ``errors`` filled) when a field is wrong."""
    customer = parse_int(data, "customer", errors, label="customer")
    warehouse = parse_int(data, "warehouse", errors, label="warehouse", required=kind == "orders")
    lines = [OrderLineInput(ln.product_id, ln.quantity, ln.price) for ln in parse_product_lines(data, errors)]
    if errors or customer is None:
        return None
    return DocumentForm(customer, warehouse, lines)
