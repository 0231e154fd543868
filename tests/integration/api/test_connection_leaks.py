"""A client that goes away mid-request (what a fuzzer or a flaky network does) must not keep a pooled connection:
the request's database session is closed even when no response is ever sent."""

# ruff: noqa: ASYNC210, ASYNC251, S113 -- the live server runs in its own thread; the raw client blocks

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.settings import Settings
from nexo.tests.factories import Workspace, make_workspace
from nexo.tests.partner import LiveServer, make_integration, run_live_server


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    yield from run_live_server(settings)


async def idle_in_transaction(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        )
    return int(found or 0)


def send_and_vanish(url: str, token: str, path: str) -> None:
    """Headers announce a body that never fully arrives; then the client closes the connection."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=10) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"first_name": "Half')
        time.sleep(0.3)  # let the server authenticate and open the request's transaction before we vanish


async def test_a_vanished_client_does_not_leak_a_pooled_connection(
    server: LiveServer, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    workspace = await make_workspace(sessions, name="Leaky", modules=("crm",))
    integration = await make_integration(sessions, workspace, ("crm.read", "crm.write"))
    token = requests.post(
        f"{server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(integration.client_id, integration.client_secret),
    ).json()["access_token"]
    before = await idle_in_transaction(sessions)
    for _ in range(3):
        send_and_vanish(server.url, token, "/api/v1/crm/contacts")
    deadline = time.monotonic() + 20  # the server notices the disconnects asynchronously
    while await idle_in_transaction(sessions) > before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert await idle_in_transaction(sessions) == before
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{server.url}/api/v1/crm/contacts", headers=headers).status_code == 200
