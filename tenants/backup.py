"""One workspace's backup and restore (``nexo tenants backup SLUG`` / ``nexo tenants restore FILE --as NEW-SLUG``).

**Backup** is a tar file: ``schema.dump`` (``pg_dump -Fc`` of the tenant schema: every table, its data, functions,
triggers, the Alembic version table) and ``manifest.json`` (format version, the workspace's public rows: name,
currency, time zone, modules, members with their accounts, and per-table row counts). The dump and the public rows
come from one snapshot: a repeatable-read transaction exports it (``pg_export_snapshot``) and ``pg_dump`` runs with
``--snapshot`` while it stays open, so a backup taken under traffic is consistent.

**Restore** makes a *new* workspace (a new id, so a new schema name, and the slug given) in the database Nexo points
at: the same server (a copy next to the original) or a fresh one (disaster recovery). Everything runs in one
``psql --single-transaction``: the schema restored under its old name and renamed, the tenant row, its modules, its
members (accounts matched by e-mail, created from the backup when missing). A failure leaves nothing behind. When
the old schema name is taken (restoring next to the original) the original is renamed aside for the duration of that
transaction and back at its end, so it is locked, briefly, while the copy is restored.

Partner installations, tokens, webhooks and billing are not part of a workspace backup: the restored workspace
starts without connected apps and with its own billing account (provisioning hooks).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from nexo.platform.db.engine import create_engine, create_session_maker, database_url, libpq_url
from nexo.platform.db.tenancy import schema_for_tenant_id
from nexo.platform.settings import Settings
from nexo.tenants.models import Tenant
from nexo.tenants.provisioning import PROVISIONING_HOOKS

FORMAT = 1
HOLD = "nexo_restore_hold"
NEXT_TENANT_ID = text("SELECT nextval(pg_get_serial_sequence('public.tenants', 'id'))")
SCHEMA_EXISTS = text("SELECT 1 FROM pg_namespace WHERE nspname = :s")


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``/``psql``: from ``NEXO_PG_BIN``, else the embedded server's own, else ``PATH``."""
    folder = os.environ.get("NEXO_PG_BIN")
    if not folder:
        try:
            from pgserver import _commands

            folder = str(_commands.POSTGRES_BIN_PATH)
        except ImportError:
            folder = ""
    path = Path(folder) / name if folder else None
    found = str(path) if path and path.exists() else shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools or set NEXO_PG_BIN.")
    return found


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(command, capture_output=True, check=False, **kwargs)  # noqa: S603 - our tools, no shell
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.decode(errors='replace').strip()[-2000:]}")
    return done


async def _table_counts(connection: AsyncConnection, schema: str) -> dict[str, int]:
    names = await connection.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"), {"s": schema}
    )
    counts: dict[str, int] = {}
    for name in list(names):
        counts[name] = int(await connection.scalar(text(f'SELECT count(*) FROM "{schema}"."{name}"')) or 0)  # noqa: S608 (schema and table names come from pg_tables of the backed-up schema, quoted)
    return counts


async def _public_rows(connection: AsyncConnection, slug: str) -> dict[str, Any]:
    tenant = (
        await connection.execute(
            text("SELECT id, name, schema_name, currency, timezone FROM public.tenants WHERE slug = :slug"),
            {"slug": slug},
        )
    ).first()
    if tenant is None:
        raise BackupError(f"There is no workspace {slug!r}.")
    modules = await connection.execute(
        text("SELECT module_key, enabled FROM public.tenant_modules WHERE tenant_id = :t ORDER BY module_key"),
        {"t": tenant.id},
    )
    members = await connection.execute(
        text(
            "SELECT u.email, u.full_name, u.password_hash, u.is_active, m.role::text AS role "
            "FROM public.memberships m JOIN public.users u ON u.id = m.user_id WHERE m.tenant_id = :t ORDER BY u.email"
        ),
        {"t": tenant.id},
    )
    return {
        "tenant": {"slug": slug, "name": tenant.name, "currency": tenant.currency, "timezone": tenant.timezone},
        "schema": tenant.schema_name,
        "modules": [{"key": k, "enabled": bool(e)} for k, e in modules],
        "members": [dict(row._mapping) for row in members],
    }


