"""``nexo db check``: models and migrations agree today, and a model change without its migration is caught."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData

from nexo.platform.migrations.config import public_metadata, tenant_metadata
from nexo.platform.migrations.drift import check_drift, public_differences, tenant_differences
from nexo.tests.integration.db.conftest import ScratchDatabase


async def test_models_and_migrations_agree_for_every_tree(scratch: ScratchDatabase) -> None:
    assert await check_drift(scratch.settings) == {}


async def test_a_tenant_model_column_without_migration_is_reported_on_its_branch(scratch: ScratchDatabase) -> None:
    changed = MetaData()
    for table in tenant_metadata().sorted_tables:
        table.to_metadata(changed)
    changed.tables["crm_leads"].append_column(Column("drift_probe", Integer, nullable=True))
    drift = await tenant_differences(scratch.engine, changed)
    assert list(drift) == ["crm"]
    assert any("drift_probe" in difference for difference in drift["crm"])


async def test_a_public_model_column_without_migration_is_reported(scratch: ScratchDatabase) -> None:
    changed = MetaData()
    for metadata in public_metadata():
        for table in metadata.sorted_tables:
            table.to_metadata(changed)
    changed.tables["public.tenants"].append_column(Column("drift_probe", Integer, nullable=True))
    differences = await public_differences(scratch.settings, [changed])
    assert len(differences) == 1 and "drift_probe" in differences[0]
