"""The ERP REST API over real tokens of two workspaces: every module's resources, tenant isolation, scope and
module-off refusals, bad input (4xx, nothing written), idempotent creates, the order → delivery → invoice → payment
process firing ``erp.invoice.paid``, and schemathesis over the ERP operations."""

# ruff: noqa: ASYNC210, ASYNC221, S113 -- the schemathesis test blocks on its live server's independent client

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.modules.erp.inventory.models import StockMove
from nexo.platform.settings import Settings
from nexo.platform.webhooks.models import WebhookDelivery
from nexo.tests.days import days
from nexo.tests.factories import Workspace, make_workspace, tenant_session
from nexo.tests.integration.api.conftest import TokenFactory, switch_module
from nexo.tests.integration.api.test_webhooks import run_worker
from nexo.tests.partner import LiveServer, Receiver, make_integration, run_live_server

Client = AsyncTestClient[Litestar]
ERP_MODULES = ("erp.inventory", "erp.purchasing", "erp.sales", "erp.accounting", "erp.hr", "erp.manufacturing")
ERP_SCOPES = tuple(f"{module}.{access}" for module in ERP_MODULES for access in ("read", "write"))
ALL = (*ERP_SCOPES, "directory.read", "directory.write")
API = "/api/v1/erp"


@pytest.fixture
async def erp_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha Trading", modules=ERP_MODULES)


@pytest.fixture
async def erp_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta Works", modules=ERP_MODULES)


