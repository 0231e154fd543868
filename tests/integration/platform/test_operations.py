"""Operations: /healthz, /readyz (at head, or 503 with the count behind) and structured logs with request and tenant."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.logging import configure_logging
from nexo.platform.settings import Settings
from nexo.tests.factories import WebClient, Workspace
from nexo.tests.migrations import additive_core_revision


async def test_healthz_answers(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_is_200_at_head_and_503_with_the_count_when_tenants_are_behind(
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
    tmp_path: Path,
) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["tenants_behind"] == 0 and ready.json()["public_at_head"] is True

    async with sessions() as session:
        tenants = int(await session.scalar(text("SELECT count(*) FROM public.tenants")) or 0)
    assert tenants >= 2
    with additive_core_revision(tmp_path / "versions"):  # a new tenant revision nobody has applied yet
        behind = await client.get("/readyz")
        assert behind.status_code == 503
        assert behind.json() == {
            "status": "migrating",
            "database": "ok",
            "public_at_head": True,
            "tenants_behind": tenants,
        }
    assert (await client.get("/readyz")).status_code == 200


@pytest.fixture
def json_logs(settings: Settings) -> Iterator[io.StringIO]:
    """Every structured log line while the test runs, as rendered JSON."""
    buffer = io.StringIO()
    configure_logging(dataclasses.replace(settings, app=dataclasses.replace(settings.app, log_json=True)), file=buffer)
    yield buffer
    configure_logging(settings)


def _lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


async def test_logs_carry_the_request_id_and_the_tenant(
    web: WebClient, json_logs: io.StringIO, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await web.login(tenant_a.owner.email)
    json_logs.truncate(0)
    json_logs.seek(0)
    own = await web.get(f"/w/{tenant_a.slug}/directory/people", headers={"x-request-id": "req-alpha-1"})
    foreign = await web.get(f"/w/{tenant_b.slug}/directory/people", headers={"x-request-id": "req-beta-1"})
    anonymous = await web.get("/healthz")
    assert own.status_code == 200 and foreign.status_code == 404
    assert own.headers["x-request-id"] == "req-alpha-1"

    by_request = {line["request_id"]: line for line in _lines(json_logs) if line.get("event") == "request"}
    alpha = by_request["req-alpha-1"]
    assert alpha["tenant"] == tenant_a.slug and alpha["status"] == 200
    assert alpha["path"] == f"/w/{tenant_a.slug}/directory/people"
    # Not a member of tenant_b: the guard never resolved it, so the line names no tenant.
    assert "tenant" not in by_request["req-beta-1"] and by_request["req-beta-1"]["status"] == 404
    generated = anonymous.headers["x-request-id"]
    assert len(generated) == 32 and "tenant" not in by_request[generated]


async def test_the_access_log_records_the_status_sent_for_refusals_raised_by_middleware(
    client: AsyncTestClient[Litestar], json_logs: io.StringIO, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    """A CSRF refusal is raised by a middleware, outside the handler: the log line and headers must still see it."""
    refused = await client.post("/login", data={"email": "x@example.com"}, headers={"x-request-id": "req-csrf-1"})
    assert refused.status_code == 403
    assert refused.headers["x-request-id"] == "req-csrf-1"
    assert "content-security-policy" in refused.headers and refused.headers["x-frame-options"] == "DENY"
    by_request = {line["request_id"]: line for line in _lines(json_logs) if line.get("event") == "request"}
    assert by_request["req-csrf-1"]["status"] == 403
