"""Alembic configuration built in code (no ini file): script folders, version locations, metadata."""

from __future__ import annotations

import importlib
from collections.abc import Callable
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
    for clear in TENANT_TREE_CACHES:
        clear()


# ``cache_clear`` of every cached view of the tenant tree outside this module (the runner's compiled DDL, the
# fan-out's upgrade plans); each registers its own where it is defined.
TENANT_TREE_CACHES: list[Callable[[], None]] = []


def on_tenant_tree_change(clear: Callable[[], None]) -> None:
    """Register ``clear`` to run whenever the tenant tree's revision folders change."""
    if clear not in TENANT_TREE_CACHES:
        TENANT_TREE_CACHES.append(clear)


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
    """Import every model module so both metadatas are complete: the registered ones, then each module's."""
    if not MODEL_MODULES:
        raise RuntimeError(
            "No model modules registered: the composition root calls nexo.platform.composition.register_models() "
            "before migrating or building schemas."
        )
    for dotted in MODEL_MODULES:
        importlib.import_module(dotted)
    get_registry().import_models()


# Model modules outside the enabled modules (accounts, tenants, OAuth, billing, ...), public and tenant schema alike.
# The kernel knows none of them: the composition root registers them (``register_model_modules``).
MODEL_MODULES: list[str] = []


def register_model_modules(*dotted: str) -> None:
    """Add model modules (dotted names) that ``import_all_models`` imports; idempotent."""
    for name in dotted:
        if name not in MODEL_MODULES:
            MODEL_MODULES.append(name)