def problem_type(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def created(client: Client, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    answer = await client.post(path, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def seed(client: Client, headers: dict[str, str], prefix: str = "") -> dict[str, int]:
    """A customer, a supplier, a warehouse and two products, all through the API."""
    customer = await created(client, "/api/v1/directory/organizations", {"name": f"{prefix}Customer"}, headers)
    supplier = await created(client, "/api/v1/directory/organizations", {"name": f"{prefix}Supplier"}, headers)
    warehouse = await created(client, f"{API}/inventory/warehouses", {"code": "main", "name": "Main"}, headers)
    widget = await created(
        client,
        f"{API}/inventory/products",
        {"sku": f"{prefix}W-1", "name": "Widget", "cost": "4.00", "sale_price": "10.00", "tax_rate": "0.2"},
        headers,
    )
    gadget = await created(
        client,
        f"{API}/inventory/products",
        {"sku": f"{prefix}G-1", "name": "Gadget", "cost": "7.50", "sale_price": "19.99", "tax_rate": "0.1"},
        headers,
    )
    return {
        "customer": customer["id"],
        "supplier": supplier["id"],
        "warehouse": warehouse["id"],
        "widget": widget["id"],
        "gadget": gadget["id"],
    }


async def count_moves(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        return int(await session.scalar(select(func.count()).select_from(StockMove)) or 0)


async def test_inventory_resources_idempotency_and_isolation(
    client: Client, token_for: TokenFactory, erp_a: Workspace, erp_b: Workspace
) -> None:
    headers_a, headers_b = await token_for(erp_a, ALL), await token_for(erp_b, ALL)
    ids = await seed(client, headers_a)
    body = {"sku": "BOLT", "name": "Bolt", "cost": "0.10", "sale_price": "0.25"}
    keyed = {**headers_a, "Idempotency-Key": "bolt-1"}
    first = await client.post(f"{API}/inventory/products", json=body, headers=keyed)
    replay = await client.post(f"{API}/inventory/products", json=body, headers=keyed)
    assert first.status_code == replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json() and first.json()["sale_price"] == "0.2500"
    reused = await client.post(f"{API}/inventory/products", json={**body, "sku": "NUT"}, headers=keyed)
    assert reused.status_code == 422 and problem_type(reused) == "idempotency-key-reused"
    listed = (await client.get(f"{API}/inventory/products?sort=-name", headers=headers_a)).json()
    assert [p["name"] for p in listed["data"]] == ["Widget", "Gadget", "Bolt"]
    page = (await client.get(f"{API}/inventory/products?limit=2&sort=sku", headers=headers_a)).json()
    rest = (
        await client.get(f"{API}/inventory/products?limit=2&sort=sku&cursor={page['next_cursor']}", headers=headers_a)
    ).json()
    assert [p["sku"] for p in page["data"] + rest["data"]] == ["BOLT", "G-1", "W-1"] and rest["next_cursor"] is None
    assert [
        p["sku"] for p in (await client.get(f"{API}/inventory/products?q=wid", headers=headers_a)).json()["data"]
    ] == ["W-1"]
    changed = await client.patch(
        f"{API}/inventory/products/{ids['widget']}", json={"sale_price": "12.5"}, headers=headers_a
    )
    assert changed.status_code == 200 and changed.json()["sale_price"] == "12.5000"
    taken = await client.patch(f"{API}/inventory/products/{ids['widget']}", json={"sku": "G-1"}, headers=headers_a)
    assert taken.status_code == 422 and taken.json()["errors"][0]["key"] == "sku"
    off = await client.post(f"{API}/inventory/products/{first.json()['id']}/deactivate", headers=headers_a)
    assert off.status_code == 200 and off.json()["active"] is False
    active = (await client.get(f"{API}/inventory/products?active=true", headers=headers_a)).json()["data"]
    assert "BOLT" not in [p["sku"] for p in active]
    # stock: a count, a transfer, on-hand and the moves
    second = await created(client, f"{API}/inventory/warehouses", {"code": "west", "name": "West"}, headers_a)
    counted = await created(
        client,
        f"{API}/inventory/stock-moves/adjustments",
        {"product_id": ids["widget"], "warehouse_id": ids["warehouse"], "counted_quantity": "10", "unit_cost": "4"},
        headers_a,
    )
    assert counted["on_hand"] == "10.0000" and counted["move"]["kind"] == "adjustment"
    moved = await created(
        client,
        f"{API}/inventory/stock-moves/transfers",
        {
            "product_id": ids["widget"],
            "from_warehouse_id": ids["warehouse"],
            "to_warehouse_id": second["id"],
            "quantity": "3",
        },
        headers_a,
    )
    assert moved["kind"] == "transfer" and moved["quantity"] == "3.0000"
    stock = (await client.get(f"{API}/inventory/stock?product_id={ids['widget']}", headers=headers_a)).json()["data"]
    assert {(s["warehouse_id"], s["quantity"]) for s in stock} == {
        (ids["warehouse"], "7.0000"),
        (second["id"], "3.0000"),
    }
    moves = (await client.get(f"{API}/inventory/stock-moves?kind=transfer", headers=headers_a)).json()["data"]
    assert [m["id"] for m in moves] == [moved["id"]]
    assert (await client.get(f"{API}/inventory/warehouses/{second['id']}", headers=headers_a)).json()["code"] == "WEST"
    # tenant B sees none of it: the same ids are 404 there, its lists are empty
    for path in (
        f"inventory/products/{ids['widget']}",
        f"inventory/warehouses/{second['id']}",
        f"inventory/stock-moves/{moved['id']}",
    ):
        other = await client.get(f"{API}/{path}", headers=headers_b)
        assert other.status_code == 404 and problem_type(other) == "not-found", path
    assert (await client.get(f"{API}/inventory/products", headers=headers_b)).json()["data"] == []
    changed_b = await client.patch(f"{API}/inventory/products/{ids['widget']}", json={"name": "X"}, headers=headers_b)
    assert changed_b.status_code == 404


async def test_bad_input_is_a_4xx_and_writes_nothing(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    erp_a: Workspace,
    erp_b: Workspace,
) -> None:
    headers = await token_for(erp_a, ALL)
    ids = await seed(client, headers)
    not_a_number = await client.post(
        f"{API}/inventory/products", json={"sku": "X", "name": "X", "cost": "1e9999"}, headers=headers
    )
    assert not_a_number.status_code == 400 and problem_type(not_a_number) == "validation-error"
    unknown = await client.post(
        f"{API}/sales/orders",
        headers=headers,
        json={
            "customer_org_id": ids["customer"],
            "warehouse_id": ids["warehouse"],
            "lines": [{"product_id": ids["widget"], "quantity": "1"}, {"product_id": 999, "quantity": "1"}],
        },
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["key"] == "product_id"
    other_customer = await client.post(
        f"{API}/sales/quotes",
        headers=headers,
        json={"customer_org_id": 999, "lines": [{"product_id": ids["widget"], "quantity": "1"}]},
    )
    assert other_customer.status_code == 400 and other_customer.json()["errors"][0]["key"] == "customer_org_id"
    assert (await client.get(f"{API}/sales/orders", headers=headers)).json()["data"] == []
    assert (await client.get(f"{API}/sales/quotes", headers=headers)).json()["data"] == []
    # a delivery without stock is refused as a business rule and leaves the order and stock untouched
    order = await created(
        client,
        f"{API}/sales/orders",
        {
            "customer_org_id": ids["customer"],
            "warehouse_id": ids["warehouse"],
            "lines": [{"product_id": ids["widget"], "quantity": "2"}],
        },
        headers,
    )
    short = await client.post(f"{API}/sales/orders/{order['id']}/deliveries", json={}, headers=headers)
    assert short.status_code == 422 and problem_type(short) == "business-rule"
    assert short.json()["errors"][0]["key"] == "quantity" and "Not enough stock" in short.json()["detail"]
    assert await count_moves(sessions, erp_a) == 0
    again = (await client.get(f"{API}/sales/orders/{order['id']}", headers=headers)).json()
    assert again["status"] == "open" and again["lines"][0]["quantity_delivered"] == "0.0000"
    assert (await client.get(f"{API}/sales/deliveries", headers=headers)).json()["data"] == []
    too_much = await client.post(
        f"{API}/sales/orders/{order['id']}/deliveries",
        headers=headers,
        json={"lines": [{"line_id": order["lines"][0]["id"], "quantity": "5"}]},
    )
    assert too_much.status_code == 422 and problem_type(too_much) == "business-rule"
    same_warehouse = await client.post(
        f"{API}/inventory/stock-moves/transfers",
        headers=headers,
        json={
            "product_id": ids["widget"],
            "from_warehouse_id": ids["warehouse"],
            "to_warehouse_id": ids["warehouse"],
            "quantity": "1",
        },
    )
    assert same_warehouse.status_code == 422 and same_warehouse.json()["errors"][0]["key"] == "to_warehouse_id"
    invoice_nothing = await client.post(
        f"{API}/accounting/invoices", json={"sales_order_id": order["id"]}, headers=headers
    )
    assert invoice_nothing.status_code == 409 and problem_type(invoice_nothing) == "invalid-state"
    assert (await client.get(f"{API}/accounting/invoices", headers=headers)).json()["data"] == []
    huge = await client.post(
        f"{API}/inventory/stock-moves/adjustments",
        headers=headers,
        json={
            "product_id": ids["widget"],
            "warehouse_id": ids["warehouse"],
            "counted_quantity": "999999999",
            "unit_cost": "999999999",
        },
    )
    assert huge.status_code == 422 and problem_type(huge) == "business-rule" and "too large" in huge.json()["detail"]
    for bad in ("-1", "abc", "1.23456", ""):
        answer = await client.post(
            f"{API}/inventory/stock-moves/adjustments",
            headers=headers,
            json={"product_id": ids["widget"], "warehouse_id": ids["warehouse"], "counted_quantity": bad},
        )
        assert answer.status_code == 400, bad
    assert await count_moves(sessions, erp_a) == 0
    sort = await client.get(f"{API}/sales/orders?sort=password", headers=headers)
    assert sort.status_code == 400 and problem_type(sort) == "invalid-sort"
    status = await client.get(f"{API}/sales/orders?status=lost", headers=headers)
    assert status.status_code == 400 and problem_type(status) == "validation-error"


async def test_scopes_and_switched_off_modules_are_refused(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    erp_a: Workspace,
    erp_b: Workspace,
) -> None:
    read_only = await token_for(erp_a, ("erp.inventory.read", "erp.hr.read", "erp.hr.write"))
    write = await client.post(f"{API}/inventory/products", json={"sku": "A", "name": "A"}, headers=read_only)
    assert write.status_code == 403 and problem_type(write) == "insufficient-scope"
    assert write.json()["context"]["scope"] == "erp.inventory.write"
    assert (await client.get(f"{API}/inventory/products", headers=read_only)).status_code == 200
    sales = await client.get(f"{API}/sales/orders", headers=read_only)
    assert sales.status_code == 403 and problem_type(sales) == "insufficient-scope"
    assert (await client.get(f"{API}/hr/departments", headers=read_only)).status_code == 200
    await switch_module(sessions, erp_a, "erp.hr", False)
    try:
        off = await client.get(f"{API}/hr/departments", headers=read_only)
        assert off.status_code == 403 and problem_type(off) == "module-disabled"
        assert off.json()["context"]["module"] == "erp.hr"
        made = await client.post(f"{API}/hr/departments", json={"name": "Ops"}, headers=read_only)
        assert made.status_code == 403 and problem_type(made) == "module-disabled"
        # the other workspace's HR module is still on
        assert (await client.get(f"{API}/hr/departments", headers=await token_for(erp_b, ALL))).status_code == 200
    finally:
        await switch_module(sessions, erp_a, "erp.hr", True)
    assert (await client.get(f"{API}/hr/departments", headers=read_only)).json()["data"] == []
    # invoicing a sales order also needs the Sales module on
    crm_only = await make_workspace(sessions, name="Books only", modules=("erp.accounting",))
    books = await token_for(crm_only, ("erp.accounting.read", "erp.accounting.write"))
    refused = await client.post(f"{API}/accounting/invoices", json={"sales_order_id": 1}, headers=books)
    assert refused.status_code == 403 and problem_type(refused) == "module-disabled"
    assert refused.json()["context"]["module"] == "erp.sales"
    assert (await client.get(f"{API}/accounting/accounts", headers=books)).json()["data"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


async def test_order_to_cash_over_the_api_fires_invoice_paid(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    erp_a: Workspace,
    erp_b: Workspace,
) -> None:
    headers, headers_b = await token_for(erp_a, ALL), await token_for(erp_b, ALL)
    ids = await seed(client, headers)
    await seed(client, headers_b, prefix="B-")
    events = ["erp.sales_order.confirmed", "erp.invoice.posted", "erp.payment.created", "erp.invoice.paid"]
    subscribed = await client.post(
        "/api/v1/webhooks/subscriptions", headers=headers, json={"url": receiver.url, "event_types": events}
    )
    assert subscribed.status_code == 201, subscribed.text
    # buy: purchase order → send → receive partly, then the rest → supplier bill
    po = await created(
        client,
        f"{API}/purchasing/orders",
        {
            "supplier_org_id": ids["supplier"],
            "warehouse_id": ids["warehouse"],
            "lines": [{"product_id": ids["widget"], "quantity": "10"}],
        },
        headers,
    )
    assert po["status"] == "draft" and po["subtotal"] == "40.00"
    early = await client.post(f"{API}/purchasing/orders/{po['id']}/receipts", json={}, headers=headers)
    assert early.status_code == 409 and problem_type(early) == "invalid-state"
    sent = await client.post(f"{API}/purchasing/orders/{po['id']}/send", headers=headers)
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    line = po["lines"][0]["id"]
    part = await created(
        client, f"{API}/purchasing/orders/{po['id']}/receipts", {"lines": [{"line_id": line, "quantity": "4"}]}, headers
    )
    assert part["lines"][0]["quantity"] == "4.0000"
    assert (await client.get(f"{API}/purchasing/orders/{po['id']}", headers=headers)).json()["status"] == (
        "partially_received"
    )
    await created(client, f"{API}/purchasing/orders/{po['id']}/receipts", {}, headers)
    bill = await created(client, f"{API}/accounting/bills", {"purchase_order_id": po["id"]}, headers)
    assert bill["kind"] == "supplier_bill" and bill["total"] == "48.00" and bill["status"] == "open"
    assert (await client.get(f"{API}/accounting/invoices/{bill['id']}", headers=headers)).status_code == 404
    # sell: quote → confirm → deliver partly → invoice → pay partly, then the rest
    quote = await created(
        client,
        f"{API}/sales/quotes",
        {"customer_org_id": ids["customer"], "lines": [{"product_id": ids["widget"], "quantity": "5"}]},
        headers,
    )
    assert quote["subtotal"] == "50.00" and quote["lines"][0]["unit_price"] == "10.0000"
    confirmed = await client.post(
        f"{API}/sales/quotes/{quote['id']}/confirm", json={"warehouse_id": ids["warehouse"]}, headers=headers
    )
    assert confirmed.status_code == 201, confirmed.text
    order = confirmed.json()
    assert order["quote_id"] == quote["id"] and order["status"] == "open"
    twice = await client.post(
        f"{API}/sales/quotes/{quote['id']}/confirm", json={"warehouse_id": ids["warehouse"]}, headers=headers
    )
    assert twice.status_code == 409 and problem_type(twice) == "invalid-state"
    keyed = {**headers, "Idempotency-Key": "deliver-3"}
    delivery_body = {"lines": [{"line_id": order["lines"][0]["id"], "quantity": "3"}]}
    delivery = await client.post(f"{API}/sales/orders/{order['id']}/deliveries", json=delivery_body, headers=keyed)
    replayed = await client.post(f"{API}/sales/orders/{order['id']}/deliveries", json=delivery_body, headers=keyed)
    assert delivery.status_code == replayed.status_code == 201 and replayed.json() == delivery.json()
    assert (await client.get(f"{API}/sales/deliveries?order_id={order['id']}", headers=headers)).json()["data"] == [
        delivery.json()
    ]
    read = await client.get(f"{API}/sales/deliveries/{delivery.json()['id']}", headers=headers)
    assert read.json()["lines"][0]["quantity"] == "3.0000"
    assert (await client.get(f"{API}/sales/orders/{order['id']}", headers=headers)).json()["status"] == (
        "partially_delivered"
    )
    invoice = await created(client, f"{API}/accounting/invoices", {"sales_order_id": order["id"]}, headers)
    assert (invoice["status"], invoice["subtotal"], invoice["tax_total"], invoice["total"]) == (
        "open",
        "30.00",
        "6.00",
        "36.00",
    )
    assert invoice["journal_entry_id"] is not None
    # tenant B cannot see or pay tenant A's invoice, nor invoice A's order
    assert (await client.get(f"{API}/accounting/invoices/{invoice['id']}", headers=headers_b)).status_code == 404
    foreign = await client.post(
        f"{API}/accounting/invoices/{invoice['id']}/payments", json={"amount": "1"}, headers=headers_b
    )
    assert foreign.status_code == 404
    for path in (
        f"purchasing/orders/{po['id']}",
        f"purchasing/receipts/{part['id']}",
        f"sales/quotes/{quote['id']}",
        f"sales/orders/{order['id']}",
        f"sales/deliveries/{delivery.json()['id']}",
        f"accounting/bills/{bill['id']}",
        f"accounting/journal-entries/{invoice['journal_entry_id']}",
    ):
        assert (await client.get(f"{API}/{path}", headers=headers_b)).status_code == 404, path
    deliver_b = await client.post(f"{API}/sales/orders/{order['id']}/deliveries", json={}, headers=headers_b)
    assert deliver_b.status_code == 404 and problem_type(deliver_b) == "not-found"
    partial = await created(
        client,
        f"{API}/accounting/invoices/{invoice['id']}/payments",
        {"amount": "16.00", "reference": "first"},
        headers,
    )
    assert partial["amount"] == "16.00"
    over = await client.post(
        f"{API}/accounting/invoices/{invoice['id']}/payments", json={"amount": "20.01"}, headers=headers
    )
    assert over.status_code == 422 and over.json()["errors"][0]["key"] == "amount"
    assert await paid_events(sessions, erp_a) == []
    keyed_payment = {**headers, "Idempotency-Key": "pay-rest"}
    rest = await client.post(
        f"{API}/accounting/invoices/{invoice['id']}/payments", json={"amount": "20"}, headers=keyed_payment
    )
    retried = await client.post(
        f"{API}/accounting/invoices/{invoice['id']}/payments", json={"amount": "20"}, headers=keyed_payment
    )
    assert rest.status_code == retried.status_code == 201 and retried.json() == rest.json()  # recorded once
    paid = (await client.get(f"{API}/accounting/invoices/{invoice['id']}", headers=headers)).json()
    assert (paid["status"], paid["amount_paid"], paid["balance_due"]) == ("paid", "36.00", "0.00")
    payments = (await client.get(f"{API}/accounting/invoices/{invoice['id']}/payments", headers=headers)).json()
    assert [p["amount"] for p in payments] == ["16.00", "20.00"]
    fired = await paid_events(sessions, erp_a)
    assert len(fired) == 1 and fired[0]["data"]["id"] == invoice["id"] and fired[0]["data"]["status"] == "paid"
    kinds = await event_types(sessions, erp_a)
    assert kinds.count("erp.sales_order.confirmed") == 1 and kinds.count("erp.invoice.posted") == 2
    assert kinds.count("erp.payment.created") == 2
    assert await event_types(sessions, erp_b) == []
    # the journal and the chart of accounts, read-only
    entries = (
        await client.get(
            f"{API}/accounting/journal-entries?source_type=invoice&source_id={invoice['id']}", headers=headers
        )
    ).json()["data"]
    assert len(entries) == 1
    lines = entries[0]["lines"]
    assert sum(float(x["debit"]) for x in lines) == sum(float(x["credit"]) for x in lines) > 0
    accounts = (await client.get(f"{API}/accounting/accounts?limit=200", headers=headers)).json()["data"]
    assert {a["id"] for a in accounts} >= {x["account_id"] for x in lines}
    # a credit note on the paid invoice, and the supplier bill paid in full
    note = await created(client, f"{API}/accounting/invoices/{invoice['id']}/credit-notes", {}, headers)
    assert note["kind"] == "customer_credit_note" and note["credited_invoice_id"] == invoice["id"]
    await created(client, f"{API}/accounting/bills/{bill['id']}/payments", {"amount": "48.00"}, headers)
    assert (await client.get(f"{API}/accounting/bills/{bill['id']}", headers=headers)).json()["status"] == "paid"
    assert len(await paid_events(sessions, erp_a)) == 2
    # the worker delivers the signed events to the partner's receiver
    await run_worker()
    delivered = [json.loads(r["body"]) for r in receiver.requests]
    paid_bodies = [d for d in delivered if d["type"] == "erp.invoice.paid"]
    assert sorted(d["data"]["number"] for d in paid_bodies) == sorted([invoice["number"], bill["number"]])
    assert all(r["headers"]["Nexo-Signature"].startswith("t=") for r in receiver.requests)


async def paid_events(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> list[dict[str, Any]]:
    async with sessions() as session:
        rows = await session.scalars(
            select(WebhookDelivery.payload)
            .where(WebhookDelivery.tenant_id == ws.tenant.id, WebhookDelivery.event_type == "erp.invoice.paid")
            .order_by(WebhookDelivery.id)
        )
        return list(rows)


async def event_types(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> list[str]:
    async with sessions() as session:
        rows = await session.scalars(
            select(WebhookDelivery.event_type).where(WebhookDelivery.tenant_id == ws.tenant.id)
        )
        return list(rows)


async def test_hr_and_manufacturing(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    erp_a: Workspace,
    erp_b: Workspace,
) -> None:
    headers, headers_b = await token_for(erp_a, ALL), await token_for(erp_b, ALL)
    department = await created(client, f"{API}/hr/departments", {"name": "Workshop"}, headers)
    duplicate = await client.post(f"{API}/hr/departments", json={"name": "Workshop"}, headers=headers)
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["key"] == "name"
    person = await created(client, "/api/v1/directory/people", {"first_name": "Eva", "last_name": "Smith"}, headers)
    employee = await created(
        client,
        f"{API}/hr/employees",
        {"person_id": person["id"], "department_id": department["id"], "job_title": "Fitter"},
        headers,
    )
    assert employee["last_name"] == "Smith" and employee["department_id"] == department["id"]
    foreign = await client.post(f"{API}/hr/employees", json={"person_id": person["id"]}, headers=headers_b)
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["key"] == "person_id"
    holiday = await created(client, f"{API}/hr/leave-types", {"name": "Holiday", "days_per_year": "25"}, headers)
    request_body = {
        "employee_id": employee["id"],
        "leave_type_id": holiday["id"],
        "start_date": str(days(-263)),
        "end_date": str(days(-259)),
        "reason": "Trip",
    }
    leave = await created(client, f"{API}/hr/leave-requests", request_body, headers)
    assert leave["days"] == "5.00" and leave["status"] == "pending"
    overlap = await client.post(f"{API}/hr/leave-requests", json=request_body, headers=headers)
    assert overlap.status_code == 422 and overlap.json()["errors"][0]["key"] == "start_date"
    approved = await client.post(f"{API}/hr/leave-requests/{leave['id']}/approve", json={"note": "ok"}, headers=headers)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = await client.post(f"{API}/hr/leave-requests/{leave['id']}/refuse", headers=headers)
    assert again.status_code == 409 and problem_type(again) == "invalid-state"
    second = await created(
        client,
        f"{API}/hr/leave-requests",
        {**request_body, "start_date": str(days(-228)), "end_date": str(days(-227))},
        headers,
    )
    refused = await client.post(f"{API}/hr/leave-requests/{second['id']}/refuse", headers=headers)
    assert refused.json()["status"] == "rejected"
    pending = (await client.get(f"{API}/hr/leave-requests?status=approved", headers=headers)).json()["data"]
    assert [r["id"] for r in pending] == [leave["id"]]
    assert (await client.get(f"{API}/hr/leave-requests/{leave['id']}", headers=headers_b)).status_code == 404
    # manufacturing: a BOM, a work order refused for lack of components, then completed
    ids = await seed(client, headers)
    table = await created(client, f"{API}/inventory/products", {"sku": "T-1", "name": "Table"}, headers)
    bom = await created(
        client,
        f"{API}/manufacturing/boms",
        {
            "product_id": table["id"],
            "components": [
                {"product_id": ids["widget"], "quantity": "4"},
                {"product_id": ids["gadget"], "quantity": "1"},
            ],
        },
        headers,
    )
    assert [c["product_id"] for c in bom["components"]] == [ids["widget"], ids["gadget"]]
    itself = await client.post(
        f"{API}/manufacturing/boms",
        headers=headers,
        json={"product_id": table["id"], "components": [{"product_id": table["id"], "quantity": "1"}]},
    )
    assert itself.status_code == 422 and itself.json()["errors"][0]["key"] == "components"
    work = await created(
        client,
        f"{API}/manufacturing/work-orders",
        {"bom_id": bom["id"], "quantity": "2", "warehouse_id": ids["warehouse"]},
        headers,
    )
    short = await client.post(f"{API}/manufacturing/work-orders/{work['id']}/complete", headers=headers)
    assert short.status_code == 422 and problem_type(short) == "business-rule"
    assert await count_moves(sessions, erp_a) == 0
    for product, quantity in ((ids["widget"], "8"), (ids["gadget"], "2")):
        await created(
            client,
            f"{API}/inventory/stock-moves/adjustments",
            {"product_id": product, "warehouse_id": ids["warehouse"], "counted_quantity": quantity, "unit_cost": "5"},
            headers,
        )
    done = await client.post(f"{API}/manufacturing/work-orders/{work['id']}/complete", headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["total_cost"] == "50.0000"
    made = (await client.get(f"{API}/inventory/stock?product_id={table['id']}", headers=headers)).json()["data"]
    assert [s["quantity"] for s in made] == ["2.0000"]
    assert (await client.get(f"{API}/manufacturing/work-orders?status=done", headers=headers)).json()["data"][0][
        "id"
    ] == work["id"]
    assert (await client.get(f"{API}/manufacturing/boms/{bom['id']}", headers=headers_b)).status_code == 404


def seed_documents(url: str, headers: dict[str, str]) -> None:
    """One record of every kind (id 1 and up), so the fuzzer's ids reach the rules behind the 404s."""

    def make(path: str, body: dict[str, Any]) -> int:
        answer = requests.post(f"{url}{path}", json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text
        return int(answer.json()["id"]) if "id" in answer.json() else 0

    org = make("/api/v1/directory/organizations", {"name": "Fuzz Org"})
    person = make("/api/v1/directory/people", {"first_name": "Fuzz", "last_name": "Person"})
    warehouse = make(f"{API}/inventory/warehouses", {"code": "MAIN", "name": "Main"})
    product = make(f"{API}/inventory/products", {"sku": "P-1", "name": "Part", "cost": "2", "sale_price": "5"})
    kit = make(f"{API}/inventory/products", {"sku": "K-1", "name": "Kit"})
    make(
        f"{API}/inventory/stock-moves/adjustments",
        {"product_id": product, "warehouse_id": warehouse, "counted_quantity": "50", "unit_cost": "2"},
    )
    lines = [{"product_id": product, "quantity": "2"}]
    po = make(f"{API}/purchasing/orders", {"supplier_org_id": org, "warehouse_id": warehouse, "lines": lines})
    make(f"{API}/purchasing/orders/{po}/send", {})
    make(f"{API}/purchasing/orders/{po}/receipts", {})
    make(f"{API}/accounting/bills", {"purchase_order_id": po})
    make(f"{API}/sales/quotes", {"customer_org_id": org, "lines": lines})
    order = make(f"{API}/sales/orders", {"customer_org_id": org, "warehouse_id": warehouse, "lines": lines})
    make(f"{API}/sales/orders/{order}/deliveries", {})
    make(f"{API}/accounting/invoices", {"sales_order_id": order})
    department = make(f"{API}/hr/departments", {"name": "Ops"})
    employee = make(f"{API}/hr/employees", {"person_id": person, "department_id": department})
    leave_type = make(f"{API}/hr/leave-types", {"name": "Holiday", "days_per_year": "25"})
    make(
        f"{API}/hr/leave-requests",
        {
            "employee_id": employee,
            "leave_type_id": leave_type,
            "start_date": str(days(-172)),
            "end_date": str(days(-171)),
        },
    )
    bom = make(f"{API}/manufacturing/boms", {"product_id": kit, "components": lines})
    make(f"{API}/manufacturing/work-orders", {"bom_id": bom, "quantity": "1", "warehouse_id": warehouse})


@pytest.fixture
def erp_server(settings: Settings, engine: AsyncEngine) -> Iterator[LiveServer]:
    """A server of its own whose rate limit does not stop the fuzzer before it reaches the ERP rules."""
    security = dataclasses.replace(settings.security, api_rate_per_minute=1_000_000)
    yield from run_live_server(dataclasses.replace(settings, security=security))


async def test_schemathesis_finds_no_server_error_or_schema_break_in_erp(
    erp_server: LiveServer, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    workspace = await make_workspace(sessions, name="Fuzzed ERP", modules=ERP_MODULES)
    await make_workspace(sessions, name="Bystander ERP", modules=ERP_MODULES)
    integration = await make_integration(sessions, workspace, ALL)
    token = requests.post(
        f"{erp_server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(integration.client_id, integration.client_secret),
    ).json()["access_token"]
    seed_documents(erp_server.url, {"Authorization": f"Bearer {token}"})
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{erp_server.url}/api/schema/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--include-path-regex",
        "^/api/v1/erp/",
        "--checks",
        "not_a_server_error,response_schema_conformance,content_type_conformance",
        "--phases",
        "coverage",
        "--max-examples",
        "10",
        "--seed",
        "20261128",
        "--generation-deterministic",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
