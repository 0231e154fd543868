"""Billing figures: webhook throughput through the inbox (events/s) and receipt → tenant state change latency.

Runs against a temporary database and a localstripe server it starts itself. Alone:
``PYTHONSAFEPATH=1 .venv/bin/python infra/bench/bench_billing.py [--tenants N]`` prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import embedded_pgdata, scratch_dir, watch_child


def start_localstripe(port: int) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m localstripe`` on ``port``, waited for until it answers."""
    process = watch_child(
        subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            cwd=scratch_dir("nexo-bench-stripe-"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            httpx.get(f"{base}/js.stripe.com/v3/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    return process, base


async def _bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    from litestar.testing import AsyncTestClient
    from procrastinate import PsycopgConnector
    from sqlalchemy import select

    from nexo.billing import catalog, tasks
    from nexo.billing.hooks import install
    from nexo.billing.models import BillingAccount, BillingState, WebhookEvent
    from nexo.platform.db.engine import create_engine, create_session_maker, database_url, libpq_url, normalize_url
    from nexo.platform.jobs import jobs
    from nexo.platform.jobs.runtime import import_tasks
    from nexo.platform.migrations.runner import upgrade_public
    from nexo.platform.settings import BillingSettings, Settings
    from nexo.tests.database import temporary_database
    from nexo.tests.factories import make_workspace
    from nexo.tests.integration.billing import conftest as fx

    data_dir = embedded_pgdata()
    stripe_server, base = start_localstripe(fx.free_port())
    try:
        with temporary_database(data_dir) as url:
            os.environ.update(
                {
                    "NEXO_ENV": "test",
                    "NEXO_DATABASE_URL": normalize_url(url),
                    "NEXO_SECRET_KEY": secrets.token_urlsafe(48),
                    "NEXO_DATA_DIR": str(scratch_dir("nexo-bench-data-")),
                }
            )
            plain = Settings.from_env()
            settings = dataclasses.replace(
                plain,
                billing=BillingSettings(
                    stripe_secret_key=fx.SECRET_KEY,
                    stripe_publishable_key=fx.PUBLISHABLE_KEY,
                    stripe_webhook_secret=fx.WEBHOOK_SECRET,
                    stripe_api_base=base,
                ),
            )
            engine = create_engine(settings)
            async with engine.begin() as connection:
                await connection.run_sync(upgrade_public)
            sessions = create_session_maker(engine)
            from nexo.platform.app import create_app

            app = create_app(settings)
            install(settings)
            tasks.use(settings, sessions)
            async with sessions() as session:
                await catalog.sync_catalog(session)
                await session.commit()
            api = fx.Stripe(base)
            workspaces = []
            for _ in range(getattr(args, "tenants", None) or 10):
                workspaces.append(await make_workspace(sessions))
            connector = PsycopgConnector(conninfo=libpq_url(database_url(settings)))
            import_tasks()
            with jobs.replace_connector(connector):
                async with jobs.open_async():
                    await jobs.run_worker_async(queues=["billing"], wait=False, install_signal_handlers=False)
                    paying = []
                    for workspace in workspaces:
                        await fx.switch_module(sessions, workspace, "crm", True)
                        account = await fx.account_of(sessions, workspace)
                        assert account.customer_id
                        await api.set_card(account.customer_id, fx.GOOD_CARD)
                        paying.append((workspace, account.customer_id))
                    events = await api.events()
                    client = AsyncTestClient(app=app, base_url="http://127.0.0.1:8000")
                    await client.__aenter__()
                    if True:  # the client's lifespan shutdown is skipped: it would close the queue this worker uses
                        for event in events:
                            await fx.deliver(client, event)
                        start = time.perf_counter()
                        await jobs.run_worker_async(
                            queues=["billing"], wait=False, install_signal_handlers=False, concurrency=4
                        )
                        elapsed = time.perf_counter() - start
                        async with sessions() as session:
                            processed = len(
                                list(
                                    await session.scalars(
                                        select(WebhookEvent.id).where(WebhookEvent.status == "processed")
                                    )
                                )
                            )
                        # Latency: a subscription canceled at the provider → the tenant read-only.
                        latencies = []
                        worker = asyncio.create_task(
                            jobs.run_worker_async(
                                queues=["billing"], wait=True, install_signal_handlers=False, listen_notify=True
                            )
                        )
                        seen = {e["id"] for e in events}
                        for workspace, customer_id in paying[: getattr(args, "latency_samples", 5)]:
                            async with sessions() as session:
                                sub_id = (
                                    await session.scalars(
                                        select(fx.SubscriptionItem.subscription_id).where(
                                            fx.SubscriptionItem.tenant_id == workspace.tenant.id
                                        )
                                    )
                                ).first()
                            await api.call("DELETE", f"/v1/subscriptions/{sub_id}")
                            new = await fx.customer_events(api, customer_id, after=seen)
                            seen.update(e["id"] for e in new)
                            received = time.perf_counter()
                            for event in new:
                                await fx.deliver(client, event)
                            while True:
                                async with sessions() as session:
                                    state = await session.scalar(
                                        select(BillingAccount.state).where(
                                            BillingAccount.tenant_id == workspace.tenant.id
                                        )
                                    )
                                if state is BillingState.CANCELED:
                                    break
                                await asyncio.sleep(0.005)
                            latencies.append((time.perf_counter() - received) * 1000)
                        worker.cancel()
            await api.http.aclose()
            await engine.dispose()
    finally:
        stripe_server.terminate()
        stripe_server.wait(timeout=10)
    return [
        {
            "name": "billing.webhook_throughput",
            "events": processed,
            "seconds": round(elapsed, 3),
            "events_per_second": round(processed / elapsed, 1),
            "tenants": len(workspaces),
            "worker_concurrency": 4,
        },
        {
            "name": "billing.receipt_to_state_ms",
            "samples": len(latencies),
            "median_ms": round(statistics.median(latencies), 1),
            "max_ms": round(max(latencies), 1),
        },
    ]


BENCHMARKS: dict[str, Callable[[argparse.Namespace], Awaitable[list[dict[str, Any]]]]] = {"billing": _bench}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--latency-samples", type=int, default=5)
    args = parser.parse_args()
    for figure in asyncio.run(_bench(args)):
        print(json.dumps(figure))


if __name__ == "__main__":
    main()
