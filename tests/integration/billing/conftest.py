"""Billing fixtures: a real localstripe server, a Stripe-enabled app, paid modules, signed webhook delivery."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from procrastinate import PsycopgConnector
from procrastinate.periodic import PeriodicRegistry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.billing import catalog, tasks
from nexo.billing.accounts import utcnow
from nexo.billing.hooks import install
from nexo.billing.models import BillingAccount, ModulePrice, SubscriptionItem
from nexo.platform.db.engine import database_url, libpq_url
from nexo.platform.jobs import jobs
from nexo.platform.jobs.runtime import import_tasks
from nexo.platform.settings import BillingSettings, Settings
from nexo.tenants.models import Tenant
from nexo.tests.factories import Workspace, make_workspace

WEBHOOK_SECRET = "whsec_test_nexo_billing"
SECRET_KEY = "sk_test_nexo_billing"
PUBLISHABLE_KEY = "pk_test_nexo_billing"
GOOD_CARD = "4242424242424242"
# Attaches fine, asks for 3-D Secure, then every charge is declined: the path on which the provider reports
# ``invoice.payment_failed`` for a renewal (a plain declined card fails silently in localstripe's invoice pay).
DECLINED_CHARGE_CARD = "4000008260003178"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m localstripe`` on a free port (a real, stateful Stripe API server), for the whole run."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("localstripe")
    log = (workdir / "localstripe.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONSAFEPATH": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/js.stripe.com/v3/", timeout=1)
            break
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"localstripe did not start: {Path(log.name).read_text()}") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def stripe_settings(settings: Settings, localstripe: str) -> Settings:
    billing = BillingSettings(
        stripe_secret_key=SECRET_KEY,
        stripe_publishable_key=PUBLISHABLE_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe,
        stripe_js_url=f"{localstripe}/js.stripe.com/v3/",
        trial_days=14,
        grace_days=7,
        retention_days=90,
    )
    return dataclasses.replace(settings, billing=billing)


@pytest.fixture
async def billing_on(
    stripe_settings: Settings,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    app: Litestar,
) -> AsyncIterator[Settings]:
    """Billing with Stripe (localstripe) for one test; billing is off again afterwards."""
    install(stripe_settings)
    tasks.use(stripe_settings, sessions)
    async with sessions() as session:
        await catalog.sync_catalog(session)
        await session.commit()
    yield stripe_settings
    install(settings)
    tasks.use(settings, sessions)


@pytest.fixture
async def billing_client(app: Litestar, billing_on: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of the shared app: billing pages and webhooks follow the provider ``billing_on`` selected.

    (One app per run: a second app instance in the same process leaves its request sessions uncommitted.)"""
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        yield client


