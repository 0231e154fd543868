"""Schemathesis against the served OpenAPI with a valid token: no 5xx, no response that breaks the schema."""

# ruff: noqa: ASYNC210, ASYNC221, S113 -- the live server runs in its own thread; the independent clients block

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.settings import Settings
from nexo.tests.factories import make_workspace
from nexo.tests.partner import LiveServer, make_integration, run_live_server

SCOPES = ("crm.read", "crm.write", "directory.read", "directory.write")


async def test_openapi_is_complete(live_server: LiveServer) -> None:
    schema = requests.get(f"{live_server.url}/api/schema/openapi.json").json()
    operations = [op for path, item in schema["paths"].items() if path.startswith("/api/v1") for op in item.values()]
    assert len(operations) >= 20
    ids = {op["operationId"] for op in operations}
    crm_operations = {
        "listLeads",
        "createLead",
        "qualifyLead",
        "disqualifyLead",
        "listOpportunities",
        "moveOpportunity",
        "winOpportunity",
        "loseOpportunity",
        "listStages",
        "createActivity",
        "updateActivity",
        "createCase",
        "updateCase",
        "createCaseMessage",
        "listCaseMessages",
        "listCampaigns",
        "createCampaign",
    }
    assert crm_operations <= ids
    for operation in operations:
        assert operation.get("security"), operation["operationId"]
        assert {"401", "403", "429"} <= set(operation["responses"]), operation["operationId"]
        problem = operation["responses"]["401"]["content"]["application/problem+json"]["schema"]
        assert problem == {"$ref": "#/components/schemas/Problem"}
    flows = schema["components"]["securitySchemes"]["oauth2"]["flows"]
    assert set(flows) == {"authorizationCode", "clientCredentials"}
    assert "crm.read" in flows["authorizationCode"]["scopes"]
    assert not [p for p in schema["paths"] if not p.startswith("/api/")]  # pages stay out of the API schema


@pytest.fixture
def own_server(live_server: LiveServer, settings: Settings) -> Iterator[LiveServer]:
    """A server of its own: the fuzzing load does not share a pool with the other tests' server. Its rate limit is
    out of reach, so the fuzzer exercises the operations rather than the 429 answer."""
    unlimited = dataclasses.replace(
        settings, security=dataclasses.replace(settings.security, api_rate_per_minute=10_000_000)
    )
    yield from run_live_server(unlimited)


async def test_schemathesis_finds_no_server_error_or_schema_break(  # coverage and fuzzing phases
    own_server: LiveServer, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    live_server = own_server
    workspace = await make_workspace(sessions, name="Fuzzed", modules=("crm",))
    await make_workspace(sessions, name="Bystander", modules=("crm",))
    integration = await make_integration(sessions, workspace, SCOPES)
    token = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(integration.client_id, integration.client_secret),
    ).json()["access_token"]
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{live_server.url}/api/schema/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--include-path-regex",
        "^/api/v1/",
        "--checks",
        "not_a_server_error,response_schema_conformance,content_type_conformance",
        "--phases",
        "coverage,fuzzing",
        "--max-examples",
        "25",
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
    # no request left a pooled connection behind in an open transaction (the leak that exhausts a pool)
    async with sessions() as session:
        stuck = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        )
    assert stuck == 0
