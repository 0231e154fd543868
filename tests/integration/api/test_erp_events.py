"""ERP and directory webhook events come from the services, wherever the change is made: an order confirmed, an
invoice posted and paid through the pages, the batch posting paths, and the API (exactly one delivery per event);
a rolled-back service call sends nothing; another tenant's installation hears nothing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.accounting.services import InvoiceService
from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.services import MoveRequest, StockService
from nexo.modules.erp.sales.services import OrderInput, OrderLineInput, SalesService
from nexo.platform.webhooks.events import wait_for_deferrals
from nexo.platform.webhooks.models import WebhookDelivery
from nexo.tests.factories import WebClient, Workspace, make_workspace, tenant_session
from nexo.tests.integration.api.conftest import TokenFactory
from nexo.tests.integration.api.test_webhooks import deliveries, run_worker, subscribe
from nexo.tests.integration.erp.helpers import seed_catalog
from nexo.tests.partner import Receiver

Client = AsyncTestClient[Litestar]
ERP_MODULES = ("erp.inventory", "erp.purchasing", "erp.sales", "erp.accounting", "erp.hr", "erp.manufacturing")
SCOPES = (*(f"{m}.{a}" for m in ERP_MODULES for a in ("read", "write")), "directory.read", "directory.write")
ORDER_TO_CASH = (
    "erp.sales_order.confirmed",
    "erp.sales_order.delivered",
    "erp.invoice.posted",
    "erp.payment.created",
    "erp.invoice.paid",
)
D = Decimal


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def other() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
async def erp_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha Hooks", modules=ERP_MODULES)


@pytest.fixture
async def erp_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta Hooks", modules=ERP_MODULES)


def context(workspace: Workspace) -> ErpContext:
    return ErpContext(currency=workspace.tenant.currency, modules=frozenset(ERP_MODULES), user_id=workspace.owner.id)


async def seed(sessions: async_sessionmaker[AsyncSession], workspace: Workspace, prefix: str = "") -> dict[str, int]:
    """A customer, a warehouse and a widget with 50 in stock (through the services)."""
    session = await tenant_session(sessions, workspace)
    async with session:
        cat = await seed_catalog(session, prefix)
        await StockService(session).move(
            [MoveRequest("receipt", cat.widget, D(50), to_warehouse_id=cat.warehouse, unit_cost=D(4))]
        )
        await session.commit()
        return {"customer": cat.customer, "warehouse": cat.warehouse, "widget": cat.widget}


async def subscribe_both(
    client: Client,
    token_for: TokenFactory,
    erp_a: Workspace,
    erp_b: Workspace,
    receiver: Receiver,
    other: Receiver,
    *events: str,
) -> None:
    """Tenant A's installation to ``receiver``, tenant B's (same events) to ``other``."""
    await subscribe(client, await token_for(erp_a, SCOPES), receiver.url, *events)
    await subscribe(client, await token_for(erp_b, SCOPES), other.url, *events)


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request["body"]) for request in receiver.requests]


async def test_order_to_paid_invoice_through_the_pages_fires_each_event_once(
    client: Client,
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    other: Receiver,
    erp_a: Workspace,
    erp_b: Workspace,
) -> None:
    ids = await seed(sessions, erp_a)
    await seed(sessions, erp_b, "B-")
    await subscribe_both(client, token_for, erp_a, erp_b, receiver, other, *ORDER_TO_CASH)
    await web.login(erp_a.owner.email)
    created = await web.post(
        f"/w/{erp_a.slug}/erp/sales/orders/new",
        {
            "customer": str(ids["customer"]),
            "warehouse": str(ids["warehouse"]),
            "product_0": str(ids["widget"]),
            "quantity_0": "3",
        },
    )
    assert created.status_code == 303, created.text
    order_url = created.headers["location"]
    pending = await deliveries(sessions, erp_a.tenant.id)
    assert [(d.event_type, d.status) for d in pending] == [("erp.sales_order.confirmed", "pending")]
    assert (await web.post(f"{order_url}/deliver", headers={"hx-request": "true"})).status_code == 200
    invoiced = await web.post(f"{order_url}/invoice")
    assert invoiced.status_code == 303, invoiced.text
    invoice_url = invoiced.headers["location"]
    refused = await web.post(f"{invoice_url}/payments", {"amount": "100"})  # a refused payment sends nothing
    assert refused.status_code == 400
    paid = await web.post(f"{invoice_url}/payments", {"amount": "36"})
    assert paid.status_code == 200, paid.text

    assert [d.event_type for d in await deliveries(sessions, erp_a.tenant.id)] == list(ORDER_TO_CASH)
    await run_worker()
    assert other.requests == []  # tenant B's installation hears nothing of tenant A
    events = {event["type"]: event for event in bodies(receiver)}
    assert sorted(events) == sorted(ORDER_TO_CASH)
    invoice = events["erp.invoice.paid"]["data"]
    assert (invoice["status"], invoice["total"], invoice["balance_due"]) == ("paid", "36.00", "0.00")
    assert events["erp.invoice.posted"]["data"]["status"] == "open"
    assert events["erp.payment.created"]["data"]["payment"]["amount"] == "36.00"
    assert events["erp.sales_order.delivered"]["data"]["order"]["status"] == "delivered"
    # the event carries what the API answers for the same record
    read = await client.get(f"/api/v1/erp/accounting/invoices/{invoice['id']}", headers=await token_for(erp_a, SCOPES))
    assert read.json() == invoice


async def test_batch_service_paths_emit_per_document_and_a_rollback_sends_nothing(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    other: Receiver,
    erp_a: Workspace,
    erp_b: Workspace,
) -> None:
    ids = await seed(sessions, erp_a)
    await seed(sessions, erp_b, "B-")
    await subscribe_both(client, token_for, erp_a, erp_b, receiver, other, *ORDER_TO_CASH)
    line = [OrderLineInput(ids["widget"], D(2))]
    session = await tenant_session(sessions, erp_a)
    async with session:
        service = SalesService(session, context(erp_a))
        orders = await service.create_orders([OrderInput(ids["customer"], ids["warehouse"], line)] * 3)
        order_ids = [order.id for order in orders]
        await service.deliver_many(order_ids)
        invoices = await service.invoice_many(order_ids)
        await session.commit()
        invoice_ids = sorted(invoice.id for invoice in invoices)
    kinds = Counter(d.event_type for d in await deliveries(sessions, erp_a.tenant.id))
    assert kinds == {"erp.sales_order.confirmed": 3, "erp.sales_order.delivered": 3, "erp.invoice.posted": 3}
    before = len(await deliveries(sessions, erp_a.tenant.id))

    session = await tenant_session(sessions, erp_a)
    async with session:
        payment = await InvoiceService(session, context(erp_a)).pay(invoice_ids[0], D("24.00"))
        written = list(
            await session.scalars(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.tenant_id == erp_a.tenant.id,
                    WebhookDelivery.id > max(d.id for d in await deliveries(sessions, erp_a.tenant.id)),
                )
            )
        )
        assert payment.id and len(written) == 2  # payment.created and invoice.paid, in the transaction...
        await session.rollback()  # ...and gone with it
    await wait_for_deferrals()
    assert len(await deliveries(sessions, erp_a.tenant.id)) == before
    async with sessions() as check:
        jobs = await check.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'nexo.webhooks.deliver' "
                "AND args->>'delivery_id' = ANY(:ids)"
            ),
            {"ids": [str(i) for i in written]},
        )
    assert jobs == 0  # no delivery job was deferred for the rolled-back payment
    session = await tenant_session(sessions, erp_a)
    async with session:
        assert (await session.get_one(Invoice, invoice_ids[0])).status == "open"

    await run_worker()
    assert other.requests == []
    posted = sorted(e["data"]["id"] for e in bodies(receiver) if e["type"] == "erp.invoice.posted")
    assert posted == invoice_ids
    assert all(e["type"] != "erp.invoice.paid" for e in bodies(receiver))


async def test_the_api_sends_exactly_one_delivery_per_event(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    other: Receiver,
    erp_a: Workspace,
    erp_b: Workspace,
) -> None:
    ids = await seed(sessions, erp_a)
    await seed(sessions, erp_b, "B-")
    events = (*ORDER_TO_CASH, "erp.quote.created", "erp.product.created", "directory.organization.created")
    await subscribe_both(client, token_for, erp_a, erp_b, receiver, other, *events)
    headers = await token_for(erp_a, SCOPES)
    api = "/api/v1/erp"

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await client.post(f"{api}/{path}", json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()  # type: ignore[no-any-return]

    org = await client.post("/api/v1/directory/organizations", json={"name": "Gamma Ltd"}, headers=headers)
    assert org.status_code == 201, org.text
    product = await post("inventory/products", {"sku": "N-1", "name": "Nut", "sale_price": "2", "cost": "1"})
    quote = await post(
        "sales/quotes", {"customer_org_id": ids["customer"], "lines": [{"product_id": ids["widget"], "quantity": "1"}]}
    )
    order = await post(f"sales/quotes/{quote['id']}/confirm", {"warehouse_id": ids["warehouse"]})
    await post(f"sales/orders/{order['id']}/deliveries", {})
    invoice = await post("accounting/invoices", {"sales_order_id": order["id"]})
    await post(f"accounting/invoices/{invoice['id']}/payments", {"amount": invoice["total"]})

    rows = await deliveries(sessions, erp_a.tenant.id)
    assert Counter(d.event_type for d in rows) == dict.fromkeys(events, 1)
    assert len({d.event_id for d in rows}) == len(rows)
    by_type = {d.event_type: d.payload["data"] for d in rows}
    assert by_type["erp.product.created"]["id"] == product["id"]
    assert by_type["erp.quote.created"] == quote  # the event carries what the API answered
    assert by_type["directory.organization.created"] == org.json()
    assert by_type["erp.sales_order.confirmed"]["id"] == order["id"]
    await run_worker()
    assert other.requests == []
    assert Counter(e["type"] for e in bodies(receiver)) == dict.fromkeys(events, 1)


async def test_directory_and_crm_pages_send_directory_events(
    client: Client,
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    other: Receiver,
) -> None:
    crm_a = await make_workspace(sessions, name="Alpha Directory", modules=("crm",))
    crm_b = await make_workspace(sessions, name="Beta Directory", modules=("crm",))
    events = ("directory.person.created", "directory.person.updated", "directory.person.deleted")
    await subscribe(client, await token_for(crm_a, ("crm.read", "directory.read")), receiver.url, *events)
    await subscribe(client, await token_for(crm_b, ("crm.read", "directory.read")), other.url, *events)
    await web.login(crm_a.owner.email)
    made = await web.post(f"/w/{crm_a.slug}/directory/people/new", {"first_name": "Dora", "last_name": "Page"})
    assert made.status_code == 303, made.text
    from nexo.modules.crm.services.base import CrmContext
    from nexo.modules.crm.services.contacts import ContactInput, ContactService

    session = await tenant_session(sessions, crm_a)
    async with session:  # a CRM contact is a directory person: its update and removal are directory events too
        context = CrmContext(crm_a.tenant.id, crm_a.owner.id, crm_a.owner.email, frozenset({"crm"}))
        service = ContactService(session, context)
        contact = await service.create_contact(ContactInput(first_name="Carl", last_name="Crm", lifecycle_stage="lead"))
        await service.update_contact(contact, ContactInput(first_name="Carla", last_name="Crm"))
        await service.delete_contact(contact)
        await session.commit()
    rows = await deliveries(sessions, crm_a.tenant.id)
    assert [(d.event_type, d.payload["data"].get("first_name")) for d in rows] == [
        ("directory.person.created", "Dora"),
        ("directory.person.created", "Carl"),
        ("directory.person.updated", "Carla"),
        ("directory.person.deleted", None),
    ]
    await run_worker()
    assert other.requests == []
    assert len(receiver.requests) == 4
