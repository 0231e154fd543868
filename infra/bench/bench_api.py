"""API benchmarks: ``api_list`` (bearer-token list vs the same list without auth checks) and ``token``
(authorization-code exchanges per second).

Each benchmark makes its own temporary database, serves Nexo with uvicorn in a child process on 127.0.0.1 and
loads it with an httpx client. Run alone (one JSON object per line):
``PYTHONSAFEPATH=1 .venv/bin/python infra/bench/bench_api.py [api_list|token]``, or through ``infra/bench/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import embedded_pgdata, scratch_dir, watch_child  # noqa: E402

OPEN_PATH = "/bench/open/crm/contacts"


# --- the app the child process serves --------------------------------------------------------------------------


def bench_app() -> Any:
    """Nexo plus one extra route: the same contacts list handler behind a guard that only binds the tenant."""
    from litestar import Router
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

    from nexo.modules.crm.api import ContactsApi
    from nexo.platform import core
    from nexo.platform.app import create_app
    from nexo.platform.db.tenancy import bind_tenant
    from nexo.platform.settings import Settings
    from nexo.platform.tenancy.policy import request_db_session

    schema = os.environ["NEXO_BENCH_SCHEMA"]

    async def bind_only(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        await bind_tenant(request_db_session(connection), schema)

    class OpenContacts(ContactsApi):
        path = "/crm/contacts"

    core.ROOT_HANDLERS.append(
        Router(
            path="/bench/open",
            route_handlers=[OpenContacts],
            guards=[bind_only],
            opt={"exclude_from_auth": True},
            include_in_schema=False,
        )
    )
    return create_app(Settings.from_env())


# --- set-up ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def bench_database() -> AsyncIterator[dict[str, str]]:
    """A temporary database with the public schema migrated; yields the environment for Nexo."""
    from nexo.platform.db.engine import create_engine, normalize_url
    from nexo.platform.migrations.runner import upgrade_public
    from nexo.platform.settings import Settings
    from nexo.tests.database import temporary_database

    with temporary_database(embedded_pgdata()) as url:
        env = {
            "NEXO_ENV": "test",
            "NEXO_DATABASE_URL": normalize_url(url),
            "NEXO_SECRET_KEY": secrets.token_urlsafe(48),
            "NEXO_DATA_DIR": str(scratch_dir("nexo-bench-data-")),
            "NEXO_API_RATE_PER_MINUTE": "100000000",
            "NEXO_LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        engine = create_engine(Settings.from_env())
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_public)
        await engine.dispose()
        yield env


@asynccontextmanager
async def served(env: dict[str, str]) -> AsyncIterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench_api:bench_app",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = watch_child(subprocess.Popen(command, env={**os.environ, **env, "PYTHONSAFEPATH": "1"}))  # noqa: ASYNC220
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                try:
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the benchmark server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def seed_workspace(contacts: int) -> dict[str, Any]:
    """A CRM workspace with ``contacts`` contacts, a second workspace, and a private integration."""
    from nexo.modules.crm.models import ContactProfile
    from nexo.modules.directory.models import Person
    from nexo.platform.db.engine import create_engine, create_session_maker
    from nexo.platform.db.tenancy import bind_tenant
    from nexo.platform.settings import Settings
    from nexo.tests.factories import make_workspace
    from nexo.tests.partner import make_integration

    engine = create_engine(Settings.from_env())
    sessions = create_session_maker(engine)
    workspace = await make_workspace(sessions, name="Bench", modules=("crm",))
    await make_workspace(sessions, name="Other", modules=("crm",))
    async with sessions() as session:
        await bind_tenant(session, workspace.schema)
        for index in range(contacts):
            person = Person(first_name=f"First{index}", last_name=f"Last{index:05d}", email=f"c{index}@bench.test")
            session.add(person)
            await session.flush()
            session.add(ContactProfile(person_id=person.id, lifecycle_stage="customer"))
        await session.commit()
    integration = await make_integration(sessions, workspace, ("crm.read", "directory.read"))
    await engine.dispose()
    return {"workspace": workspace, "integration": integration, "sessions": None}


async def measure(url: str, path: str, headers: dict[str, str], seconds: float, concurrency: int) -> float:
    """Requests per second of ``GET path`` over ``seconds`` with ``concurrency`` keep-alive connections."""
    done, elapsed = await _load(url, path, headers, seconds, concurrency)
    return done / elapsed


async def _load(url: str, path: str, headers: dict[str, str], seconds: float, concurrency: int) -> tuple[int, float]:
    """(requests done, seconds taken) of ``GET path`` under ``concurrency`` keep-alive connections."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        for _ in range(20):  # warm-up
            assert (await client.get(path)).status_code == 200
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                response = await client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done, time.perf_counter() - started


async def measure_pair(
    url: str,
    paths: tuple[tuple[str, dict[str, str]], tuple[str, dict[str, str]]],
    seconds: float,
    concurrency: int,
    rounds: int = 5,
) -> tuple[float, float]:
    """Both paths' requests per second, measured in alternating short rounds (ABBA order) so a load change on a
    shared machine weighs on both alike."""
    totals = [[0, 0.0], [0, 0.0]]
    for round_number in range(rounds):
        order = (0, 1) if round_number % 2 == 0 else (1, 0)
        for index in order:
            path, headers = paths[index]
            done, elapsed = await _load(url, path, headers, seconds / rounds, concurrency)
            totals[index][0] += done
            totals[index][1] += elapsed
    return totals[0][0] / totals[0][1], totals[1][0] / totals[1][1]


