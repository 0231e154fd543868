"""Inventory pages through the real app: the product page (edit with errors next to the fields, deactivate and
reactivate), stock counts and transfers from the stock page (on-hand stays the sum of the moves, the negative-stock
rule refuses inline), isolation between workspaces, and what a plain member may do."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.inventory.models import Product, StockMove, Warehouse
from nexo.modules.erp.inventory.services import InventoryService, ProductInput, on_hand
from nexo.platform.tenancy.context import Role
from nexo.tests.factories import WebClient, Workspace, add_member, make_user, tenant_session
from nexo.tests.integration.erp.helpers import SEEDING, Catalog, moves_sum, seed_stocked_catalog

D = Decimal


async def _product(sessions: async_sessionmaker[AsyncSession], ws: Workspace, product_id: int) -> Product:
    session = await tenant_session(sessions, ws)
    async with session:
        product = await session.get(Product, product_id)
        assert product is not None
        return product


async def _move_count(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        return int(await session.scalar(select(func.count()).select_from(StockMove)) or 0)


async def _levels(sessions: async_sessionmaker[AsyncSession], ws: Workspace, cat: Catalog) -> dict[str, D]:
    """On-hand of the widget per warehouse code, checked against the sum of its moves."""
    session = await tenant_session(sessions, ws)
    async with session:
        levels: dict[str, D] = {}
        for warehouse in await session.scalars(select(Warehouse).order_by(Warehouse.code)):
            level = await on_hand(session, cat.widget, warehouse.id)
            assert level == await moves_sum(session, cat.widget, warehouse.id)
            levels[warehouse.code] = level
        return levels


async def test_product_page_edits_with_errors_next_to_fields(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    cat = await seed_stocked_catalog(sessions, erp_a)
    await seed_stocked_catalog(sessions, erp_b, "B-")
    await web.login(erp_a.owner.email)
    url = f"/w/{erp_a.slug}/erp/inventory/products/{cat.widget}"
    assert url in (await web.get(f"/w/{erp_a.slug}/erp/inventory/products")).text  # the list links to it
    page = await web.get(url)
    assert page.status_code == 200 and "W-1" in page.text and 'id="product-edit-form"' in page.text
    assert "MAIN" in page.text and "50 unit" in page.text and "receipt" in page.text  # on-hand and the moves

    bad = await web.post(url, {"sku": "", "name": "Widget", "cost": "abc", "sale_price": "-1", "tax_rate": "150"})
    assert bad.status_code == 400
    for name in ("sku", "cost", "sale_price", "tax_rate"):
        assert f'id="{name}-error"' in bad.text
    dup = await web.post(url, {"sku": "G-1", "name": "Widget 2"}, headers={"hx-request": "true"})
    assert dup.status_code == 400 and 'id="sku-error"' in dup.text and "already used" in dup.text
    assert "<html" not in dup.text  # the form fragment only
    unchanged = await _product(sessions, erp_a, cat.widget)
    assert (unchanged.sku, unchanged.name, unchanged.sale_price, unchanged.tax_rate) == (
        "W-1",
        "Widget",
        D(10),
        D("0.2"),
    )

    ok = await web.post(
        url,
        {"sku": "W-1X", "name": "Widget XL", "unit": "box", "cost": "4.5", "sale_price": "12", "tax_rate": "25"},
        headers={"hx-request": "true"},
    )
    assert ok.status_code == 200 and 'id="product-saved"' in ok.text and 'value="W-1X"' in ok.text
    saved = await _product(sessions, erp_a, cat.widget)
    assert (saved.sku, saved.name, saved.unit, saved.cost) == ("W-1X", "Widget XL", "box", D("4.5"))
    assert (saved.sale_price, saved.tax_rate, saved.active) == (D(12), D("0.25"), True)


async def test_tenant_b_cannot_see_or_edit_a_product_of_a(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    await seed_stocked_catalog(sessions, erp_a)
    await seed_stocked_catalog(sessions, erp_b, "B-")
    session = await tenant_session(sessions, erp_a)
    async with session:
        only_a = (
            await InventoryService(session, SEEDING).create_product(ProductInput(sku="A-ONLY", name="Only in A"))
        ).id
        await session.commit()
    await web.login(erp_b.owner.email)
    own = f"/w/{erp_b.slug}/erp/inventory/products/{only_a}"
    assert (await web.get(own)).status_code == 404  # no such id in B's workspace
    assert (await web.post(own, {"sku": "HACK", "name": "Hacked"})).status_code == 404
    assert (await web.post(f"{own}/active", {"active": "false"})).status_code == 404
    foreign = f"/w/{erp_a.slug}/erp/inventory/products/{only_a}"
    assert (await web.get(foreign)).status_code == 404  # A's workspace is not B's user's
    assert (await web.post(foreign, {"sku": "HACK", "name": "Hacked"})).status_code == 404
    product = await _product(sessions, erp_a, only_a)
    assert (product.sku, product.name, product.active) == ("A-ONLY", "Only in A", True)


async def test_deactivate_and_reactivate(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    cat = await seed_stocked_catalog(sessions, erp_a)
    cat_b = await seed_stocked_catalog(sessions, erp_b, "B-")
    await web.login(erp_a.owner.email)
    url = f"/w/{erp_a.slug}/erp/inventory/products/{cat.widget}"
    assert 'id="deactivate-product"' in (await web.get(url)).text

    off = await web.post(f"{url}/active", {"active": "false"})
    assert off.status_code == 303 and off.headers["location"] == url
    assert not (await _product(sessions, erp_a, cat.widget)).active
    page = await web.get(url)
    assert 'id="reactivate-product"' in page.text and "cannot be put on new orders" in page.text
    order = await web.post(
        f"/w/{erp_a.slug}/erp/sales/orders/new",
        {
            "customer": str(cat.customer),
            "warehouse": str(cat.warehouse),
            "product_0": str(cat.widget),
            "quantity_0": "1",
        },
    )
    assert order.status_code == 400 and "inactive" in order.text  # the sales service refuses it
    assert (await _product(sessions, erp_b, cat_b.widget)).active  # B's widget is untouched

    bad = await web.post(f"{url}/active", {"active": "maybe"})
    assert bad.status_code == 400 and 'id="active-error"' in bad.text
    assert not (await _product(sessions, erp_a, cat.widget)).active
    on = await web.post(f"{url}/active", {"active": "true"})
    assert on.status_code == 303 and (await _product(sessions, erp_a, cat.widget)).active
    assert 'id="deactivate-product"' in (await web.get(url)).text


async def test_adjustment_and_transfer_change_on_hand_and_write_moves(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    cat = await seed_stocked_catalog(sessions, erp_a)
    cat_b = await seed_stocked_catalog(sessions, erp_b, "B-")
    await web.login(erp_a.owner.email)
    stock = f"/w/{erp_a.slug}/erp/inventory/stock"
    page = await web.get(stock)
    assert 'id="stock-adjust-form"' in page.text and 'id="stock-transfer-form"' in page.text
    assert (
        await web.post(f"/w/{erp_a.slug}/erp/inventory/warehouses", {"code": "side", "name": "Side"})
    ).status_code == 303
    session = await tenant_session(sessions, erp_a)
    async with session:
        side = await session.scalar(select(Warehouse.id).where(Warehouse.code == "SIDE"))
    assert side is not None
    moves = await _move_count(sessions, erp_a)

    counted = await web.post(
        f"{stock}/adjustments",
        {"adj_product": str(cat.widget), "adj_warehouse": str(cat.warehouse), "counted": "42", "reason": "Count"},
    )
    assert counted.status_code == 303 and counted.headers["location"] == stock
    assert await _levels(sessions, erp_a, cat) == {"MAIN": D(42), "SIDE": D(0)}
    assert await _move_count(sessions, erp_a) == moves + 1
    same = await web.post(
        f"{stock}/adjustments",
        {"adj_product": str(cat.widget), "adj_warehouse": str(cat.warehouse), "counted": "42"},
        headers={"hx-request": "true"},
    )
    assert same.status_code == 200 and same.headers["hx-redirect"] == stock
    assert await _move_count(sessions, erp_a) == moves + 1  # nothing to adjust

    moved = await web.post(
        f"{stock}/transfers",
        {
            "tr_product": str(cat.widget),
            "from_warehouse": str(cat.warehouse),
            "to_warehouse": str(side),
            "tr_quantity": "10",
        },
    )
    assert moved.status_code == 303
    assert await _levels(sessions, erp_a, cat) == {"MAIN": D(32), "SIDE": D(10)}
    assert await _move_count(sessions, erp_a) == moves + 2
    product_page = (await web.get(f"/w/{erp_a.slug}/erp/inventory/products/{cat.widget}")).text
    assert "32 unit" in product_page and "10 unit" in product_page and "transfer" in product_page
    assert "adjustment" in product_page
    assert await _levels(sessions, erp_b, cat_b) == {"MAIN": D(50)}  # B's stock is untouched


async def test_bad_stock_forms_are_refused_inline_and_write_nothing(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    cat = await seed_stocked_catalog(sessions, erp_a)
    await seed_stocked_catalog(sessions, erp_b, "B-")
    await web.login(erp_a.owner.email)
    stock = f"/w/{erp_a.slug}/erp/inventory/stock"
    assert (
        await web.post(f"/w/{erp_a.slug}/erp/inventory/warehouses", {"code": "SIDE", "name": "Side"})
    ).status_code == 303
    session = await tenant_session(sessions, erp_a)
    async with session:
        side = await session.scalar(select(Warehouse.id).where(Warehouse.code == "SIDE"))
    moves = await _move_count(sessions, erp_a)
    hx = {"hx-request": "true"}
    transfer = {"tr_product": str(cat.widget), "from_warehouse": str(cat.warehouse), "to_warehouse": str(side)}

    short = await web.post(f"{stock}/transfers", {**transfer, "tr_quantity": "60"}, headers=hx)
    assert short.status_code == 400 and 'id="tr_quantity-error"' in short.text
    assert "Negative stock is not allowed" in short.text and "<html" not in short.text
    same = await web.post(f"{stock}/transfers", {**transfer, "to_warehouse": str(cat.warehouse), "tr_quantity": "1"})
    assert same.status_code == 400 and 'id="to_warehouse-error"' in same.text
    unknown = await web.post(f"{stock}/transfers", {**transfer, "from_warehouse": "99999", "tr_quantity": "1"})
    assert unknown.status_code == 400 and 'id="from_warehouse-error"' in unknown.text
    zero = await web.post(f"{stock}/transfers", {**transfer, "tr_quantity": "0"})
    assert zero.status_code == 400 and 'id="tr_quantity-error"' in zero.text
    negative = await web.post(
        f"{stock}/adjustments", {"adj_product": str(cat.widget), "adj_warehouse": str(cat.warehouse), "counted": "-1"}
    )
    assert negative.status_code == 400 and 'id="counted-error"' in negative.text
    missing = await web.post(f"{stock}/adjustments", {"adj_product": "abc", "adj_warehouse": "", "counted": "x"})
    assert missing.status_code == 400
    for name in ("adj_product", "adj_warehouse", "counted"):
        assert f'id="{name}-error"' in missing.text
    foreign = await web.post(
        f"{stock}/adjustments", {"adj_product": "99999", "adj_warehouse": str(cat.warehouse), "counted": "1"}
    )
    assert foreign.status_code == 400 and 'id="adj_product-error"' in foreign.text
    assert await _move_count(sessions, erp_a) == moves
    assert await _levels(sessions, erp_a, cat) == {"MAIN": D(50), "SIDE": D(0)}

    # With negative stock allowed the same transfer goes through, and on-hand is still the sum of the moves.
    assert (
        await web.post(f"/w/{erp_a.slug}/erp/inventory/settings", {"allow_negative_stock": "true"})
    ).status_code == 200
    assert (await web.post(f"{stock}/transfers", {**transfer, "tr_quantity": "60"})).status_code == 303
    assert await _levels(sessions, erp_a, cat) == {"MAIN": D(-10), "SIDE": D(60)}


async def test_a_member_works_the_pages_but_not_the_settings(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    cat = await seed_stocked_catalog(sessions, erp_a)
    await seed_stocked_catalog(sessions, erp_b, "B-")
    member = await make_user(sessions)
    await add_member(sessions, erp_a, member, Role.MEMBER)
    await web.login(member.email)
    url = f"/w/{erp_a.slug}/erp/inventory/products/{cat.widget}"
    assert (await web.get(url)).status_code == 200
    assert (await web.post(url, {"sku": "W-1", "name": "Widget (member)"})).status_code == 200
    stock = f"/w/{erp_a.slug}/erp/inventory/stock"
    counted = await web.post(
        f"{stock}/adjustments", {"adj_product": str(cat.widget), "adj_warehouse": str(cat.warehouse), "counted": "49"}
    )
    assert counted.status_code == 303 and await _levels(sessions, erp_a, cat) == {"MAIN": D(49)}
    # The negative-stock switch stays with admins and owners, as on the existing pages.
    assert 'id="inventory-settings-link"' not in (await web.get(stock)).text
    assert (
        await web.post(f"/w/{erp_a.slug}/erp/inventory/settings", {"allow_negative_stock": "true"})
    ).status_code == 403
    # A member of A is nobody in B.
    assert (await web.get(f"/w/{erp_b.slug}/erp/inventory/products/{cat.widget}")).status_code == 404
    assert (await web.post(f"/w/{erp_b.slug}/erp/inventory/stock/adjustments", {})).status_code == 404
