"""Inventory REST API (``/api/v1/erp/inventory/...``): products, warehouses, on-hand stock and stock moves.

Stock only changes through ``StockService`` (adjustments and transfers here; receipts, deliveries and work orders
in their own modules)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import erp_context
from nexo.modules.erp.inventory.models import MOVE_KINDS, Product, StockLevel, StockMove, Warehouse
from nexo.modules.erp.inventory.representations import (
    AdjustmentOut,
    ProductOut,
    StockLevelOut,
    StockMoveOut,
    WarehouseOut,
    move_out,
    product_out,
    warehouse_out,
)
from nexo.modules.erp.inventory.services import (
    Adjustment,
    InventoryService,
    ProductChanges,
    ProductInput,
    RecordedMove,
    Transfer,
    WarehouseInput,
    on_hand,
)
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.fields import Amount, Quantity, Rate, Text200, decimal_or_none
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import (
    REFUSAL_HANDLERS,
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Resource,
    Sort,
    action_op,
    changes,
    check_choice,
    create_op,
    list_op,
    read_op,
    with_refusals,
)
from nexo.platform.refusals import UnknownReferenceError

Annotated64 = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Unit = Annotated[str, msgspec.Meta(max_length=20)]
WarehouseCode = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
READ_SCOPE, WRITE_SCOPE = "erp.inventory.read", "erp.inventory.write"


class ProductCreate(msgspec.Struct, forbid_unknown_fields=True):
    sku: Annotated64
    name: Name
    unit: Unit = "unit"
    cost: Amount = "0"
    sale_price: Amount = "0"
    tax_rate: Rate = "0"


class ProductUpdate(msgspec.Struct, forbid_unknown_fields=True):
    sku: Annotated64 | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    unit: Unit | msgspec.UnsetType = msgspec.UNSET
    cost: Amount | msgspec.UnsetType = msgspec.UNSET
    sale_price: Amount | msgspec.UnsetType = msgspec.UNSET
    tax_rate: Rate | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class WarehouseCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: WarehouseCode
    name: Name


class AdjustmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Bring on-hand of a product in a warehouse to the counted quantity."""

    product_id: DbId
    warehouse_id: DbId
    counted_quantity: Quantity
    unit_cost: Amount | None = None
    reason: Text200 = "Stock count"
    moved_on: datetime.date | None = None


class TransferCreate(msgspec.Struct, forbid_unknown_fields=True):
    product_id: DbId
    from_warehouse_id: DbId
    to_warehouse_id: DbId
    quantity: Quantity


async def recorded_out(session: AsyncSession, move: RecordedMove) -> StockMoveOut:
    row = await session.get_one(StockMove, move.id)
    return move_out(row)


PRODUCTS = Resource(
    Product,
    "product",
    sortable={"id": Product.id, "sku": Product.sku, "name": Product.name, "created_at": Product.created_at},
)
WAREHOUSES = Resource(
    Warehouse, "warehouse", sortable={"id": Warehouse.id, "code": Warehouse.code, "name": Warehouse.name}
)
STOCK_LEVELS = Resource(StockLevel, "stock level", sortable={"id": StockLevel.id})
MOVES = Resource(StockMove, "stock move", sortable={"id": StockMove.id})


