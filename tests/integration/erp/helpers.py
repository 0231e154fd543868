"""Seeding helpers for ERP tests (through the services, never by writing rows the services own)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.models import Account, JournalLine
from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.models import StockMove
from nexo.modules.erp.inventory.services import (
    InventoryService,
    MoveRequest,
    ProductInput,
    StockService,
    WarehouseInput,
)
from nexo.tests.factories import Workspace, tenant_session

# What seeding runs as: no module integrations (accounting off), so seeded master data posts nothing.
SEEDING = ErpContext(currency="EUR", modules=frozenset())


@dataclass
class Catalog:
    customer: int
    supplier: int
    warehouse: int
    widget: int
    gadget: int


async def seed_catalog(session: AsyncSession, prefix: str = "") -> Catalog:
    customer = Organization(name=f"{prefix}Customer Inc")
    supplier = Organization(name=f"{prefix}Supplier GmbH")
    session.add_all([customer, supplier])
    await session.flush()
    warehouse = await InventoryService(session, SEEDING).create_warehouse(
        WarehouseInput(code="MAIN", name="Main warehouse")
    )
    widget = await InventoryService(session, SEEDING).create_product(
        ProductInput(
            sku=f"{prefix}W-1",
            name="Widget",
            cost=Decimal("4.00"),
            sale_price=Decimal("10.00"),
            tax_rate=Decimal("0.2"),
        )
    )
    gadget = await InventoryService(session, SEEDING).create_product(
        ProductInput(
            sku=f"{prefix}G-1",
            name="Gadget",
            cost=Decimal("7.50"),
            sale_price=Decimal("19.99"),
            tax_rate=Decimal("0.1"),
        )
    )
    return Catalog(customer.id, supplier.id, warehouse.id, widget.id, gadget.id)


async def seed_stocked_catalog(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace, prefix: str = "", widgets: int = 50
) -> Catalog:
    """``seed_catalog`` in ``workspace``, committed, with ``widgets`` widgets received into its warehouse at 4.00."""
    session = await tenant_session(sessions, workspace)
    async with session:
        cat = await seed_catalog(session, prefix)
        await StockService(session).move(
            [MoveRequest("receipt", cat.widget, Decimal(widgets), to_warehouse_id=cat.warehouse, unit_cost=Decimal(4))]
        )
        await session.commit()
        return cat


async def account_balance(session: AsyncSession, role: str) -> Decimal:
    """Debits minus credits of the account with ``role``."""
    value = await session.scalar(
        select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0))
        .join(Account, Account.id == JournalLine.account_id)
        .where(Account.role == role)
    )
    return Decimal(value)


async def moves_sum(session: AsyncSession, product_id: int, warehouse_id: int) -> Decimal:
    incoming = await session.scalar(
        select(func.coalesce(func.sum(StockMove.quantity), 0)).where(
            StockMove.product_id == product_id, StockMove.to_warehouse_id == warehouse_id
        )
    )
    outgoing = await session.scalar(
        select(func.coalesce(func.sum(StockMove.quantity), 0)).where(
            StockMove.product_id == product_id, StockMove.from_warehouse_id == warehouse_id
        )
    )
    return Decimal(incoming) - Decimal(outgoing)
