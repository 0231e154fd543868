"""A read-only (unpaid past the grace) or canceled workspace: the API refuses writes with a ``read-only`` problem and
still answers reads; data export stays open on purpose (``allow_when_read_only``) while other writes are refused."""

from __future__ import annotations

import datetime
import json
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.billing.accounts import utcnow
from nexo.billing.tasks import run_grace
from nexo.modules.crm.models import Stage
from nexo.platform.settings import Settings
from nexo.platform.web.errors import PROBLEM_BASE
from nexo.tenants.audit import AuditEntry
from nexo.tenants.models import Tenant, TenantStatus
from nexo.tests.factories import WebClient, tenant_session
from nexo.tests.integration.billing.conftest import (
    DECLINED_CHARGE_CARD,
    GOOD_CARD,
    PayingWorkspace,
    Stripe,
    customer_events,
    deliver,
    paying_workspace,
    run_billing_jobs,
)
from nexo.tests.partner import make_integration

PEOPLE = "/api/v1/directory/people"


async def bearer(
    client: AsyncTestClient[Litestar], sessions: async_sessionmaker[AsyncSession], paying: PayingWorkspace
) -> dict[str, str]:
    """An access token of the workspace's own integration, from the real token endpoint."""
    integration = await make_integration(sessions, paying.workspace, ("directory.read", "directory.write"))
    answer = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(integration.client_id, integration.client_secret),
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def deliver_new(
    client: AsyncTestClient[Litestar], stripe_api: Stripe, paying: PayingWorkspace, settings: Settings, seen: set[str]
) -> None:
    """Deliver the customer's events Nexo has not seen yet (signed, through the webhook endpoint) and process them."""
    for event in await customer_events(stripe_api, paying.customer_id, after=seen):
        assert (await deliver(client, event)).status_code == 200
        seen.add(event["id"])
    await run_billing_jobs(settings)


async def status_of(sessions: async_sessionmaker[AsyncSession], paying: PayingWorkspace) -> TenantStatus:
    async with sessions() as session:
        tenant = await session.get(Tenant, paying.workspace.tenant.id)
        assert tenant is not None
        return tenant.status


async def create_person(client: AsyncTestClient[Litestar], headers: dict[str, str], last_name: str) -> Any:
    return await client.post(PEOPLE, json={"first_name": "Ada", "last_name": last_name}, headers=headers)


def assert_read_only_problem(response: Any, reason: str) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + "read-only" and problem["status"] == 403
    assert "is read-only because" in problem["detail"] and reason in problem["detail"]
    assert "export" in problem["detail"]


async def test_api_refuses_writes_past_the_grace_period_and_serves_reads_until_paid(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
) -> None:
    unpaid = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    healthy = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    unpaid_api, healthy_api = (
        await bearer(billing_client, sessions, unpaid),
        await bearer(billing_client, sessions, healthy),
    )
    seen = {e["id"] for e in await customer_events(stripe_api, unpaid.customer_id)}
    made = await create_person(billing_client, unpaid_api, "Before")  # the token is now in the API's cache too
    assert made.status_code == 201, made.text
    person = f"{PEOPLE}/{made.json()['id']}"

    await stripe_api.set_card(unpaid.customer_id, DECLINED_CHARGE_CARD)
    invoice = await stripe_api.bill_period(unpaid.customer_id, unpaid.subscription_id)
    await deliver_new(billing_client, stripe_api, unpaid, billing_on, seen)
    assert (await create_person(billing_client, unpaid_api, "Past due")).status_code == 201  # grace: still writable
    assert await run_grace(utcnow() + datetime.timedelta(days=8)) == [unpaid.workspace.tenant.id]
    assert await status_of(sessions, unpaid) is TenantStatus.READ_ONLY

    reason = "a payment is overdue"
    assert_read_only_problem(await create_person(billing_client, unpaid_api, "Refused"), reason)
    assert_read_only_problem(
        await billing_client.patch(person, json={"last_name": "Renamed"}, headers=unpaid_api), reason
    )
    assert_read_only_problem(await billing_client.delete(person, headers=unpaid_api), reason)
    listed = await billing_client.get(PEOPLE, headers=unpaid_api)
    assert listed.status_code == 200
    assert sorted(p["last_name"] for p in listed.json()["data"]) == ["Before", "Past due"]  # nothing half-written
    read = await billing_client.get(person, headers=unpaid_api)
    assert read.status_code == 200 and read.json()["last_name"] == "Before"
    assert (await create_person(billing_client, healthy_api, "Elsewhere")).status_code == 201  # other tenant: fine

    await stripe_api.set_card(unpaid.customer_id, GOOD_CARD)
    assert (await stripe_api.pay(invoice["id"]))["status"] == "paid"
    await deliver_new(billing_client, stripe_api, unpaid, billing_on, seen)
    assert await status_of(sessions, unpaid) is TenantStatus.ACTIVE
    assert (await billing_client.patch(person, json={"last_name": "Paid"}, headers=unpaid_api)).status_code == 200


