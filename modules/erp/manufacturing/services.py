"""Manufacturing rules: a work order consumes its bill of materials' components at average cost and produces the
finished goods at the rolled-up cost, in one transaction (inventory value moves within stock: no ledger entry)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.models import Product, Warehouse
from nexo.modules.erp.inventory.services import MoveRequest, StockService
from nexo.modules.erp.manufacturing import events
from nexo.modules.erp.manufacturing.models import BillOfMaterials, BomLine, WorkOrder
from nexo.platform import clock
from nexo.platform.db.base import utcnow
from nexo.platform.money import round_cost, round_quantity, total
from nexo.platform.refusals import BusinessRuleError, InvalidStateError, UnknownReferenceError


class ManufacturingService:
    def __init__(self, session: AsyncSession, context: ErpContext) -> None:
        self.session = session
        self.context = context

    async def create_bom(
        self,
        product_id: int,
        components: Sequence[tuple[int, Decimal]],
        *,
        output_quantity: Decimal = Decimal(1),
        name: str = "",
    ) -> BillOfMaterials:
        product = await self.session.get(Product, product_id)
        if product is None:
            raise UnknownReferenceError("No such product in this workspace.", "product_id")
        if not components:
            raise BusinessRuleError("A bill of materials needs at least one component.", "components")
        if output_quantity <= 0:
            raise BusinessRuleError("The output quantity must be greater than zero.", "output_quantity")
        ids = {component_id for component_id, _ in components}
        if product_id in ids:
            raise BusinessRuleError("A product cannot be a component of itself.", "components")
        found = set(await self.session.scalars(select(Product.id).where(Product.id.in_(ids))))
        if found != ids:
            raise UnknownReferenceError("A component is not a product of this workspace.", "components")
        if any(quantity <= 0 for _, quantity in components):
            raise BusinessRuleError("Component quantities must be greater than zero.", "components")
        bom = BillOfMaterials(product_id=product_id, name=name or product.name, output_quantity=output_quantity)
        self.session.add(bom)
        await self.session.flush()
        await self.session.execute(
            insert(BomLine),
            [
                {
                    "bom_id": bom.id,
                    "component_id": c,
                    "quantity": round_quantity(q),
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for c, q in components
            ],
        )
        await self.session.refresh(bom, ["lines"])
        return bom

    async def create_work_order(
        self, bom_id: int, quantity: Decimal, warehouse_id: int, *, planned_on: datetime.date | None = None
    ) -> WorkOrder:
        bom = await self.session.get(BillOfMaterials, bom_id)
        if bom is None or not bom.active:
            raise UnknownReferenceError("No such bill of materials in this workspace.", "bom_id")
        if await self.session.get(Warehouse, warehouse_id) is None:
            raise UnknownReferenceError("No such warehouse in this workspace.", "warehouse_id")
        if quantity <= 0:
            raise BusinessRuleError("The quantity must be greater than zero.", "quantity")
        order = WorkOrder(
            bom_id=bom.id,
            product_id=bom.product_id,
            warehouse_id=warehouse_id,
            quantity=round_quantity(quantity),
            status="draft",
            planned_on=planned_on or clock.today(),
        )
        self.session.add(order)
        await self.session.flush()
        return order

    async def complete(self, work_order_id: int, *, completed_on: datetime.date | None = None) -> WorkOrder:
        order = await self.session.get(WorkOrder, work_order_id, with_for_update=True)
        if order is None:
            raise UnknownReferenceError("No such work order in this workspace.", "work_order_id")
        if order.status != "draft":
            raise InvalidStateError(f"{order.number} is already {order.status}.", "status")
        bom = await self.session.get(BillOfMaterials, order.bom_id)
        assert bom is not None
        await self.session.refresh(bom, ["lines"])
        completed_on = completed_on or clock.today()
        factor = order.quantity / bom.output_quantity
        reference = f"{order.number} {bom.name}"
        stock = StockService(self.session)
        consumed = await stock.move(
            [
                MoveRequest(
                    "consumption",
                    line.component_id,
                    round_quantity(line.quantity * factor),
                    from_warehouse_id=order.warehouse_id,
                    reference=reference,
                    source_type="work_order",
                    source_id=order.id,
                    moved_on=completed_on,
                )
                for line in bom.lines
            ]
        )
        cost = total(move.value for move in consumed)
        unit_cost = round_cost(cost / order.quantity)
        await stock.move(
            [
                MoveRequest(
                    "production",
                    order.product_id,
                    order.quantity,
                    to_warehouse_id=order.warehouse_id,
                    unit_cost=unit_cost,
                    reference=reference,
                    source_type="work_order",
                    source_id=order.id,
                    moved_on=completed_on,
                )
            ]
        )
        order.unit_cost = unit_cost
        order.total_cost = cost
        order.status = "done"
        order.completed_on = completed_on
        await self.session.flush()
        await events.work_order_completed(self.session, order)
        return order
