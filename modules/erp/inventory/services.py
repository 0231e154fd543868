"""Inventory rules. ``StockService`` is the only writer of stock moves, on-hand levels and average costs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, TypeVar, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.accounting.services import post_stock_valuation
from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory import events
from nexo.modules.erp.inventory.models import InventorySettings, Product, StockLevel, StockMove, Warehouse
from nexo.platform import clock
from nexo.platform.db.base import utcnow
from nexo.platform.money import ZERO, round_cost, round_quantity
from nexo.platform.refusals import BusinessRuleError, UnknownReferenceError


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


L = TypeVar("L", bound=_HasId)
INCOMING = frozenset({"receipt", "production"})
OUTGOING = frozenset({"delivery", "consumption"})


@dataclass(frozen=True)
class MoveRequest:
    """One stock movement to record. ``unit_cost`` is used for incoming stock; outgoing stock leaves at average."""

    kind: str
    product_id: int
    quantity: Decimal
    from_warehouse_id: int | None = None
    to_warehouse_id: int | None = None
    unit_cost: Decimal | None = None
    reference: str = ""
    source_type: str | None = None
    source_id: int | None = None
    moved_on: datetime.date | None = None


@dataclass
class RecordedMove:
    id: int
    request: MoveRequest
    unit_cost: Decimal

    @property
    def value(self) -> Decimal:
        return self.request.quantity * self.unit_cost


@dataclass
class _ProductState:
    average_cost: Decimal
    on_hand: Decimal  # all warehouses
    levels: dict[int, Decimal] = field(default_factory=dict)


def _is_incoming(request: MoveRequest) -> bool:
    return request.kind in INCOMING or (request.kind == "adjustment" and request.to_warehouse_id is not None)


class StockService:
    """Records stock moves and keeps on-hand levels and average costs in step, in the caller's transaction.

    Products involved are locked (``FOR UPDATE``, in id order) before anything is read, so concurrent moves of the
    same product serialize and the negative-stock check cannot race. Everything is checked before anything is
    written: a refused batch leaves no trace.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def allow_negative(self) -> bool:
        settings = await self.session.get(InventorySettings, 1)
        return bool(settings and settings.allow_negative_stock)

    async def set_allow_negative(self, allowed: bool) -> None:
        await self.session.execute(
            update(InventorySettings).where(InventorySettings.id == 1).values(allow_negative_stock=allowed)
        )

    async def move(self, requests: Sequence[MoveRequest]) -> list[RecordedMove]:
        if not requests:
            return []
        for request in requests:
            if request.quantity <= 0:
                raise BusinessRuleError("Quantities must be greater than zero.", "quantity")
        states = await self._lock_and_load({r.product_id for r in requests})
        allow_negative = await self.allow_negative()
        recorded: list[RecordedMove] = []
        for request in requests:
            recorded.append(RecordedMove(0, request, self._apply(states[request.product_id], request, allow_negative)))
        await self._write(states, recorded)
        return recorded

    async def _lock_and_load(self, product_ids: set[int]) -> dict[int, _ProductState]:
        rows = await self.session.execute(
            select(Product.id, Product.average_cost)
            .where(Product.id.in_(product_ids))
            .order_by(Product.id)
            .with_for_update()
        )
        states = {pid: _ProductState(cost, ZERO) for pid, cost in rows}
        missing = product_ids - states.keys()
        if missing:
            raise UnknownReferenceError(f"No product with id {min(missing)} in this workspace.", "product_id")
        levels = await self.session.execute(
            select(StockLevel.product_id, StockLevel.warehouse_id, StockLevel.quantity).where(
                StockLevel.product_id.in_(product_ids)
            )
        )
        for product_id, warehouse_id, quantity in levels:
            states[product_id].levels[warehouse_id] = quantity
            states[product_id].on_hand += quantity
        return states

    @staticmethod
    def _apply(state: _ProductState, request: MoveRequest, allow_negative: bool) -> Decimal:
        """Apply ``request`` to the in-memory state; return the unit cost the move is recorded at."""
        quantity = round_quantity(request.quantity)
        if _is_incoming(request):
            assert request.to_warehouse_id is not None
            cost = round_cost(request.unit_cost if request.unit_cost is not None else state.average_cost)
            if cost < 0:
                raise BusinessRuleError("A unit cost cannot be negative.", "unit_cost")
            base = max(state.on_hand, ZERO)
            state.average_cost = round_cost((base * state.average_cost + quantity * cost) / (base + quantity))
            state.levels[request.to_warehouse_id] = state.levels.get(request.to_warehouse_id, ZERO) + quantity
            state.on_hand += quantity
            return cost
        source = request.from_warehouse_id
        if source is None:
            raise BusinessRuleError("Choose the warehouse the stock leaves from.", "from_warehouse_id")
        remaining = state.levels.get(source, ZERO) - quantity
        if remaining < 0 and not allow_negative:
            available = state.levels.get(source, ZERO)
            raise BusinessRuleError(
                f"Not enough stock of product {request.product_id}: {available.normalize():f} on hand, "
                f"{quantity.normalize():f} needed. Negative stock is not allowed in this workspace.",
                "quantity",
            )
        state.levels[source] = remaining
        if request.kind == "transfer":
            assert request.to_warehouse_id is not None
            state.levels[request.to_warehouse_id] = state.levels.get(request.to_warehouse_id, ZERO) + quantity
        else:
            state.on_hand -= quantity
        return state.average_cost

    async def _write(self, states: dict[int, _ProductState], recorded: list[RecordedMove]) -> None:
        rows = [
            {
                "kind": m.request.kind,
                "product_id": m.request.product_id,
                "quantity": round_quantity(m.request.quantity),
                "from_warehouse_id": m.request.from_warehouse_id,
                "to_warehouse_id": m.request.to_warehouse_id,
                "unit_cost": m.unit_cost,
                "moved_on": m.request.moved_on or clock.today(),
                "reference": m.request.reference,
                "source_type": m.request.source_type,
                "source_id": m.request.source_id,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
            for m in recorded
        ]
        ids = (
            (
                await self.session.execute(
                    insert(cast("Table", StockMove.__table__)).returning(
                        StockMove.__table__.c.id, sort_by_parameter_order=True
                    ),
                    rows,
                )
            )
            .scalars()
            .all()
        )
        for move, move_id in zip(recorded, ids, strict=True):
            move.id = move_id
        deltas: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        for move in recorded:
            request, quantity = move.request, round_quantity(move.request.quantity)
            if request.from_warehouse_id is not None:
                deltas[(request.product_id, request.from_warehouse_id)] -= quantity
            if request.to_warehouse_id is not None:
                deltas[(request.product_id, request.to_warehouse_id)] += quantity
        statement = pg_insert(StockLevel).values(
            [
                {"product_id": p, "warehouse_id": w, "quantity": q, "created_at": utcnow(), "updated_at": utcnow()}
                for (p, w), q in sorted(deltas.items())
            ]
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["product_id", "warehouse_id"],
                set_={"quantity": StockLevel.quantity + statement.excluded.quantity, "updated_at": utcnow()},
            )
        )
        changed = {m.request.product_id for m in recorded if _is_incoming(m.request)}
        for product_id in sorted(changed):
            await self.session.execute(
                update(Product).where(Product.id == product_id).values(average_cost=states[product_id].average_cost)
            )