async def backup_tenant(settings: Settings, slug: str, target: Path) -> dict[str, Any]:
    """Write the backup of workspace ``slug`` to ``target`` (a tar file); return its manifest."""
    url = libpq_url(database_url(settings))
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as plain:
            connection = await plain.execution_options(isolation_level="REPEATABLE READ")
            async with connection.begin():
                snapshot = await connection.scalar(text("SELECT pg_export_snapshot()"))
                manifest = {"format": FORMAT, **await _public_rows(connection, slug)}
                manifest["counts"] = await _table_counts(connection, manifest["schema"])
                with tempfile.TemporaryDirectory(prefix="nexo-backup-") as folder:
                    dump = Path(folder) / "schema.dump"
                    command = [pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-n", manifest["schema"]]
                    _run([*command, "-f", str(dump), "--dbname", url])
                    (Path(folder) / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tarfile.open(target, "w") as archive:
                        archive.add(Path(folder) / "manifest.json", arcname="manifest.json")
                        archive.add(dump, arcname="schema.dump")
    finally:
        await engine.dispose()
    return manifest


@dataclasses.dataclass(frozen=True)
class Restored:
    slug: str
    schema: str
    tenant_id: int
    counts: dict[str, int]


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _public_sql(manifest: dict[str, Any], tenant_id: int, schema: str, slug: str) -> str:
    tenant = manifest["tenant"]
    lines = [
        "INSERT INTO public.tenants (id, slug, name, schema_name, currency, timezone, status, created_at, updated_at) "  # noqa: S608 (a restore script: every value goes through _literal, which quotes it)
        f"VALUES ({tenant_id}, {_literal(slug)}, {_literal(tenant['name'])}, {_literal(schema)}, "
        f"{_literal(tenant['currency'])}, {_literal(tenant['timezone'])}, 'active', now(), now());"
    ]
    for module in manifest["modules"]:
        lines.append(
            "INSERT INTO public.tenant_modules (tenant_id, module_key, enabled, created_at, updated_at) VALUES "  # noqa: S608 (a restore script: every value goes through _literal, which quotes it)
            f"({tenant_id}, {_literal(module['key'])}, {_literal(module['enabled'])}, now(), now());"
        )
    for member in manifest["members"]:
        lines.append(
            "INSERT INTO public.users (email, full_name, password_hash, is_active, created_at, updated_at) VALUES "  # noqa: S608 (a restore script: every value goes through _literal, which quotes it)
            f"({_literal(member['email'])}, {_literal(member['full_name'])}, {_literal(member['password_hash'])}, "
            f"{_literal(member['is_active'])}, now(), now()) ON CONFLICT (email) DO NOTHING;"
        )
        lines.append(
            "INSERT INTO public.memberships (tenant_id, user_id, role, created_at, updated_at) SELECT "  # noqa: S608 (a restore script: every value goes through _literal, which quotes it)
            f"{tenant_id}, id, {_literal(member['role'])}, now(), now() FROM public.users "
            f"WHERE email = {_literal(member['email'])};"
        )
    return "\n".join(lines)


async def restore_tenant(settings: Settings, source: Path, slug: str) -> Restored:
    """Restore the backup ``source`` as a new workspace ``slug``, in one transaction."""
    url = libpq_url(database_url(settings))
    with tempfile.TemporaryDirectory(prefix="nexo-restore-") as folder, tarfile.open(source) as archive:
        archive.extractall(folder, filter="data")
        manifest = json.loads((Path(folder) / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Backup format {manifest.get('format')!r} is not supported (this Nexo reads {FORMAT}).")
        schema_sql = _run(
            [pg_tool("pg_restore"), "--no-owner", "--no-acl", "-f", "-", str(Path(folder) / "schema.dump")]
        )
        engine = create_engine(settings, pool_size=1, max_overflow=0)
        try:
            async with engine.begin() as connection:
                if await connection.scalar(text("SELECT 1 FROM public.tenants WHERE slug = :s"), {"s": slug}):
                    raise BackupError(f"The address {slug!r} is taken: choose another --as.")
                tenant_id = int(
                    await connection.scalar(text("SELECT nextval(pg_get_serial_sequence('public.tenants', 'id'))")) or 0
                )
                old_taken = bool(
                    await connection.scalar(
                        text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": manifest["schema"]}
                    )
                )
        finally:
            await engine.dispose()
        old, new = manifest["schema"], schema_for_tenant_id(tenant_id)
        script = Path(folder) / "restore.sql"
        with script.open("wb") as out:
            if old_taken:
                out.write(f"ALTER SCHEMA {_ident(old)} RENAME TO {_ident(HOLD)};\n".encode())
            out.write(schema_sql.stdout)
            if new != old:  # a fresh database may hand out the same id again
                out.write(f"\nALTER SCHEMA {_ident(old)} RENAME TO {_ident(new)};\n".encode())
            if old_taken:
                out.write(f"ALTER SCHEMA {_ident(HOLD)} RENAME TO {_ident(old)};\n".encode())
            # The whole file runs in one transaction (psql --single-transaction): SET LOCAL ends with it.
            public_rows = _public_sql(manifest, tenant_id, new, slug)
            out.write(f"SET LOCAL search_path = public;\n{public_rows}\n".encode())
        _run(
            [
                pg_tool("psql"),
                "--no-psqlrc",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "-f",
                str(script),
                url,
            ]
        )
    await _run_provisioning_hooks(settings, tenant_id, [m["key"] for m in manifest["modules"]])
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            counts = await _table_counts(connection, new)
    finally:
        await engine.dispose()
    return Restored(slug=slug, schema=new, tenant_id=tenant_id, counts=counts)


async def _run_provisioning_hooks(settings: Settings, tenant_id: int, module_keys: list[str]) -> None:
    """What provisioning adds beside the schema (the billing account, ...), for the restored workspace."""
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        async with create_session_maker(engine)() as session:
            tenant = await session.get(Tenant, tenant_id)
            assert tenant is not None
            for hook in PROVISIONING_HOOKS:
                await hook(session, tenant, module_keys)
            await session.commit()
    finally:
        await engine.dispose()
