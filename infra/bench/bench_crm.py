"""CRM benchmarks: ``crm_list`` (contacts list with search, 100,000 contacts) and ``crm_import`` (10,000-row CSV).

Run through ``python infra/bench/run.py crm_list`` or alone: ``PYTHONSAFEPATH=1 .venv/bin/python
infra/bench/bench_crm.py [crm_list|crm_import] [--contacts N] [--rows N] [--requests N]``.

``crm_list`` measures the server-side time of the contacts page with a search (an htmx request for the table
fragment) through the real ASGI app in-process: routing, session and CSRF middleware, the workspace guard, the
handler's queries and the template, without a network hop. ``crm_import`` times parse + validation + the
all-or-nothing bulk insert of a 10,000-row file, committed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import embedded_pgdata, scratch_dir

FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Edsger",
    "Frances",
    "John",
    "Mary",
    "Anna",
    "Pierre",
    "Marie",
    "Hedy",
    "Tim",
    "Radia",
    "Donald",
    "Katherine",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Dijkstra",
    "Allen",
    "McCarthy",
    "Jackson",
    "Meyer",
    "Curie",
    "Lamarr",
    "Berners",
    "Perlman",
    "Knuth",
    "Johnson",
    "Wirth",
    "Backus",
    "Kay",
    "Stroustrup",
    "Gosling",
    "Rossum",
    "Matsumoto",
    "Eich",
    "Lerdorf",
    "Wall",
    "Ierusalimschy",
]
SEARCHES = [
    "a",
    "lo",
    "tur",
    "hop",
    "mar",
    "grace h",
    "ada.l",
    "knuth",
    "ka",
    "ber",
    "zz",
    "li",
    "jo",
    "ritchie",
    "eich",
]


def _settings(database_url: str, data_dir: Path) -> Any:
    from nexo.platform.db.engine import normalize_url
    from nexo.platform.settings import Settings

    os.environ.update(
        {
            "NEXO_ENV": "test",
            "NEXO_DATABASE_URL": normalize_url(database_url),
            "NEXO_SECRET_KEY": secrets.token_urlsafe(48),
            "NEXO_DATA_DIR": str(data_dir),
            "NEXO_LOGIN_RATE_PER_MINUTE": "1000",
            "LOG_LEVEL": "WARNING",
        }
    )
    return Settings.from_env()


@asynccontextmanager
async def crm_workspace() -> AsyncIterator[tuple[Any, Any, Any]]:
    """A temporary database with the public schema migrated and one workspace with CRM on."""
    from nexo.platform.db.engine import create_engine, create_session_maker
    from nexo.platform.migrations.runner import upgrade_public
    from nexo.tests.database import temporary_database
    from nexo.tests.factories import make_workspace

    work_dir = scratch_dir("nexo-bench-crm-data-")
    with temporary_database(embedded_pgdata()) as url:
        settings = _settings(url, work_dir)
        engine = create_engine(settings)
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_public)
        sessions = create_session_maker(engine)
        workspace = await make_workspace(sessions, name="Bench CRM", modules=("crm",))
        try:
            yield settings, sessions, workspace
        finally:
            await engine.dispose()


async def seed_contacts(sessions: Any, workspace: Any, count: int) -> None:
    """``count`` people with e-mails, tags, owners and CRM profiles, inserted set-based (a few seconds)."""
    from sqlalchemy import text

    from nexo.tests.factories import tenant_session

    session = await tenant_session(sessions, workspace)
    async with session:
        await session.execute(
            text(
                """
                INSERT INTO people (first_name, last_name, email, phone, tags, owner_id, created_at, updated_at)
                SELECT f.name, l.name || CASE WHEN g % 3 = 0 THEN '' ELSE '-' || (g % 997)::text END,
                       lower(f.name) || '.' || lower(l.name) || g || '@example.com', '+33 1 ' || g,
                       CASE WHEN g % 10 = 0 THEN ARRAY['vip'] WHEN g % 7 = 0 THEN ARRAY['newsletter']
                            ELSE ARRAY[]::varchar[] END,
                       CASE WHEN g % 2 = 0 THEN CAST(:owner AS bigint) END, now() - (g || ' minutes')::interval, now()
                  FROM generate_series(1, CAST(:count AS integer)) AS g
                  JOIN LATERAL (SELECT (CAST(:first AS text[]))[1 + (g::bigint * 7919)
                                       % cardinality(CAST(:first AS text[]))] AS name) f ON true
                  JOIN LATERAL (SELECT (CAST(:last AS text[]))[1 + (g::bigint * 104729)
                                       % cardinality(CAST(:last AS text[]))] AS name) l ON true
                """
            ),
            {"count": count, "first": FIRST, "last": LAST, "owner": workspace.owner.id},
        )
        await session.execute(
            text(
                "INSERT INTO crm_contact_profiles (person_id, lifecycle_stage, created_at, updated_at) "
                "SELECT id, (ARRAY['lead','prospect','customer'])[1 + id % 3], now(), now() FROM people"
            )
        )
        await session.commit()
    async with sessions() as plain:
        await plain.execute(text(f'ANALYZE "{workspace.schema}".people'))
        await plain.execute(text(f'ANALYZE "{workspace.schema}".crm_contact_profiles'))
        await plain.commit()


async def bench_crm_list(args: argparse.Namespace) -> list[dict[str, Any]]:
    from litestar.testing import AsyncTestClient

    from nexo.platform.app import create_app
    from nexo.tests.factories import WebClient

    contacts = int(getattr(args, "contacts", None) or 100_000)
    requests = int(getattr(args, "requests", None) or 300)
    async with crm_workspace() as (settings, sessions, workspace):
        await seed_contacts(sessions, workspace, contacts)
        app = create_app(settings)
        async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
            web = WebClient(client)
            await web.login(workspace.owner.email)
            url = f"/w/{workspace.slug}/crm/contacts/"
            rng = random.Random(7)
            timings: list[float] = []
            for index in range(requests + 20):
                params = {"q": rng.choice(SEARCHES)}
                if index % 4 == 1:
                    params["tag"] = "vip"
                if index % 5 == 2:
                    params["page"] = str(rng.randint(2, 4))
                started = time.perf_counter()
                response = await client.get(url, params=params, headers={"HX-Request": "true"})
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text[:500]
                if index >= 20:  # the first requests warm caches and the pool
                    timings.append(elapsed)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return [
        {
            "name": "crm_list",
            "contacts": contacts,
            "requests": len(timings),
            "p95_ms": round(p95, 2),
            "p50_ms": round(statistics.median(timings), 2),
            "target_p95_ms": 50,
        }
    ]


def import_csv(rows: int) -> bytes:
    rng = random.Random(11)
    lines = ["First name,Last name,E-mail,Phone,Company,Tags,Stage"]
    for index in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"Company {index % 400}"
        stage = rng.choice(["lead", "prospect", "customer"])
        tags = "vip" if index % 10 == 0 else ""
        lines.append(
            f"{first},{last},{first.lower()}.{last.lower()}{index}@example.com,+44 20 7946 {index:04d},"
            f"{company},{tags},{stage}"
        )
    return ("\n".join(lines) + "\n").encode()


async def bench_crm_import(args: argparse.Namespace) -> list[dict[str, Any]]:
    from nexo.modules.crm.services.csv_import import check_rows, guess_mapping, import_rows, parse_csv
    from nexo.tests.factories import tenant_session

    rows = int(getattr(args, "rows", None) or 10_000)
    data = import_csv(rows)
    async with crm_workspace() as (_, sessions, workspace):
        session = await tenant_session(sessions, workspace)
        async with session:
            started = time.perf_counter()
            parsed = parse_csv(data)
            checked = check_rows(parsed, guess_mapping(parsed.headers, "contacts"), "contacts")
            assert not checked.errors, checked.errors[:3]
            summary = await import_rows(
                session,
                "contacts",
                checked.values,
                owner_id=workspace.owner.id,
                actor={"actor_label": "bench"},
                filename="bench.csv",
            )
            await session.commit()
            seconds = time.perf_counter() - started
    assert summary.created == rows
    return [{"name": "crm_import", "rows": rows, "seconds": round(seconds, 2), "target_seconds": 10}]


BENCHMARKS: dict[str, Callable[[argparse.Namespace], Awaitable[list[dict[str, Any]]]]] = {
    "crm_list": bench_crm_list,
    "crm_import": bench_crm_import,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=list(BENCHMARKS))
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    for name in args.names:
        for figure in asyncio.run(BENCHMARKS[name](args)):
            print(json.dumps(figure), flush=True)


if __name__ == "__main__":
    sys.exit(main())
