"""``nexo db revision`` and ``nexo db check``: compare the models with a database migrated to head.

``revision`` writes the difference as a new migration; ``check`` lists it (CI fails on any).

The public tree is compared with the public schema. The tenant tree is compared, branch by branch, with a scratch
schema built by replaying every migration, so a module's revision only carries its own tables.
"""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Enum, MetaData, text

from nexo.platform.db.tenancy import bind_connection
from nexo.platform.migrations.config import (
    CORE_BRANCH,
    TENANT_DIR,
    public_metadata,
    public_script,
    tenant_metadata,
    tenant_script,
)
from nexo.platform.migrations.runner import tables_of, upgrade_public, upgrade_tenant

SCRATCH_SCHEMA = "tenant_0"


def _compare_type(
    context: object, inspected_column: object, metadata_column: object, inspected_type: object, metadata_type: object
) -> bool | None:
    """Enums: compare their values only (the reflected type does not carry the model's schema options)."""
    if isinstance(inspected_type, Enum) and isinstance(metadata_type, Enum):
        return list(inspected_type.enums) != list(metadata_type.enums)
    return None


def _render(connection: Connection, metadata: MetaData | list[MetaData], **opts: object) -> tuple[str, str]:
    context = MigrationContext.configure(
        connection, opts={"target_metadata": metadata, "compare_type": _compare_type, **opts}
    )
    migrations = produce_migrations(context, metadata)  # type: ignore[arg-type]
    upgrade = migrations.upgrade_ops
    downgrade = migrations.downgrade_ops
    assert upgrade is not None and downgrade is not None
    if upgrade.is_empty():
        return "", ""
    return (
        render_python_code(upgrade, render_as_batch=False).strip(),
        render_python_code(downgrade, render_as_batch=False).strip(),
    )


def _strip(code: str) -> str:
    lines = [ln for ln in code.splitlines() if "### commands" not in ln and "### end Alembic" not in ln]
    return "\n".join(ln[4:] if ln.startswith("    ") else ln for ln in lines).strip().replace("\n", "\n    ")


AUTOGEN_SCRATCH = "nexo_autogen_scratch"


def public_revision(connection: Connection, message: str) -> Path | None:
    """Compare the public models with the public schema.

    ``connection`` must use ``AUTOGEN_SCRATCH`` as its search path (see ``nexo db revision``): Alembic reports the
    default schema as ``None``, so with ``public`` not the default, the models' explicit ``public`` tables match.
    """
    upgrade_public(connection)
    up, down = _render(connection, public_metadata(), include_schemas=True, include_name=_public_include_name)
    if not up:
        return None
    script = public_script()
    heads = script.get_heads()
    rev = script.generate_revision(
        uuid.uuid4().hex[:12], message, head=heads[0] if heads else "base", upgrades=_strip(up), downgrades=_strip(down)
    )
    assert rev is not None
    return Path(rev.path)


def _migrated_scratch(connection: Connection, metadata: MetaData) -> tuple[set[str], MetaData]:
    """Build the scratch schema by replaying every branch of the tenant tree and bind ``connection`` to it.

    Returns the branches and a copy of ``metadata`` with every table (so keys into other modules' tables resolve)."""
    branches = {label for rev in tenant_script().walk_revisions() for label in rev.branch_labels}
    connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCRATCH_SCHEMA}" CASCADE'))
    connection.execute(text(f'CREATE SCHEMA "{SCRATCH_SCHEMA}"'))
    upgrade_tenant(connection, SCRATCH_SCHEMA, branches)
    bind_connection(connection, SCRATCH_SCHEMA)
    own = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(own)
    return branches, own