class ProductsApi(Controller):
    path = "/erp/inventory/products"
    tags = ["erp.inventory"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List products", "listProducts")))
    async def list_products(
        self,
        db_session: AsyncSession,
        q: str | None = None,
        active: bool | None = None,
        sort: Sort = "sku",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[ProductOut]:
        """``q`` matches the start of the SKU or name (case-insensitive); ``sort`` is ``id``, ``sku``, ``name`` or
        ``created_at``."""
        statement = select(Product)
        if q and q.strip():
            prefix = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            statement = statement.where(
                func.lower(Product.sku).like(prefix, escape="\\") | func.lower(Product.name).like(prefix, escape="\\")
            )
        rows, next_cursor = await PRODUCTS.page(
            db_session, statement, sort=sort, cursor=cursor, limit=limit, filters={Product.active: active}
        )
        return Page(data=[product_out(p) for p in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Create a product", "createProduct")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: ProductCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ProductOut]:
        """Create a product. Send ``Idempotency-Key`` to retry safely."""

        async def make() -> ProductOut:
            product = await InventoryService(db_session, await erp_context(db_session, principal)).create_product(
                ProductInput(
                    sku=data.sku,
                    name=data.name,
                    unit=data.unit,
                    cost=Decimal(data.cost),
                    sale_price=Decimal(data.sale_price),
                    tax_rate=Decimal(data.tax_rate),
                )
            )
            await db_session.refresh(product)
            return product_out(product)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{product_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a product", "getProduct")))
    async def get_product(self, db_session: AsyncSession, product_id: IdParam) -> ProductOut:
        return product_out(await PRODUCTS.get(db_session, product_id))

    @patch("/{product_id:int}", **with_refusals(action_op(WRITE_SCOPE, "Change a product", "updateProduct", 422)))
    async def update(
        self, db_session: AsyncSession, principal: ApiPrincipal, product_id: IdParam, data: ProductUpdate
    ) -> ProductOut:
        """Change master data; ``active: false`` stops selling the product (its history stays)."""
        product = await PRODUCTS.get(db_session, product_id, lock=True)
        values = changes(data)
        for key in ("cost", "sale_price", "tax_rate"):
            if key in values:
                values[key] = Decimal(values[key])
        service = InventoryService(db_session, await erp_context(db_session, principal))
        return await self._changed(db_session, await service.update_product(product, ProductChanges(**values)))

    @post(
        "/{product_id:int}/deactivate",
        **with_refusals(action_op(WRITE_SCOPE, "Deactivate a product", "deactivateProduct", 422)),
    )
    async def deactivate(self, db_session: AsyncSession, principal: ApiPrincipal, product_id: IdParam) -> ProductOut:
        """An inactive product can no longer be sold; its stock and history stay."""
        product = await PRODUCTS.get(db_session, product_id, lock=True)
        service = InventoryService(db_session, await erp_context(db_session, principal))
        return await self._changed(db_session, await service.update_product(product, ProductChanges(active=False)))

    @staticmethod
    async def _changed(session: AsyncSession, product: Product) -> ProductOut:
        await session.refresh(product)
        return product_out(product)


class WarehousesApi(Controller):
    path = "/erp/inventory/warehouses"
    tags = ["erp.inventory"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List warehouses", "listWarehouses")))
    async def list_warehouses(
        self, db_session: AsyncSession, sort: Sort = "code", cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
    ) -> Page[WarehouseOut]:
        """``sort`` is ``id``, ``code`` or ``name``."""
        rows, next_cursor = await WAREHOUSES.page(db_session, sort=sort, cursor=cursor, limit=limit)
        return Page(data=[warehouse_out(w) for w in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Create a warehouse", "createWarehouse")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: WarehouseCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[WarehouseOut]:
        async def make() -> WarehouseOut:
            service = InventoryService(db_session, await erp_context(db_session, principal))
            warehouse = await service.create_warehouse(WarehouseInput(code=data.code, name=data.name))
            await db_session.refresh(warehouse)
            return warehouse_out(warehouse)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{warehouse_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a warehouse", "getWarehouse")))
    async def get_warehouse(self, db_session: AsyncSession, warehouse_id: IdParam) -> WarehouseOut:
        return warehouse_out(await WAREHOUSES.get(db_session, warehouse_id))


class StockApi(Controller):
    path = "/erp/inventory"
    tags = ["erp.inventory"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/stock", **with_refusals(list_op(READ_SCOPE, "On-hand stock per product and warehouse", "listStockLevels")))
    async def stock(
        self,
        db_session: AsyncSession,
        product_id: OptionalIdParam = None,
        warehouse_id: OptionalIdParam = None,
        sort: Sort = "id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[StockLevelOut]:
        """Non-zero on-hand quantities, valued at the product's average cost."""
        statement = (
            select(StockLevel, Product.average_cost)
            .join(Product, Product.id == StockLevel.product_id)
            .where(StockLevel.quantity != 0)
        )
        filters = {StockLevel.product_id: product_id, StockLevel.warehouse_id: warehouse_id}
        rows, next_cursor = await STOCK_LEVELS.page(
            db_session, statement, sort=sort, cursor=cursor, limit=limit, filters=filters, entity_rows=False
        )
        return Page(
            data=[
                StockLevelOut(
                    level.product_id,
                    level.warehouse_id,
                    level.quantity,
                    cost,
                    (level.quantity * cost).quantize(Decimal("0.0001")),
                )
                for level, cost in rows
            ],
            next_cursor=next_cursor,
        )

    @get("/stock-moves", **with_refusals(list_op(READ_SCOPE, "List stock moves", "listStockMoves")))
    async def moves(
        self,
        db_session: AsyncSession,
        product_id: OptionalIdParam = None,
        warehouse_id: OptionalIdParam = None,
        kind: str | None = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[StockMoveOut]:
        """Newest first by default. ``kind`` is one of receipt, delivery, transfer, adjustment, consumption,
        production; ``sort`` is ``id`` or ``-id``."""
        check_choice(kind, MOVE_KINDS, "kind")
        statement = select(StockMove)
        if warehouse_id is not None:
            statement = statement.where(
                (StockMove.from_warehouse_id == warehouse_id) | (StockMove.to_warehouse_id == warehouse_id)
            )
        filters = {StockMove.product_id: product_id, StockMove.kind: kind}
        rows, next_cursor = await MOVES.page(
            db_session, statement, sort=sort, cursor=cursor, limit=limit, filters=filters
        )
        return Page(data=[move_out(m) for m in rows], next_cursor=next_cursor)

    @get("/stock-moves/{move_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a stock move", "getStockMove")))
    async def get_move(self, db_session: AsyncSession, move_id: IdParam) -> StockMoveOut:
        return move_out(await MOVES.get(db_session, move_id))

    @post(
        "/stock-moves/adjustments",
        **with_refusals(create_op(WRITE_SCOPE, "Adjust stock to a counted quantity", "createStockAdjustment")),
    )
    async def adjust(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: AdjustmentCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[AdjustmentOut]:
        """With accounting on, the value difference is posted to stock adjustments."""

        async def make() -> AdjustmentOut:
            await _check_stock_refs(db_session, data.product_id, data.warehouse_id)
            context = await erp_context(db_session, principal)
            move = await InventoryService(db_session, context).adjust_stock(
                Adjustment(
                    data.product_id,
                    data.warehouse_id,
                    Decimal(data.counted_quantity),
                    unit_cost=decimal_or_none(data.unit_cost),
                    reason=data.reason or "Stock count",
                    moved_on=data.moved_on,
                )
            )
            out = AdjustmentOut(
                await recorded_out(db_session, move) if move else None,
                await on_hand(db_session, data.product_id, data.warehouse_id),
            )
            return out

        return await idempotent_create(request, db_session, principal, data, make)

    @post(
        "/stock-moves/transfers",
        **with_refusals(create_op(WRITE_SCOPE, "Transfer stock between warehouses", "createStockTransfer")),
    )
    async def transfer(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: TransferCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[StockMoveOut]:
        async def make() -> StockMoveOut:
            await _check_stock_refs(db_session, data.product_id, data.from_warehouse_id, "from_warehouse_id")
            await _check_stock_refs(db_session, data.product_id, data.to_warehouse_id, "to_warehouse_id")
            move = await InventoryService(db_session, await erp_context(db_session, principal)).transfer_stock(
                Transfer(data.product_id, data.from_warehouse_id, data.to_warehouse_id, Decimal(data.quantity))
            )
            return await recorded_out(db_session, move)

        return await idempotent_create(request, db_session, principal, data, make)


async def _check_stock_refs(
    session: AsyncSession, product_id: int, warehouse_id: int, field: str = "warehouse_id"
) -> None:
    if await session.get(Product, product_id) is None:
        raise UnknownReferenceError("No such product in this workspace.", "product_id")
    if await session.get(Warehouse, warehouse_id) is None:
        raise UnknownReferenceError("No such warehouse in this workspace.", field)


__all__ = ["ProductsApi", "StockApi", "WarehousesApi"]