async def test_canceled_workspace_exports_its_data_but_refuses_other_writes(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
) -> None:
    leaving = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    staying = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    for paying, stage in ((leaving, "Leaving's stage"), (staying, "Staying's stage")):
        session = await tenant_session(sessions, paying.workspace)
        async with session:
            session.add(Stage(name=stage, position=99, probability=20, kind="open"))
            await session.commit()
    leaving_api = await bearer(billing_client, sessions, leaving)
    seen = {e["id"] for e in await customer_events(stripe_api, leaving.customer_id)}
    await stripe_api.call("DELETE", f"/v1/subscriptions/{leaving.subscription_id}")  # canceled at the provider
    await deliver_new(billing_client, stripe_api, leaving, billing_on, seen)
    assert await status_of(sessions, leaving) is TenantStatus.CANCELED

    web = WebClient(billing_client)
    await web.login(leaving.workspace.owner.email)
    base = f"/w/{leaving.workspace.slug}/settings/modules/crm"
    exported = await web.get(f"{base}/export?format=json")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    stages = [s["name"] for s in json.loads(exported.content)["tables"]["crm_stages"]]
    assert "Leaving's stage" in stages and "Staying's stage" not in stages
    csv_export = await web.get(f"{base}/export?format=csv")
    assert csv_export.status_code == 200 and csv_export.headers["content-type"] == "application/zip"
    contacts_csv = await web.get(f"/w/{leaving.workspace.slug}/crm/contacts/export.csv")
    assert contacts_csv.status_code == 200 and contacts_csv.headers["content-type"].startswith("text/csv")

    refused_switch = await web.post(f"{base}/disable")
    assert refused_switch.status_code == 403 and "subscription has ended" in refused_switch.text
    refused_purge = await web.post(f"{base}/purge", {"confirm_slug": leaving.workspace.slug})
    assert refused_purge.status_code == 403 and "read-only" in refused_purge.text
    assert_read_only_problem(await create_person(billing_client, leaving_api, "Late"), "its subscription has ended")
    assert (await billing_client.get(PEOPLE, headers=leaving_api)).status_code == 200

    session = await tenant_session(sessions, leaving.workspace)
    async with session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions.count("module.exported") == 2 and "module.disabled" not in actions
        assert "Leaving's stage" in list(await session.scalars(select(Stage.name)))


def test_export_routes_are_marked_allow_when_read_only(app: Litestar) -> None:
    """Exports are open in a read-only workspace because they say so, not because they happen to be GETs."""
    exports = [
        h for route in app.routes for h in getattr(route, "route_handlers", ()) if (h.name or "").endswith(".export")
    ]
    assert sorted({h.name for h in exports}) == ["admin.modules.export", "crm.companies.export", "crm.contacts.export"]
    assert all(h.opt.get("allow_when_read_only") is True for h in exports)
    others = [
        h
        for route in app.routes
        for h in getattr(route, "route_handlers", ())
        if (h.name or "").startswith("admin.modules.") and h not in exports
    ]
    assert others and not any(h.opt.get("allow_when_read_only") for h in others)
