"""The app the ``routing`` benchmark serves with uvicorn: Nexo's app plus two read endpoints that differ only in
how they reach the tenant schema.

- ``/bench/tenant/{slug}/people``: the tenant's schema bound per transaction (``bind_tenant``, Nexo's way), on the
  app's one engine shared by every tenant.
- ``/bench/fixed/{slug}/people``: the same query on an engine whose connections are pinned to one schema at connect
  time (``search_path`` as a server setting): what a single-tenant app would do.

Both look the workspace up by slug in ``public.tenants`` first (as the tenant guard does) and return the first 20
people as JSON, so the only difference is the per-transaction binding.
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, get
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from nexo.modules.directory.models import Person
from nexo.platform.db.engine import create_engine, create_session_maker
from nexo.platform.db.tenancy import bind_tenant
from nexo.platform.settings import get_settings

_LOOKUP = text("SELECT schema_name FROM public.tenants WHERE slug = :slug")
_state: dict[str, Any] = {}


def _sessions(name: str) -> async_sessionmaker[Any]:
    return _state[name]  # type: ignore[no-any-return]


async def _people(sessions: async_sessionmaker[Any], slug: str, *, bind: bool) -> list[dict[str, Any]]:
    async with sessions() as session:
        schema = await session.scalar(_LOOKUP, {"slug": slug})
        if schema is None:
            return []
        if bind:
            await bind_tenant(session, schema)
        rows = await session.scalars(select(Person).order_by(Person.id).limit(20))
        people = [{"id": p.id, "first_name": p.first_name, "last_name": p.last_name} for p in rows]
        await session.commit()
        return people


@get("/bench/tenant/{slug:str}/people", opt={"exclude_from_auth": True})
async def tenant_people(slug: str) -> list[dict[str, Any]]:
    return await _people(_sessions("tenant"), slug, bind=True)


@get("/bench/fixed/{slug:str}/people", opt={"exclude_from_auth": True})
async def fixed_people(slug: str) -> list[dict[str, Any]]:
    return await _people(_sessions("fixed"), slug, bind=False)


def create_routing_app() -> Litestar:
    from nexo.platform.app import create_app
    from nexo.platform.core import ROOT_HANDLERS

    settings = get_settings()
    ROOT_HANDLERS.extend([tenant_people, fixed_people])
    app = create_app(settings)
    engine: AsyncEngine = app.state["nexo_engine"]
    fixed_schema = os.environ["NEXO_BENCH_FIXED_SCHEMA"]
    fixed_engine = create_engine(
        settings, connect_args={"server_settings": {"search_path": fixed_schema, "application_name": "nexo"}}
    )
    _state["tenant"] = create_session_maker(engine)
    _state["fixed"] = create_session_maker(fixed_engine)
    return app
