"""The negative-stock setting through the pages: admins and owners only, audit-logged, per workspace; with it off a
delivery that would take stock below zero is refused next to the order, with it on the delivery goes through."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.inventory.services import MoveRequest, StockService
from nexo.modules.erp.sales.models import SalesOrder
from nexo.platform.tenancy.context import Role
from nexo.tenants.audit import AuditEntry
from nexo.tests.factories import WebClient, Workspace, add_member, make_user, tenant_session
from nexo.tests.integration.erp.helpers import seed_catalog


async def _order_beyond_stock(sessions: async_sessionmaker[AsyncSession], ws: Workspace, web: WebClient) -> str:
    """10 widgets on hand, an order for 15 (through the order form); returns the order's URL."""
    session = await tenant_session(sessions, ws)
    async with session:
        cat = await seed_catalog(session)
        await StockService(session).move(
            [MoveRequest("receipt", cat.widget, Decimal(10), to_warehouse_id=cat.warehouse, unit_cost=Decimal(4))]
        )
        await session.commit()
    created = await web.post(
        f"/w/{ws.slug}/erp/sales/orders/new",
        {
            "customer": str(cat.customer),
            "warehouse": str(cat.warehouse),
            "product_0": str(cat.widget),
            "quantity_0": "15",
        },
    )
    assert created.status_code == 303, created.text
    return str(created.headers["location"])


async def _audit(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> list[AuditEntry]:
    session = await tenant_session(sessions, ws)
    async with session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "inventory.negative_stock_changed").order_by(AuditEntry.id)
        )
        return list(rows)


async def test_negative_stock_setting_gates_deliveries(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    await web.login(erp_a.owner.email)
    order_url = await _order_beyond_stock(sessions, erp_a, web)
    settings = f"/w/{erp_a.slug}/erp/inventory/settings"

    page = await web.get(settings)
    assert page.status_code == 200 and 'id="allow_negative_stock"' in page.text and "checked" not in page.text
    refused = await web.post(f"{order_url}/deliver", headers={"hx-request": "true"})
    assert refused.status_code == 400 and 'id="order-error"' in refused.text
    assert "Negative stock is not allowed" in refused.text and "<html" not in refused.text  # inline, in the fragment

    bad = await web.post(settings, {"allow_negative_stock": "maybe"})
    assert bad.status_code == 400 and 'id="allow_negative_stock-error"' in bad.text
    saved = await web.post(settings, {"allow_negative_stock": "true"})
    assert saved.status_code == 200 and 'id="settings-saved"' in saved.text and "checked" in saved.text
    [entry] = await _audit(sessions, erp_a)
    assert entry.details == {"allow_negative_stock": True, "was": False}
    assert entry.actor_user_id == erp_a.owner.id and entry.target == "erp.inventory"
    again = await web.post(settings, {"allow_negative_stock": "true"})  # no change: nothing to log
    assert again.status_code == 200 and len(await _audit(sessions, erp_a)) == 1

    delivered = await web.post(f"{order_url}/deliver", headers={"hx-request": "true"})
    assert delivered.status_code == 200 and 'id="order-error"' not in delivered.text
    session = await tenant_session(sessions, erp_a)
    async with session:
        assert (await session.scalars(select(SalesOrder))).one().status == "delivered"
        assert await StockService(session).allow_negative()

    # Workspace B keeps its own setting (off), and A's admin page is not B's.
    await web.login(erp_b.owner.email)
    page_b = await web.get(f"/w/{erp_b.slug}/erp/inventory/settings")
    assert page_b.status_code == 200 and "checked" not in page_b.text
    assert (await web.get(settings)).status_code == 404
    assert await _audit(sessions, erp_b) == []

    # Switching it off again is logged too.
    await web.login(erp_a.owner.email)
    off = await web.post(settings, {})
    assert off.status_code == 200 and "checked" not in off.text
    assert [e.details["allow_negative_stock"] for e in await _audit(sessions, erp_a)] == [True, False]


async def test_only_admins_and_owners_change_the_setting(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    member = await make_user(sessions)
    admin = await make_user(sessions)
    await add_member(sessions, erp_a, member, Role.MEMBER)
    await add_member(sessions, erp_a, admin, Role.ADMIN)
    settings = f"/w/{erp_a.slug}/erp/inventory/settings"
    await web.login(member.email)
    assert (await web.get(settings)).status_code == 403
    assert (await web.post(settings, {"allow_negative_stock": "true"})).status_code == 403
    assert 'id="inventory-settings-link"' not in (await web.get(f"/w/{erp_a.slug}/erp/inventory/stock")).text
    session = await tenant_session(sessions, erp_a)
    async with session:
        assert not await StockService(session).allow_negative()
    await web.login(admin.email)
    assert 'id="inventory-settings-link"' in (await web.get(f"/w/{erp_a.slug}/erp/inventory/stock")).text
    assert (await web.post(settings, {"allow_negative_stock": "on"})).status_code == 200
    [entry] = await _audit(sessions, erp_a)
    assert entry.actor_user_id == admin.id
    assert (await web.get(f"/w/{erp_b.slug}/erp/inventory/settings")).status_code == 404
