"""Foundation benchmarks: provisioning, migration fan-out (no-op and one additive revision), tenant routing.

Run with ``python infra/bench/run.py NAME [--tenants N]`` (or this file alone: ``python infra/bench/bench_foundation.py
NAME``). Each sets up its own temporary database and drops it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_PASSWORD,
    REPO,
    BenchDatabase,
    Stopwatch,
    bench_database,
    create_tenants,
    summary_ms,
    watch_child,
)


def _count(args: argparse.Namespace, name: str, default: int) -> int:
    value = getattr(args, name, None)
    return int(value) if value else default


async def provision(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Provisioning a tenant (what signup runs, committed) vs building the same schema by replaying migrations."""
    from sqlalchemy import text

    from nexo.platform.migrations.runner import build_tenant_schema, replay_tenant_schema, tables_of
    from nexo.tenants.provisioning import default_module_keys

    samples = _count(args, "samples", 0) or _count(args, "tenants", 50)
    keys = default_module_keys()
    async with bench_database() as db:
        await create_tenants(db, 3, prefix="warm")  # warm the caches (compiled DDL, revision map) like a live server
        provision_times, build_times, replay_times = [], [], []
        tenants = await _timed_tenants(db, samples, provision_times)
        for index in range(samples):
            for builder, times, base in (
                (build_tenant_schema, build_times, 800000),
                (replay_tenant_schema, replay_times, 900000),
            ):
                with Stopwatch() as watch:
                    async with db.engine.begin() as connection:
                        await connection.run_sync(builder, f"tenant_{base + index}", keys)
                times.append(watch.seconds)
        async with db.engine.begin() as connection:
            for index in range(samples):
                for base in (800000, 900000):
                    await connection.execute(text(f'DROP SCHEMA "tenant_{base + index}" CASCADE'))
    p50, p95 = summary_ms(provision_times)
    build_p50, _ = summary_ms(build_times)
    replay_p50, replay_p95 = summary_ms(replay_times)
    return [
        {
            "p50_ms": p50,
            "p95_ms": p95,
            "replay_p50_ms": replay_p50,
            "speedup": round(replay_p50 / build_p50, 2),
            "schema_p50_ms": build_p50,
            "replay_p95_ms": replay_p95,
            "samples": samples,
            "tenants_made": len(tenants),
            "modules": ["core", *keys],
            "tables": len(tables_of(["core", *keys])),
        }
    ]


async def _timed_tenants(db: BenchDatabase, count: int, times: list[float]) -> list[Any]:
    """Provision ``count`` tenants one after the other (tenant row, schema, membership, module state; committed)."""
    from nexo.platform.accounts.services import create_user
    from nexo.tenants.provisioning import provision_tenant

    async with db.sessions() as session:
        owner = await create_user(session, email="timed@example.com", full_name="Timed", password=BENCH_PASSWORD)
        await session.commit()
    tenants = []
    for index in range(count):
        with Stopwatch() as watch:
            async with db.sessions() as session:
                tenants.append(
                    await provision_tenant(session, name=f"Timed {index}", slug=f"timed-{index}", owner=owner)
                )
                await session.commit()
        times.append(watch.seconds)
    return tenants


async def migrate_noop(args: argparse.Namespace) -> list[dict[str, Any]]:
    """``db upgrade`` when every tenant is current: in-process, and the whole ``nexo db upgrade`` command."""
    from nexo.platform.migrations.fanout import upgrade_everything

    tenants = _count(args, "tenants", 1000)
    async with bench_database() as db:
        await create_tenants(db, tenants)
        with Stopwatch() as watch:
            report = await upgrade_everything(db.settings, concurrency=args.concurrency)
        assert report.current == tenants and not report.outcomes, report
        with Stopwatch() as cli:
            done = await asyncio.to_thread(
                subprocess.run,
                [str(Path(sys.executable).parent / "nexo"), "db", "upgrade"],
                capture_output=True,
                env={**os.environ, "NEXO_DATABASE_URL": db.url},
            )
        assert done.returncode == 0, done.stderr
    return [{"tenants": tenants, "seconds": round(watch.seconds, 3), "cli_seconds": round(cli.seconds, 3)}]


