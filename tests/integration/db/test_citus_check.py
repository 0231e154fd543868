"""``nexo citus check`` on plain PostgreSQL: no Citus, so every tenant schema is reported local (and the check
fails), never a crash. On a Citus cluster it is tested by tests/citus/test_operator.py."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.db.citus import citus_report
from nexo.tests.factories import Workspace


async def test_plain_postgresql_is_reported_as_not_citus(
    engine: AsyncEngine, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    report = await citus_report(engine)
    assert not report.citus and not report.ok
    assert {tenant_a.schema, tenant_b.schema} <= set(report.local)
    assert report.placements == {}
    assert report.problems[0] == "the database has no citus extension (CREATE EXTENSION citus)"
