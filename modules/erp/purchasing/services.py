"""Purchasing rules: purchase order (draft → sent → partially received / received → closed) → receipt (stock in,
valued in the ledger when accounting is on) → supplier bill (accounting)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.accounting.services import InvoiceService, LineInput, post_stock_valuation
from nexo.modules.erp.context import ACCOUNTING, ErpContext
from nexo.modules.erp.inventory.models import Product, Warehouse
from nexo.modules.erp.inventory.services import MoveRequest, StockService, wanted_quantities
from nexo.modules.erp.purchasing import events
from nexo.modules.erp.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from nexo.platform import clock
from nexo.platform.db.base import utcnow
from nexo.platform.money import ZERO, round_quantity, total
from nexo.platform.refusals import BusinessRuleError, InvalidStateError, ModuleOffError, UnknownReferenceError


@dataclass(frozen=True)
class PurchaseLineInput:
    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None  # the product's cost when omitted
    tax_rate: Decimal | None = None
    description: str = ""


class PurchasingService:
    def __init__(self, session: AsyncSession, context: ErpContext) -> None:
        self.session = session
        self.context = context

    async def create_order(
        self,
        supplier_org_id: int,
        warehouse_id: int,
        lines: Sequence[PurchaseLineInput],
        *,
        order_date: datetime.date | None = None,
        expected_on: datetime.date | None = None,
    ) -> PurchaseOrder:
        if await self.session.get(Organization, supplier_org_id) is None:
            raise UnknownReferenceError("No such supplier in the directory of this workspace.", "supplier_org_id")
        if await self.session.get(Warehouse, warehouse_id) is None:
            raise UnknownReferenceError("No such warehouse in this workspace.", "warehouse_id")
        if not lines:
            raise BusinessRuleError("Add at least one line.", "lines")
        products = {
            p.id: p
            for p in await self.session.scalars(select(Product).where(Product.id.in_({ln.product_id for ln in lines})))
        }
        rows = []
        for line in lines:
            product = products.get(line.product_id)
            if product is None:
                raise UnknownReferenceError(f"No product with id {line.product_id} in this workspace.", "product_id")
            cost = product.cost if line.unit_cost is None else line.unit_cost
            if line.quantity <= 0 or cost < 0:
                raise BusinessRuleError("Quantities must be positive and costs not negative.", "quantity")
            rows.append(
                {
                    "product_id": product.id,
                    "description": (line.description or product.name)[:300],
                    "quantity": round_quantity(line.quantity),
                    "unit_cost": cost,
                    "tax_rate": product.tax_rate if line.tax_rate is None else line.tax_rate,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
        order = PurchaseOrder(
            supplier_org_id=supplier_org_id,
            warehouse_id=warehouse_id,
            status="draft",
            order_date=order_date or clock.today(),
            expected_on=expected_on,
            currency=self.context.currency,
        )
        self.session.add(order)
        await self.session.flush()
        await self.session.execute(insert(PurchaseOrderLine), [{**row, "order_id": order.id} for row in rows])
        await self.session.refresh(order, ["lines"])
        await events.purchase_order_event(self.session, "erp.purchase_order.created", order)
        return order

    async def send(self, order_id: int) -> PurchaseOrder:
        order = await self._order(order_id)
        if order.status != "draft":
            raise InvalidStateError(f"{order.number} was already sent.", "status")
        order.status = "sent"
        await self.session.flush()
        await events.purchase_order_event(self.session, "erp.purchase_order.sent", order)
        return order

    async def receive(
        self,
        order_id: int,
        quantities: Mapping[int, Decimal] | None = None,
        *,
        received_on: datetime.date | None = None,
    ) -> Receipt:
        """Goods arrived: stock in at the order's cost, and (accounting on) inventory debited against GRNI."""
        order = await self._order(order_id)
        if order.status not in ("sent", "partially_received"):
            raise InvalidStateError(f"{order.number} is {order.status}: send it before receiving goods.", "status")
        lines = await self._lines(order.id)
        wanted = wanted_quantities(lines, quantities, lambda ln: ln.quantity - ln.quantity_received, "receive")
        received_on = received_on or clock.today()
        receipt = Receipt(order_id=order.id, warehouse_id=order.warehouse_id, received_on=received_on)
        self.session.add(receipt)
        await self.session.flush()
        moves = await StockService(self.session).move(
            [
                MoveRequest(
                    "receipt",
                    line.product_id,
                    qty,
                    to_warehouse_id=order.warehouse_id,
                    unit_cost=line.unit_cost,
                    reference=f"{receipt.number} / {order.number}",
                    source_type="receipt",
                    source_id=receipt.id,
                    moved_on=received_on,
                )
                for line, qty in wanted
            ]
        )
        await self.session.execute(
            insert(ReceiptLine),
            [
                {
                    "receipt_id": receipt.id,
                    "order_line_id": line.id,
                    "quantity": qty,
                    "stock_move_id": move.id,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for (line, qty), move in zip(wanted, moves, strict=True)
            ],
        )
        for line, qty in wanted:
            line.quantity_received += qty
        order.status = "received" if all(ln.quantity_received >= ln.quantity for ln in lines) else "partially_received"
        if self.context.accounting_on:
            await post_stock_valuation(
                self.session,
                self.context,
                received_on,
                f"{receipt.number} / {order.number}",
                total(m.value for m in moves),
                counterpart="grni",
                source_type="receipt",
                source_id=receipt.id,
            )
        await self.session.flush()
        await events.purchase_order_received(self.session, receipt)
        return receipt

    async def bill(self, order_id: int, *, issue_date: datetime.date | None = None, reference: str = "") -> Invoice:
        """The supplier's bill for what was received and not yet billed (needs erp.accounting)."""
        if not self.context.accounting_on:
            raise ModuleOffError("Switch on the Accounting module to record supplier bills.", ACCOUNTING, "accounting")
        order = await self._order(order_id)
        lines = await self._lines(order.id)
        inputs = []
        for line in lines:
            quantity = line.quantity_received - line.quantity_billed
            if quantity > 0:
                inputs.append(
                    LineInput(line.description, quantity, line.unit_cost, line.tax_rate, line.product_id, ZERO, line.id)
                )
                line.quantity_billed += quantity
        if not inputs:
            raise InvalidStateError(f"Everything received on {order.number} is already billed.", "status")
        bill = await InvoiceService(self.session, self.context).create(
            "supplier_bill",
            order.supplier_org_id,
            inputs,
            issue_date=issue_date,
            reference=reference or order.number,
            purchase_order_id=order.id,
        )
        if order.status == "received" and all(ln.quantity_billed >= ln.quantity for ln in lines):
            order.status = "closed"
        await self.session.flush()
        return bill

    async def close(self, order_id: int) -> PurchaseOrder:
        order = await self._order(order_id)
        if order.status in ("closed", "cancelled"):
            raise InvalidStateError(f"{order.number} is already {order.status}.", "status")
        order.status = "closed" if order.status != "draft" else "cancelled"
        await self.session.flush()
        return order

    async def _order(self, order_id: int) -> PurchaseOrder:
        order = await self.session.get(PurchaseOrder, order_id, with_for_update=True)
        if order is None:
            raise UnknownReferenceError("No such purchase order in this workspace.", "order_id")
        return order

    async def _lines(self, order_id: int) -> list[PurchaseOrderLine]:
        return list(
            await self.session.scalars(
                select(PurchaseOrderLine)
                .where(PurchaseOrderLine.order_id == order_id)
                .order_by(PurchaseOrderLine.id)
                .with_for_update()
            )
        )
