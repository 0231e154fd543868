"""Alembic configuration built in code (no ini file): script folders, version locations, metadata."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData

from nexo.platform.modules.registry import get_registry

HERE = Path(__file__).parent
PUBLIC_DIR = HERE / "public"
TENANT_DIR = HERE / "tenant"
CORE_BRANCH = "core"
PUBLIC_VERSION_TABLE = "alembic_version"
TENANT_VERSION_TABLE = "alembic_version"


def public_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PUBLIC_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(PUBLIC_DIR / "versions"))
    return cfg


def tenant_config() -> Config:
    """The tenant tree: the core branch plus each module's own folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(TENANT_DIR))
    locations = [str(TENANT_DIR / "versions")] + [str(m.migrations) for m in get_registry()]
    locations += [str(p) for p in EXTRA_TENANT_VERSION_LOCATIONS]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", ":".join(locations))
    return cfg


# Extra folders of tenant revisions outside the repo's tree (benchmarks and tests write throw-away revisions there).
EXTRA_TENANT_VERSION_LOCATIONS: list[Path] = []


def set_extra_tenant_versions(locations: list[Path]) -> None:
    """Replace the extra tenant revision folders and forget every cached view of the tenant tree."""
    EXTRA_TENANT_VERSION_LOCATIONS[:] = locations
    tenant_script.cache_clear()
    from nexo.platform.migrations.fanout import plan_for
    from nexo.platform.migrations.runner import compiled_module_ddl, compiled_stamp, compiled_tenant_ddl

    plan_for.cache_clear()
    compiled_tenant_ddl.cache_clear()
    compiled_module_ddl.cache_clear()
    compiled_stamp.cache_clear()


@lru_cache(maxsize=1)
def public_script() -> ScriptDirectory:
    return ScriptDirectory.from_config(public_config())


@lru_cache(maxsize=1)
def tenant_script() -> ScriptDirectory:
    return ScriptDirectory.from_config(tenant_config())


def public_metadata() -> list[MetaData]:
    from advanced_alchemy.base import orm_registry

    import_all_models()
    from nexo.platform.db.base import PublicBase

    return [PublicBase.metadata, orm_registry.metadata]


def tenant_metadata() -> MetaData:
    import_all_models()
    from nexo.platform.db.base import TenantBase

    return TenantBase.metadata


def import_all_models() -> None:
    """Import every model module so both metadatas are complete."""
    import nexo.platform.accounts.models
    import nexo.tenants.audit
    import nexo.tenants.models  # noqa: F401

    get_registry().import_models()
    for dotted in PUBLIC_MODEL_MODULES:
        __import__(dotted)


# Public-schema model modules outside platform.accounts and tenants (OAuth, billing, ...) register here.
PUBLIC_MODEL_MODULES: list[str] = [
    "nexo.platform.oauth.models",
    "nexo.platform.webhooks.models",
    "nexo.platform.api.models",
    "nexo.billing.models",
]
