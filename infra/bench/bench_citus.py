"""Provisioning with every module: ``provision_full`` on plain PostgreSQL (the DDL script sent in one query, as
Nexo does there, and one statement per query, as on Citus), and ``citus_provision`` on a Citus coordinator
(``NEXO_TEST_CITUS_URL``; it measures ``provision_full`` in the same run, to report them side by side).

Run with ``python infra/bench/run.py provision_full`` or ``... citus_provision [--samples N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_PASSWORD, BenchDatabase, Stopwatch, bench_database, summary_ms


def _samples(args: argparse.Namespace, default: int) -> int:
    value = getattr(args, "samples", None) or getattr(args, "tenants", None)
    return int(value) if value else default


def _every_module() -> tuple[str, ...]:
    from nexo.platform.modules.registry import get_registry

    return tuple(m.key for m in get_registry() if not m.always_on)


async def _provision(db: BenchDatabase, count: int, prefix: str) -> list[float]:
    """Seconds per signup-like provisioning with every module (tenant row, schema, membership, modules; committed),
    one after the other, after one untimed warm-up (compiled DDL, revision map)."""
    from nexo.platform.accounts.services import create_user
    from nexo.tenants.provisioning import provision_tenant

    modules = _every_module()
    async with db.sessions() as session:
        owner = await create_user(session, email=f"{prefix}@example.com", full_name="Timed", password=BENCH_PASSWORD)
        await session.commit()
    times: list[float] = []
    for index in range(count + 1):
        with Stopwatch() as watch:
            async with db.sessions() as session:
                await provision_tenant(
                    session, name=f"Timed {index}", slug=f"{prefix}-{index}", owner=owner, modules=modules
                )
                await session.commit()
        if index:
            times.append(watch.seconds)
    return times


async def provision_full(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Plain PostgreSQL: the script in one query (what Nexo does there) vs one statement per query (Citus's way)."""
    from nexo.platform.db.engine import send_scripts_per_statement

    samples = _samples(args, 10)
    figures: dict[str, list[float]] = {}
    async with bench_database() as db:
        figures["one_query"] = await _provision(db, samples, "one")
        send_scripts_per_statement(db.engine)
        figures["per_statement"] = await _provision(db, samples, "split")
    one_p50, one_p95 = summary_ms(figures["one_query"])
    split_p50, split_p95 = summary_ms(figures["per_statement"])
    return [
        {
            "p50_ms": one_p50,
            "p95_ms": one_p95,
            "per_statement_p50_ms": split_p50,
            "per_statement_p95_ms": split_p95,
            "samples": samples,
            "modules": len(_every_module()),
            "server": "postgresql",
        }
    ]


async def citus_provision(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Citus coordinator with schema-based sharding (every new tenant schema a distributed schema on a worker)."""
    url = os.environ.get("NEXO_TEST_CITUS_URL")
    if not url:
        print("citus_provision: NEXO_TEST_CITUS_URL is not set; nothing measured", file=sys.stderr)
        return []
    samples = _samples(args, 5)
    async with bench_database(citus_url=url) as db:
        times = await _provision(db, samples, "citus")
    p50, p95 = summary_ms(times)
    plain = (await provision_full(args))[0]
    return [
        {
            "p50_ms": p50,
            "p95_ms": p95,
            "samples": samples,
            "server": "citus",
            "provision_full_p50_ms": plain["p50_ms"],
            "provision_full_per_statement_p50_ms": plain["per_statement_p50_ms"],
        }
    ]


BENCHMARKS = {"provision_full": provision_full, "citus_provision": citus_provision}