class Stripe:
    """The test's own hand on localstripe's HTTP API (what Stripe, the browser or time would do)."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, auth=(SECRET_KEY, ""), timeout=30)

    async def call(self, method: str, path: str, **data: Any) -> dict[str, Any]:
        response = await self.http.request(
            method, path, data=_form(data) if method != "GET" else None, params=_form(data) if method == "GET" else None
        )
        body: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {body}")
        return body

    async def set_card(self, customer_id: str, number: str) -> str:
        method = await self.call(
            "POST",
            "/v1/payment_methods",
            type="card",
            **{"card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2030", "card[cvc]": "123"},
        )
        await self.call("POST", f"/v1/payment_methods/{method['id']}/attach", customer=customer_id)
        await self.call(
            "POST", f"/v1/customers/{customer_id}", **{"invoice_settings[default_payment_method]": method["id"]}
        )
        return str(method["id"])

    async def bill_period(self, customer_id: str, subscription_id: str) -> dict[str, Any]:
        """What Stripe does at a trial's or period's end: invoice the subscription and try to collect."""
        invoice = await self.call("POST", "/v1/invoices", customer=customer_id, subscription=subscription_id)
        return await self.pay(invoice["id"])

    async def pay(self, invoice_id: str) -> dict[str, Any]:
        """Collect an invoice with the customer's default card (passing 3-D Secure when the card asks for it)."""
        invoice = await self.call("POST", f"/v1/invoices/{invoice_id}/pay")
        intent_id = invoice.get("payment_intent")
        if intent_id:
            intent = await self.call("GET", f"/v1/payment_intents/{intent_id}")
            if intent["status"] == "requires_action":
                await self.http.post(
                    f"/v1/payment_intents/{intent_id}/_authenticate",
                    data={"client_secret": intent["client_secret"], "success": "true"},
                )
        return await self.call("GET", f"/v1/invoices/{invoice_id}")

    async def events(self) -> list[dict[str, Any]]:
        """Every event so far, oldest first."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = await self.call("GET", "/v1/events", **params)
            found.extend(page["data"])
            if not page["has_more"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
        return sorted(found, key=lambda e: (e["created"], e["id"]))


def _form(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
async def stripe_api(localstripe: str) -> AsyncIterator[Stripe]:
    api = Stripe(localstripe)
    yield api
    await api.http.aclose()


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, computed with Stripe's scheme (HMAC-SHA256 of ``t.payload``)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


async def deliver(client: AsyncTestClient[Litestar], event: dict[str, Any], **sign_options: Any) -> Any:
    payload = json.dumps(event).encode()
    return await client.post(
        "/billing/webhooks/stripe",
        content=payload,
        headers={"stripe-signature": sign(payload, **sign_options), "content-type": "application/json"},
    )


async def run_billing_jobs(settings: Settings) -> None:
    """Run every queued billing job to completion with a real procrastinate worker."""
    # Its own App on its own connection, leaving the shared ``jobs`` app (which the app under test may hold open in
    # its own event loop) untouched; periodic tasks are left to the test, which runs them with time moved.
    import_tasks()
    worker = jobs.with_connector(PsycopgConnector(conninfo=libpq_url(database_url(settings))))
    worker.periodic_registry = PeriodicRegistry()
    async with worker.open_async():
        await worker.run_worker_async(queues=["billing"], wait=False, install_signal_handlers=False)


async def switch_module(sessions: async_sessionmaker[AsyncSession], workspace: Workspace, key: str, on: bool) -> None:
    """Switch a module through the module service (which runs every MODULE_SWITCH_HOOK in its transaction)."""
    from nexo.tenants.module_switches import disable_module, enable_module

    async with sessions() as session, session.begin():
        tenant = await session.get(Tenant, workspace.tenant.id)
        assert tenant is not None
        await (enable_module if on else disable_module)(session, tenant, key)


async def account_of(sessions: async_sessionmaker[AsyncSession], workspace: Workspace) -> BillingAccount:
    async with sessions() as session:
        account = await session.scalar(select(BillingAccount).where(BillingAccount.tenant_id == workspace.tenant.id))
        assert account is not None
        return account


async def price_ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    async with sessions() as session:
        return {p.module_key: p.price_id for p in await session.scalars(select(ModulePrice))}


__all__ = ["utcnow"]


@dataclasses.dataclass
class PayingWorkspace:
    workspace: Workspace
    customer_id: str
    subscription_id: str


async def customer_events(stripe_api: Stripe, customer_id: str, after: set[str] | None = None) -> list[dict[str, Any]]:
    """This customer's events at the provider, oldest first, leaving out the ids in ``after``."""
    from nexo.billing.inbox import customer_of

    return [e for e in await stripe_api.events() if customer_of(e) == customer_id and e["id"] not in (after or set())]


async def paying_workspace(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    stripe_api: Stripe,
    client: AsyncTestClient[Litestar],
    *,
    deliver_events: bool = True,
) -> PayingWorkspace:
    """A workspace with CRM on, a good card, its first period paid (and, by default, the events delivered)."""
    workspace = await make_workspace(sessions)
    await run_billing_jobs(settings)
    await switch_module(sessions, workspace, "crm", True)
    account = await account_of(sessions, workspace)
    assert account.customer_id
    async with sessions() as session:
        subscription_id = await session.scalar(
            select(SubscriptionItem.subscription_id).where(SubscriptionItem.tenant_id == workspace.tenant.id)
        )
    assert subscription_id
    await stripe_api.set_card(account.customer_id, GOOD_CARD)
    await stripe_api.bill_period(account.customer_id, subscription_id)
    if deliver_events:
        for event in await customer_events(stripe_api, account.customer_id):
            assert (await deliver(client, event)).status_code == 200
        await run_billing_jobs(settings)
    return PayingWorkspace(workspace, account.customer_id, subscription_id)