@dataclass(frozen=True)
class StockRow:
    product_id: int
    sku: str
    name: str
    unit: str
    warehouse_id: int
    warehouse: str
    quantity: Decimal
    average_cost: Decimal

    @property
    def value(self) -> Decimal:
        return self.quantity * self.average_cost


async def stock_on_hand(session: AsyncSession, warehouse_id: int | None = None) -> list[StockRow]:
    """On-hand quantity and valuation (average cost) per product and warehouse."""
    statement = (
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.unit,
            Warehouse.id,
            Warehouse.code,
            StockLevel.quantity,
            Product.average_cost,
        )
        .join(Product, Product.id == StockLevel.product_id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.quantity != 0)
        .order_by(Warehouse.code, Product.sku)
    )
    if warehouse_id is not None:
        statement = statement.where(StockLevel.warehouse_id == warehouse_id)
    return [StockRow(*row) for row in await session.execute(statement)]


async def on_hand(session: AsyncSession, product_id: int, warehouse_id: int) -> Decimal:
    quantity = await session.scalar(
        select(StockLevel.quantity).where(StockLevel.product_id == product_id, StockLevel.warehouse_id == warehouse_id)
    )
    return quantity if quantity is not None else ZERO


@dataclass(frozen=True)
class ProductInput:
    """A new product's master data (the tax rate as a fraction: 0.21 = 21 %)."""

    sku: str
    name: str
    unit: str = "unit"
    cost: Decimal = ZERO
    sale_price: Decimal = ZERO
    tax_rate: Decimal = ZERO
    active: bool = True


