"""``/metrics`` (issue 18 item 5): every family present after a few requests, labelled by route template and status;
refused without the bearer token; not exposed at all without the setting; counters add up across processes in
multiprocess mode."""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.platform.settings import Settings
from nexo.tests.factories import WebClient, Workspace

TOKEN = secrets.token_urlsafe(24)
FAMILIES = [
    "nexo_requests_total",
    "nexo_request_duration_seconds",
    "nexo_db_pool_in_use",
    "nexo_db_pool_overflow",
    "nexo_job_queue_depth",
    "nexo_job_queue_oldest_age_seconds",
    "nexo_webhook_deliveries",
    "nexo_tenants",
    "nexo_workspaces_created",
    "nexo_signups_total",
]


@pytest.fixture
async def metered(settings: Settings, engine: AsyncEngine) -> AsyncIterator[AsyncTestClient[Litestar]]:
    from nexo.platform.app import create_app

    app = create_app(dataclasses.replace(settings, app=dataclasses.replace(settings.app, metrics_token=TOKEN)))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture
async def queued_job(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[str]:
    """A job waiting on a queue of its own (no worker consumes it); removed afterwards."""
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    async with sessions() as session:
        await session.execute(
            text("INSERT INTO procrastinate_jobs (queue_name, task_name, status) VALUES (:q, 'nexo.none', 'todo')"),
            {"q": queue},
        )
        await session.commit()
    yield queue
    async with sessions() as session:
        await session.execute(text("DELETE FROM procrastinate_jobs WHERE queue_name = :q"), {"q": queue})
        await session.commit()


def _value(body: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", body, re.M)
    assert match, f"{series} not in /metrics"
    return float(match.group(1))


async def test_metrics_families_after_a_few_requests(
    metered: AsyncTestClient[Litestar], tenant_a: Workspace, tenant_b: Workspace, queued_job: str
) -> None:
    web = WebClient(metered)
    assert (await metered.get("/login")).status_code == 200
    await web.login(tenant_a.owner.email)
    assert (await metered.get(f"/w/{tenant_a.slug}/")).status_code == 200
    assert (await metered.get(f"/w/{tenant_b.slug}/")).status_code == 404  # not a member: its status is counted

    scraped = await metered.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    body = scraped.text
    for family in FAMILIES:
        assert f"# TYPE {family} " in body, family
    # Per route template and the status actually sent; never a workspace's slug in a label.
    assert _value(body, 'nexo_requests_total{app_name="nexo",method="GET",path="/login",status_code="200"}') >= 1
    assert 'path="/w/{workspace}",status_code="200"' in body
    assert 'path="/w/{workspace}",status_code="404"' in body
    assert tenant_a.slug not in body and tenant_b.slug not in body
    assert 'nexo_request_duration_seconds_bucket{app_name="nexo",le="0.005",method="GET",path="/login"' in body
    assert 'path="/metrics"' not in body  # the scrape itself is not measured
    assert _value(body, f'nexo_job_queue_depth{{queue="{queued_job}",status="todo"}}') == 1
    assert _value(body, f'nexo_job_queue_oldest_age_seconds{{queue="{queued_job}"}}') >= 0
    assert _value(body, 'nexo_tenants{status="active"}') >= 2
    assert _value(body, "nexo_workspaces_created") >= 2
    assert _value(body, "nexo_db_pool_size") >= 1


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
async def test_metrics_refused_without_the_token(metered: AsyncTestClient[Litestar], header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    refused = await metered.get("/metrics", headers=headers)
    assert refused.status_code == 401 and "nexo_requests_total" not in refused.text


async def test_metrics_not_exposed_without_the_setting(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 404


def test_counters_add_up_across_processes_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two worker processes each count signups into PROMETHEUS_MULTIPROC_DIR; a third one's scrape sums them."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONSAFEPATH": "1"}
    count = "from nexo.platform import metrics; metrics.SIGNUPS.inc({n})"
    for n in (2, 3):
        subprocess.run([sys.executable, "-c", count.format(n=n)], env=env, check=True)
    scrape = "import sys; from nexo.platform import metrics; sys.stdout.write(metrics.exposition([]).decode())"
    body = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, capture_output=True, text=True).stdout
    assert _value(body, "nexo_signups_total") == 5


def test_serve_prepares_an_empty_shared_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nexo.platform.cli import prepare_metrics_folder

    stale = tmp_path / "prometheus" / "counter_1234.db"
    stale.parent.mkdir()
    stale.write_bytes(b"left by the last run")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    folder = prepare_metrics_folder(tmp_path / "prometheus")
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(folder) and list(folder.iterdir()) == []
