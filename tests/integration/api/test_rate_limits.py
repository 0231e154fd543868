"""Rate limits hold across app processes: two uvicorn processes on one database share each installation's budget."""

# ruff: noqa: ASYNC210, ASYNC251, S113 -- the app servers are child processes; the client blocks

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from nexo.platform.settings import Settings
from nexo.tests.factories import Workspace
from nexo.tests.integration.api.conftest import TokenFactory

LIMIT = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "nexo.platform.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(command, env=env), f"http://127.0.0.1:{port}"


@pytest.fixture
def two_processes(settings: Settings) -> Iterator[list[str]]:
    """Two app processes (their own pools, caches and counters in memory) on the test database."""
    env = {**os.environ, "PYTHONSAFEPATH": "1", "NEXO_API_RATE_PER_MINUTE": str(LIMIT), "NEXO_LOG_LEVEL": "WARNING"}
    servers = [serve(env), serve(env)]
    try:
        for process, url in servers:
            while True:
                assert process.poll() is None, "an app process did not start"
                try:
                    if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.1)
        yield [url for _, url in servers]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)


async def test_two_app_processes_share_the_installation_limit(
    two_processes: list[str], token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers, other = await token_for(tenant_a), await token_for(tenant_b)
    first, second = two_processes
    probe = requests.get(f"{first}/api/v1/directory/people", headers=other)
    if int(probe.headers["ratelimit-reset"]) < 15:  # start in a fresh window so the whole run stays in one
        time.sleep(int(probe.headers["ratelimit-reset"]) + 1)
    answers = [
        requests.get(f"{(first, second)[i % 2]}/api/v1/directory/people", headers=headers) for i in range(LIMIT + 2)
    ]
    assert [a.status_code for a in answers] == [200] * LIMIT + [429, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers[:LIMIT]] == [str(n) for n in range(LIMIT - 1, -1, -1)]
    assert {a.headers["ratelimit-limit"] for a in answers} == {str(LIMIT)}
    refused = answers[LIMIT]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/rate-limited") and int(refused.headers["retry-after"]) >= 1
    # the budget is per installation: tenant B's integration still gets through on both processes
    assert requests.get(f"{second}/api/v1/directory/people", headers=other).status_code == 200