@dataclass(frozen=True)
class ProductChanges:
    """A partial change of a product's master data: ``None`` leaves a field as it is."""

    sku: str | None = None
    name: str | None = None
    unit: str | None = None
    cost: Decimal | None = None
    sale_price: Decimal | None = None
    tax_rate: Decimal | None = None
    active: bool | None = None


@dataclass(frozen=True)
class WarehouseInput:
    code: str
    name: str


@dataclass(frozen=True)
class Adjustment:
    """Bring a product's on-hand in a warehouse to a counted quantity."""

    product_id: int
    warehouse_id: int
    counted: Decimal
    unit_cost: Decimal | None = None
    reason: str = "Stock count"
    moved_on: datetime.date | None = None


@dataclass(frozen=True)
class Transfer:
    """Move a quantity of a product from one warehouse to another."""

    product_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    quantity: Decimal


def product_errors(
    *, sku: str, name: str, unit: str, cost: Decimal, sale_price: Decimal, tax_rate: Decimal
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not sku.strip():
        errors["sku"] = "Enter the SKU."
    elif len(sku.strip()) > 64:
        errors["sku"] = "Use at most 64 characters."
    if not name.strip():
        errors["name"] = "Enter the product name."
    elif len(name.strip()) > 200:
        errors["name"] = "Use at most 200 characters."
    if len(unit.strip()) > 20:
        errors["unit"] = "Use at most 20 characters."
    if cost < 0:
        errors["cost"] = "The cost cannot be negative."
    if sale_price < 0:
        errors["sale_price"] = "The sale price cannot be negative."
    if not ZERO <= tax_rate < 1:
        errors["tax_rate"] = "The tax rate is a percentage between 0 and 100."
    return errors


def _first_error(errors: dict[str, str]) -> None:
    if errors:
        field_name, message = next(iter(errors.items()))
        raise BusinessRuleError(message, field_name)


class InventoryService:
    """Products, warehouses, stock adjustments and transfers of one workspace (the stock ledger itself is
    ``StockService``, which the sales, purchasing and manufacturing services share)."""

    def __init__(self, session: AsyncSession, context: ErpContext) -> None:
        self.session = session
        self.context = context

    async def create_product(self, data: ProductInput) -> Product:
        session = self.session
        sku = data.sku
        _first_error(
            product_errors(
                sku=sku,
                name=data.name,
                unit=data.unit,
                cost=data.cost,
                sale_price=data.sale_price,
                tax_rate=data.tax_rate,
            )
        )
        if await session.scalar(select(Product.id).where(Product.sku == sku.strip())):
            raise BusinessRuleError(f"The SKU {sku.strip()} is already used by another product.", "sku")
        product = Product(
            sku=sku.strip(),
            name=data.name.strip(),
            unit=data.unit.strip() or "unit",
            cost=data.cost,
            sale_price=data.sale_price,
            tax_rate=data.tax_rate,
            active=data.active,
            average_cost=ZERO,
        )
        session.add(product)
        await session.flush()
        await events.product_event(session, "erp.product.created", product)
        return product

    async def update_product(self, product: Product, changes: ProductChanges) -> Product:
        """Change a product's master data with the same rules as creating one (the API's PATCH; ``active`` too)."""
        sku = product.sku if changes.sku is None else changes.sku
        name = product.name if changes.name is None else changes.name
        unit = product.unit if changes.unit is None else changes.unit
        cost = product.cost if changes.cost is None else changes.cost
        sale_price = product.sale_price if changes.sale_price is None else changes.sale_price
        tax_rate = product.tax_rate if changes.tax_rate is None else changes.tax_rate
        _first_error(product_errors(sku=sku, name=name, unit=unit, cost=cost, sale_price=sale_price, tax_rate=tax_rate))
        sku = sku.strip()
        if sku != product.sku and await self.session.scalar(select(Product.id).where(Product.sku == sku)):
            raise BusinessRuleError(f"The SKU {sku} is already used by another product.", "sku")
        product.sku, product.name = sku, name.strip()
        product.unit = unit.strip() or "unit"
        product.cost, product.sale_price, product.tax_rate = cost, sale_price, tax_rate
        if changes.active is not None:
            product.active = changes.active
        await self.session.flush()
        await events.product_event(self.session, "erp.product.updated", product)
        return product

    async def create_warehouse(self, data: WarehouseInput) -> Warehouse:
        code = data.code.strip().upper()
        if not code or len(code) > 20:
            raise BusinessRuleError("Enter a code of at most 20 characters.", "code")
        if not data.name.strip():
            raise BusinessRuleError("Enter the warehouse name.", "name")
        if await self.session.scalar(select(Warehouse.id).where(Warehouse.code == code)):
            raise BusinessRuleError(f"The code {code} is already used by another warehouse.", "code")
        warehouse = Warehouse(code=code, name=data.name.strip())
        self.session.add(warehouse)
        await self.session.flush()
        return warehouse

    async def adjust_stock(self, data: Adjustment) -> RecordedMove | None:
        """Bring on-hand to the counted quantity; with accounting on, the value difference hits stock
        adjustments."""
        session, context, reason = self.session, self.context, data.reason
        if data.counted < 0:
            raise BusinessRuleError("A counted quantity cannot be negative.", "quantity")
        difference = round_quantity(data.counted) - await on_hand(session, data.product_id, data.warehouse_id)
        if difference == 0:
            return None
        request = MoveRequest(
            "adjustment",
            data.product_id,
            abs(difference),
            to_warehouse_id=data.warehouse_id if difference > 0 else None,
            from_warehouse_id=data.warehouse_id if difference < 0 else None,
            unit_cost=data.unit_cost,
            reference=reason[:200],
            source_type="adjustment",
            moved_on=data.moved_on,
        )
        move = (await StockService(session).move([request]))[0]
        if context.accounting_on:
            value = move.value if difference > 0 else -move.value
            await post_stock_valuation(
                session,
                context,
                data.moved_on or clock.today(),
                f"Stock adjustment: {reason}"[:300],
                value,
                counterpart="stock_adjustment",
                source_type="stock_move",
                source_id=move.id,
            )
        await events.stock_move_created(session, move.id)
        return move

    async def transfer_stock(self, data: Transfer) -> RecordedMove:
        if data.from_warehouse_id == data.to_warehouse_id:
            raise BusinessRuleError("Choose two different warehouses.", "to_warehouse_id")
        request = MoveRequest(
            "transfer",
            data.product_id,
            data.quantity,
            from_warehouse_id=data.from_warehouse_id,
            to_warehouse_id=data.to_warehouse_id,
            reference="Transfer",
            source_type="transfer",
        )
        move = (await StockService(self.session).move([request]))[0]
        await events.stock_move_created(self.session, move.id)
        return move


def wanted_quantities(
    lines: Sequence[L], quantities: Mapping[int, Decimal] | None, outstanding: Callable[[L], Decimal], verb: str
) -> list[tuple[L, Decimal]]:
    """Pair document lines (order lines to deliver, receive or consume) with the quantity to move, checked against
    what is outstanding on each; ``quantities`` ``None`` means everything outstanding."""
    by_id = {line.id: line for line in lines}
    wanted: list[tuple[L, Decimal]] = []
    if quantities is None:
        wanted = [(line, outstanding(line)) for line in lines if outstanding(line) > 0]
    else:
        for line_id, quantity in quantities.items():
            line = by_id.get(line_id)
            if line is None:
                raise UnknownReferenceError("That line is not on this order.", "lines")
            quantity = round_quantity(quantity)
            if quantity == 0:
                continue
            if quantity < 0 or quantity > outstanding(line):
                raise BusinessRuleError(
                    f"You can {verb} between 0 and {outstanding(line).normalize():f} of this line.", f"line-{line_id}"
                )
            wanted.append((line, quantity))
    if not wanted:
        raise BusinessRuleError(f"Nothing to {verb}.", "lines")
    return wanted