def tenant_revision(connection: Connection, message: str, module_key: str) -> Path | None:
    """A revision on ``module_key``'s branch (``core`` for the tenant tables outside modules)."""
    from nexo.platform.modules.registry import get_registry

    registry = get_registry()
    branch = CORE_BRANCH if module_key == CORE_BRANCH else registry.get(module_key).branch
    script = tenant_script()
    known_branches, own = _migrated_scratch(connection, tenant_metadata())
    own_names = {t.name for t in tables_of([module_key])}

    def include_name(name: str | None, type_: str, parent: object) -> bool:
        if type_ == "table":
            return name in own_names
        return True

    def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        return type_ != "table" or name in own_names

    up, down = _render(
        connection, own, include_name=include_name, include_object=include_object, version_table_schema=SCRATCH_SCHEMA
    )
    connection.execute(text(f'DROP SCHEMA "{SCRATCH_SCHEMA}" CASCADE'))
    if not up:
        return None
    if branch in known_branches:
        rev = script.generate_revision(
            uuid.uuid4().hex[:12], message, head=f"{branch}@head", upgrades=_strip(up), downgrades=_strip(down)
        )
    else:
        version_path = (
            str(TENANT_DIR / "versions") if branch == CORE_BRANCH else str(registry.get(module_key).migrations)
        )
        Path(version_path).mkdir(parents=True, exist_ok=True)
        rev = script.generate_revision(
            uuid.uuid4().hex[:12],
            message,
            head="base",
            branch_labels=[branch],
            version_path=version_path,
            upgrades=_strip(up),
            downgrades=_strip(down),
        )
    assert rev is not None
    return Path(rev.path)


def _diffs(connection: Connection, metadata: MetaData | list[MetaData], **opts: object) -> list[str]:
    context = MigrationContext.configure(
        connection, opts={"target_metadata": metadata, "compare_type": _compare_type, **opts}
    )
    with warnings.catch_warnings():
        # Expression indexes with operator classes (the prefix-search indexes) cannot be compared by expression;
        # their names and columns still are.
        warnings.filterwarnings("ignore", message=".*Expression compare cannot proceed", category=UserWarning)
        return [repr(diff) for diff in compare_metadata(context, metadata)]  # type: ignore[arg-type]


def _public_include_name(name: str | None, type_: str, parent: object) -> bool:
    if type_ == "schema":
        return name == "public"
    if type_ == "table":
        return not (name or "").startswith("procrastinate_") and name != "alembic_version"
    return True


def public_drift(connection: Connection, metadata: list[MetaData] | None = None) -> list[str]:
    """The differences between the public models and the public schema the public tree's migrations build.

    ``connection`` uses ``AUTOGEN_SCRATCH`` as its search path, as for ``public_revision``; the caller owns its
    transaction (``nexo db check`` rolls it back, so checking changes nothing).
    """
    upgrade_public(connection)
    return _diffs(connection, metadata or public_metadata(), include_schemas=True, include_name=_public_include_name)


def tenant_drift(connection: Connection, metadata: MetaData | None = None) -> dict[str, list[str]]:
    """Per branch of the tenant tree (``core`` and each module), the differences between its models and the tables
    its migrations build in a scratch schema. Branches without differences are left out."""
    from nexo.platform.modules.registry import get_registry

    _, own = _migrated_scratch(connection, metadata or tenant_metadata())
    drift: dict[str, list[str]] = {}
    for key in [CORE_BRANCH, *(manifest.key for manifest in get_registry())]:
        names = {t.name for t in tables_of([key])}

        def include_name(name: str | None, type_: str, parent: object, names: set[str] = names) -> bool:
            return type_ != "table" or name in names

        def include_object(
            obj: object, name: str | None, type_: str, reflected: bool, compare_to: object, names: set[str] = names
        ) -> bool:
            return type_ != "table" or name in names

        found = _diffs(
            connection,
            own,
            include_name=include_name,
            include_object=include_object,
            version_table_schema=SCRATCH_SCHEMA,
        )
        if found:
            drift[key] = found
    connection.execute(text(f'DROP SCHEMA "{SCRATCH_SCHEMA}" CASCADE'))
    return drift


__all__ = ["public_drift", "public_revision", "tenant_drift", "tenant_metadata", "tenant_revision"]