# --- benchmarks ------------------------------------------------------------------------------------------------


async def api_list(args: argparse.Namespace) -> list[dict[str, Any]]:
    seconds = float(getattr(args, "seconds", 15) or 15)
    concurrency = int(getattr(args, "concurrency", 8) or 8)
    async with bench_database() as env:
        seeded = await seed_workspace(int(getattr(args, "contacts", 50) or 50))
        env["NEXO_BENCH_SCHEMA"] = seeded["workspace"].schema
        async with served(env) as url, httpx.AsyncClient(base_url=url) as client:
            integration = seeded["integration"]
            token = (
                await client.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(integration.client_id, integration.client_secret),
                )
            ).json()
            bearer = {"Authorization": f"Bearer {token['access_token']}"}
            path = "/api/v1/crm/contacts?limit=50"
            with_token = await client.get(path, headers=bearer)
            without = await client.get(OPEN_PATH + "?limit=50")
            assert with_token.json() == without.json() and len(with_token.json()["data"]) == 50
            token_rps, open_rps = await measure_pair(
                url, ((path, bearer), (OPEN_PATH + "?limit=50", {})), seconds, concurrency
            )
    return [
        {
            "name": "api_list",
            "token_rps": round(token_rps, 1),
            "open_rps": round(open_rps, 1),
            "ratio": round(token_rps / open_rps, 3),
            "seconds": seconds,
            "concurrency": concurrency,
            "page_size": 50,
        }
    ]


async def make_codes(count: int, integration_owner: Any, workspace: Any, client_pk: int) -> list[tuple[str, str]]:
    """``count`` fresh authorization codes (as the consent step stores them) with their PKCE verifiers."""
    from nexo.platform.db.engine import create_engine, create_session_maker
    from nexo.platform.oauth.endpoints import install
    from nexo.platform.oauth.models import AuthorizationCode
    from nexo.platform.oauth.secrets import CODE_PREFIX, digest, new_secret
    from nexo.platform.settings import Settings

    engine = create_engine(Settings.from_env())
    sessions = create_session_maker(engine)
    codes: list[tuple[str, str]] = []
    async with sessions() as session:
        installation = await install(session, client_pk, workspace.tenant.id, integration_owner.id, ["crm.read"])
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=30)
        for _ in range(count):
            code, verifier = new_secret(CODE_PREFIX), secrets.token_urlsafe(48)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            session.add(
                AuthorizationCode(
                    code_hash=digest(code),
                    client_pk=client_pk,
                    installation_id=installation.id,
                    user_id=integration_owner.id,
                    redirect_uri="http://127.0.0.1:9/cb",
                    scope="crm.read",
                    code_challenge=challenge,
                    code_challenge_method="S256",
                    expires_at=expires,
                )
            )
            codes.append((code, verifier))
        await session.commit()
    await engine.dispose()
    return codes


async def token(args: argparse.Namespace) -> list[dict[str, Any]]:
    count = int(getattr(args, "exchanges", 400) or 400)
    concurrency = int(getattr(args, "concurrency", 8) or 8)
    from nexo.platform.db.engine import create_engine, create_session_maker
    from nexo.platform.settings import Settings
    from nexo.tests.partner import make_partner_app

    async with bench_database() as env:
        seeded = await seed_workspace(1)
        env["NEXO_BENCH_SCHEMA"] = seeded["workspace"].schema
        workspace = seeded["workspace"]
        engine = create_engine(Settings.from_env())
        app = await make_partner_app(
            create_session_maker(engine), workspace.owner.id, scopes=("crm.read",), redirect_uri="http://127.0.0.1:9/cb"
        )
        await engine.dispose()
        codes = await make_codes(count, workspace.owner, workspace, app.pk)
        async with served(env) as url:
            limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            async with httpx.AsyncClient(
                base_url=url, limits=limits, timeout=60, auth=(app.client_id, app.client_secret)
            ) as client:
                queue = list(codes)
                failures = 0

                async def worker() -> None:
                    nonlocal failures
                    while queue:
                        code, verifier = queue.pop()
                        answer = await client.post(
                            "/oauth/token",
                            data={
                                "grant_type": "authorization_code",
                                "code": code,
                                "code_verifier": verifier,
                                "redirect_uri": "http://127.0.0.1:9/cb",
                            },
                        )
                        if answer.status_code != 200 or "access_token" not in answer.json():
                            failures += 1

                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{failures} exchanges failed")
    return [{"name": "token", "per_second": round(count / elapsed, 1), "exchanges": count, "concurrency": concurrency}]


BENCHMARKS: dict[str, Callable[[argparse.Namespace], Awaitable[list[dict[str, Any]]]]] = {
    "api_list": api_list,
    "token": token,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=list(BENCHMARKS))
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--contacts", type=int, default=50)
    parser.add_argument("--exchanges", type=int, default=400)
    args = parser.parse_args()
    for name in args.names:
        for figure in asyncio.run(BENCHMARKS[name](args)):
            print(json.dumps(figure))


if __name__ == "__main__":
    main()
