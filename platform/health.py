"""``/healthz``: the process answers. ``/readyz``: the database answers and every migration is applied."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.migrations.status import migration_status


@get("/healthz", opt={"exclude_from_auth": True}, include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", opt={"exclude_from_auth": True}, include_in_schema=False)
async def readyz(db_session: AsyncSession) -> Response[dict[str, Any]]:
    try:
        status = await migration_status(db_session)
    except Exception as exc:  # the database is unreachable: not ready, and say why
        return Response(
            {"status": "unavailable", "database": "unreachable", "error": type(exc).__name__}, status_code=503
        )
    ready = status.public_current and not status.tenants_behind
    body = {
        "status": "ok" if ready else "migrating",
        "database": "ok",
        "public_at_head": status.public_current,
        "tenants_behind": status.tenants_behind,
    }
    return Response(body, status_code=200 if ready else 503)
