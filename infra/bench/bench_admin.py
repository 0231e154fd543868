"""Admin benchmarks. ``module_enable``: p50 of switching CRM on in a tenant that never had it.

The measured span is one whole switch as the Modules page runs it: the transaction that creates CRM's tables at
head, stamps its branch, refreshes the version mark, writes the ``tenant_modules`` row, the audit entry and runs
the switch hooks, then commits. Each sample uses a fresh tenant (provisioned beforehand, outside the timing).

Run through ``python infra/bench/run.py module_enable [--samples N]`` or alone: ``python infra/bench/bench_admin.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import time
from pathlib import Path
from typing import Any

TARGET_MS = 300.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def module_enable(args: argparse.Namespace) -> list[dict[str, Any]]:
    from nexo.platform.db.engine import normalize_url
    from nexo.platform.settings import REPO_ROOT
    from nexo.tests.database import temporary_database

    samples = getattr(args, "samples", None) or 25
    data_dir = Path(os.environ.get("NEXO_BENCH_PGDATA", str(REPO_ROOT / ".nexo" / "bench-pgdata")))
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    with temporary_database(data_dir) as url:
        os.environ.update(
            {"NEXO_DATABASE_URL": normalize_url(url), "NEXO_ENV": "test", "NEXO_SECRET_KEY": secrets.token_urlsafe(48)}
        )
        timings = await _measure(samples)
    return [
        {
            "name": "module_enable",
            "module": "crm",
            "samples": len(timings),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_percentile(timings, 0.95), 1),
            "max_ms": round(max(timings), 1),
            "target_p50_ms": TARGET_MS,
        }
    ]


async def _measure(samples: int) -> list[float]:
    from nexo.platform.accounts.services import create_user
    from nexo.platform.db.engine import create_engine, create_session_maker
    from nexo.platform.migrations.runner import upgrade_public
    from nexo.platform.settings import Settings
    from nexo.tenants.models import Tenant
    from nexo.tenants.module_switches import enable_module
    from nexo.tenants.provisioning import provision_tenant

    engine = create_engine(Settings.from_env())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_public)
        sessions = create_session_maker(engine)
        tenant_ids: list[int] = []
        async with sessions() as session:
            owner = await create_user(session, email="bench@example.com", full_name="Bench", password="x" * 12)
            for i in range(samples + 1):  # one extra: warms the connection pool and the metadata caches
                tenant = await provision_tenant(session, name=f"Bench {i}", slug=f"bench-{i}", owner=owner)
                tenant_ids.append(tenant.id)
            await session.commit()
        timings: list[float] = []
        for index, tenant_id in enumerate(tenant_ids):
            async with sessions() as session:
                tenant = await session.get(Tenant, tenant_id)
                assert tenant is not None
                started = time.perf_counter()
                result = await enable_module(session, tenant, "crm", actor={"actor_label": "bench"})
                await session.commit()
                elapsed = (time.perf_counter() - started) * 1000
                assert result.created == ("crm",), result
            if index:
                timings.append(elapsed)
        return timings
    finally:
        await engine.dispose()


BENCHMARKS = {"module_enable": module_enable}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="module_enable benchmark")
    parser.add_argument("--samples", type=int, default=None)
    for row in asyncio.run(module_enable(parser.parse_args())):
        print(json.dumps(row))
