"""``nexo db upgrade``: the public schema first, then every tenant schema that is behind."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console

from nexo.platform.db.engine import create_engine
from nexo.platform.migrations.runner import upgrade_public, upgrade_tenant
from nexo.platform.migrations.status import is_current, read_marks, tenant_heads
from nexo.platform.settings import Settings


@dataclass
class UpgradeReport:
    upgraded: list[str] = field(default_factory=list)
    skipped: int = 0
    failed: dict[str, str] = field(default_factory=dict)


async def upgrade_everything(
    settings: Settings, *, console: Console | None = None, concurrency: int | None = None
) -> UpgradeReport:
    engine = create_engine(settings, pool_size=2, max_overflow=0)
    report = UpgradeReport()
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_public)
        async with engine.connect() as connection:
            marks = await connection.run_sync(read_marks)
        heads = tenant_heads()
        behind = sorted(s for s, v in marks.items() if not is_current(v, heads))
        report.skipped = len(marks) - len(behind)
        for schema in behind:
            try:
                async with engine.begin() as connection:
                    await connection.run_sync(upgrade_tenant, schema)
                report.upgraded.append(schema)
            except Exception as exc:
                report.failed[schema] = f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    if console:
        console.print(
            f"tenants: {len(report.upgraded)} upgraded, {report.skipped} current, {len(report.failed)} failed"
        )
    return report