async def migrate_one(args: argparse.Namespace) -> list[dict[str, Any]]:
    """One additive revision (a column and an index), written to a temporary folder, applied to every tenant."""
    from nexo.platform.migrations.fanout import upgrade_everything
    from nexo.tests.migrations import additive_core_revision

    tenants = _count(args, "tenants", 1000)
    async with bench_database() as db:
        concurrency = args.concurrency or db.settings.db.upgrade_concurrency
        await create_tenants(db, tenants)
        with (
            tempfile.TemporaryDirectory(prefix="nexo-bench-rev-") as folder,
            additive_core_revision(Path(folder) / "versions"),
            Stopwatch() as watch,
        ):
            report = await upgrade_everything(db.settings, concurrency=concurrency)
        assert len(report.upgraded) == tenants and not report.failed, report.failed
    return [{"tenants": tenants, "seconds": round(watch.seconds, 3), "concurrency": concurrency}]


async def routing(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Requests per second of a tenant-bound read vs the same read on a fixed schema; many tenants vs one."""
    import httpx

    tenants = _count(args, "tenants", 1000)
    requests = _count(args, "samples", 600)
    clients = args.concurrency or 8
    async with bench_database() as db:
        made = await create_tenants(db, tenants, seed=_seed_people)
        slugs = [t.slug for t in made]
        port = _free_port()
        server = _serve(db, made[0].schema_name, port)
        try:
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(
                base_url=base, limits=httpx.Limits(max_keepalive_connections=clients)
            ) as client:
                await _wait_ready(client)
                one = itertools.repeat(slugs[0])
                phases = {
                    "fixed": lambda: ("/bench/fixed/{}/people", itertools.repeat(slugs[0])),
                    "one": lambda: ("/bench/tenant/{}/people", one),
                    "many": lambda: ("/bench/tenant/{}/people", itertools.cycle(slugs)),
                }
                for path, names in (phases[k]() for k in phases):  # warm-up: every connection and code path
                    await _drive(client, path, names, min(requests, 100), clients)
                rates: dict[str, list[float]] = {k: [] for k in phases}
                for _ in range(3):  # interleaved rounds, so load drift on the machine hits every phase alike
                    for kind, make in phases.items():
                        path, names = make()
                        rates[kind].append(await _drive(client, path, names, requests, clients))
        finally:
            server.terminate()
            server.wait(timeout=20)
    fixed, one_rps, many = (statistics.median(rates[k]) for k in ("fixed", "one", "many"))
    return [
        {
            "tenant_rps": round(one_rps, 1),
            "fixed_rps": round(fixed, 1),
            "ratio_fixed": round(one_rps / fixed, 3),
            "one_rps": round(one_rps, 1),
            "many_rps": round(many, 1),
            "ratio_many": round(many / one_rps, 3),
            "tenants": tenants,
            "requests_per_round": requests,
            "clients": clients,
            "rounds": 3,
        }
    ]


async def _seed_people(session: Any, tenant: Any) -> None:
    from nexo.modules.directory.models import Person

    session.add_all([Person(first_name=f"First{i}", last_name=f"{tenant.slug}-{i}") for i in range(20)])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db: BenchDatabase, fixed_schema: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEXO_DATABASE_URL": db.url,
        "NEXO_BENCH_FIXED_SCHEMA": fixed_schema,
        "NEXO_LOG_LEVEL": "WARNING",
        "PYTHONSAFEPATH": "1",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "routing_app:create_routing_app",
        "--app-dir",
        str(Path(__file__).resolve().parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return watch_child(subprocess.Popen(command, env=env, cwd=REPO))


async def _wait_ready(client: Any) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
            await asyncio.sleep(0.2)
        except httpx.TransportError:  # not listening yet
            await asyncio.sleep(0.2)
    raise RuntimeError("the routing app did not start")


async def _drive(client: Any, path: str, slugs: Any, count: int, clients: int) -> float:
    """Send exactly ``count`` requests from ``clients`` keep-alive loops; return requests per second."""
    remaining = iter(range(count))

    async def loop() -> None:
        for _ in remaining:
            response = await client.get(path.format(next(slugs)))
            if response.status_code != 200 or not response.json():
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")

    with Stopwatch() as watch:
        await asyncio.gather(*(loop() for _ in range(clients)))
    return count / watch.seconds


BENCHMARKS = {"provision": provision, "migrate_noop": migrate_noop, "migrate_one": migrate_one, "routing": routing}


if __name__ == "__main__":
    from run import main as run_main

    if len(sys.argv) > 1 and sys.argv[1] in BENCHMARKS:
        sys.exit(run_main(sys.argv[1:]))
    print(json.dumps({"benchmarks": sorted(BENCHMARKS)}))
