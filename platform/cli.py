"""The ``nexo`` command: serve, worker, database, tenants and users."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from nexo.platform.settings import Settings, SettingsError, get_settings

console = Console(stderr=True)
T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def run_async(factory: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(factory())  # type: ignore[arg-type]


@click.group()
def main() -> None:
    """Nexo: multi-tenant CRM and ERP."""
    from nexo.platform.composition import register_models

    register_models()


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default NEXO_HOST).")
@click.option("--port", default=None, type=int, help="Port (default NEXO_PORT).")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option("--no-migrate", is_flag=True, help="Do not run `db upgrade` before serving.")
def serve(host: str | None, port: int | None, workers: int, reload: bool, no_migrate: bool) -> None:
    """Migrate, then serve the web app and the API."""
    import os

    import uvicorn

    settings = load_settings()
    from nexo.platform.db.engine import database_url

    url = database_url(settings)  # starts the embedded server when no URL is configured
    os.environ.setdefault("NEXO_DATABASE_URL", url)
    if not no_migrate:
        from nexo.platform.migrations.fanout import upgrade_everything

        run_async(lambda: upgrade_everything(Settings.from_env(), console=console))
    host = host or settings.app.host
    port = port or settings.app.port
    if workers > 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        prepare_metrics_folder(settings.app.data_dir / "prometheus")
    console.print(f"Nexo is serving on http://{host}:{port}")
    uvicorn.run(
        "nexo.platform.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_level="warning",
        access_log=False,  # Nexo writes its own access log, with token path segments redacted
    )


def prepare_metrics_folder(default: Path) -> Path:
    """Several workers share their Prometheus counters through files in ``PROMETHEUS_MULTIPROC_DIR`` (default
    ``<data dir>/prometheus``), which must start empty: the folder is emptied here, before any worker starts."""
    import os
    import shutil

    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or default)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


@main.command()
@click.option("--queue", "queues", multiple=True, help="Queue to consume (repeatable; default: every queue).")
@click.option("--concurrency", default=4, show_default=True, help="Jobs run at once.")
def worker(queues: tuple[str, ...], concurrency: int) -> None:
    """Run background jobs (partner webhooks, Stripe events, e-mail, imports) until stopped."""
    from nexo.platform.jobs.runtime import open_jobs

    settings = load_settings()

    async def go() -> None:
        async with open_jobs(settings, max_size=concurrency + 2) as app:
            console.print(f"worker consuming {', '.join(queues) or 'every queue'}")
            if queues:
                await app.run_worker_async(queues=list(queues), concurrency=concurrency, install_signal_handlers=True)
            else:  # every queue
                await app.run_worker_async(concurrency=concurrency, install_signal_handlers=True)

    run_async(go)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option(
    "--concurrency", default=None, type=int, help="Tenants migrated at once (default NEXO_UPGRADE_CONCURRENCY)."
)
def db_upgrade(concurrency: int | None) -> None:
    """Migrate the public schema, then every tenant schema that is behind.

    Exits 1 when a tenant failed (it is listed with its error), 75 when some were busy (held by another upgrader;
    run again later), 0 otherwise. Running it again resumes: only what is still behind is migrated.
    """
    from nexo.platform.migrations.fanout import upgrade_everything

    report = run_async(lambda: upgrade_everything(load_settings(), console=console, concurrency=concurrency))
    if report.failed:
        sys.exit(1)
    if report.busy:
        sys.exit(75)


@db.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--tree", type=click.Choice(["public", "tenant"]), required=True)
@click.option("--module", "module_key", default="core", show_default=True, help="Tenant tree: the module's branch.")
def db_revision(message: str, tree: str, module_key: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from nexo.platform.db.engine import create_engine
    from nexo.platform.migrations import autogen

    async def go() -> Any:
        settings = load_settings()
        engine = create_engine(settings)
        try:
            async with engine.begin() as connection:
                if tree == "tenant":
                    return await connection.run_sync(autogen.tenant_revision, message, module_key)
                await connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {autogen.AUTOGEN_SCRATCH}")
        finally:
            await engine.dispose()
        scratch = create_engine(
            settings, connect_args={"server_settings": {"search_path": f"{autogen.AUTOGEN_SCRATCH},public"}}
        )
        try:
            async with scratch.begin() as connection:
                return await connection.run_sync(autogen.public_revision, message)
        finally:
            await scratch.dispose()

    path = run_async(go)
    console.print(f"wrote {path}" if path else "no changes detected")


@db.command("check")
def db_check() -> None:
    """Compare the models with what the migrations build: the public tree, and every branch of the tenant tree.

    Exits 1 and lists the differences when a model changed without its migration (or the reverse). Runs in
    transactions that are rolled back: the database is left as it was.
    """
    from nexo.platform.migrations.drift import check_drift

    drift = run_async(lambda: check_drift(load_settings()))
    for tree, differences in drift.items():
        console.print(f"[bold]{tree}[/bold]: models and migrations differ")
        for difference in differences:
            console.print(f"  {difference}", markup=False, highlight=False)
    if drift:
        sys.exit(1)
    console.print("models and migrations agree (public tree and every tenant branch)")


@main.group()
def citus() -> None:
    """Running on a Citus coordinator with schema-based sharding (infra/citus/README.md)."""


@citus.command("check")
def citus_check() -> None:
    """Show the node of every tenant schema; exit 1 when one is not a distributed schema (or another problem)."""
    from nexo.platform.db.citus import citus_report

    report = run_async(lambda: _with_engine(citus_report))
    _print_citus_report(report)
    if not report.ok:
        sys.exit(1)


@citus.command("distribute")
@click.option(
    "--schema", "schemas", multiple=True, help="Only this tenant schema (repeatable; default: every local one)."
)
def citus_distribute(schemas: tuple[str, ...]) -> None:
    """Make tenant schemas that are still local to the coordinator distributed schemas (``citus_schema_distribute``,
    one transaction each; a tenant is blocked for writes while its tables are copied), then check."""
    from nexo.platform.db.citus import citus_report, distribute_schema

    async def go(engine: Any) -> Any:
        before = await citus_report(engine)
        if not before.citus:
            raise click.ClickException("the database has no citus extension (CREATE EXTENSION citus)")
        for schema in schemas or before.local:
            if schema in before.placements:
                console.print(f"{schema}: already distributed ({before.placements[schema]})")
                continue
            await distribute_schema(engine, schema)
            console.print(f"{schema}: distributed")
        return await citus_report(engine)

    report = run_async(lambda: _with_engine(go))
    _print_citus_report(report)
    if not report.ok:
        sys.exit(1)


async def _with_engine(work: Callable[[Any], Awaitable[T]]) -> T:
    from nexo.platform.db.engine import create_engine

    engine = create_engine(load_settings(), pool_size=2, max_overflow=0)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


def _print_citus_report(report: Any) -> None:
    table = Table("tenant schema", "node")
    for schema, node in report.placements.items():
        table.add_row(schema, node)
    for schema in report.local:
        table.add_row(schema, "[red]not distributed (on the coordinator)[/]")
    Console().print(table)
    for problem in report.problems:
        console.print(f"[red]problem:[/] {problem}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if report.ok:
        console.print(f"ok: {len(report.placements)} tenant schemas, every one a distributed schema")


@main.group()
def tenants() -> None:
    """Workspaces."""


@tenants.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--owner-email", required=True)
@click.option("--owner-name", default="")
@click.option("--owner-password", default=None, help="Needed when the owner account does not exist yet.")
@click.option("--module", "modules", multiple=True, help="Module to switch on (repeatable).")
def tenants_create(
    name: str, slug: str, owner_email: str, owner_name: str, owner_password: str | None, modules: tuple[str, ...]
) -> None:
    """Create a workspace (and its owner account if needed)."""
    from nexo.platform.accounts.services import get_user_by_email
    from nexo.tenants.signup import SignupForm, sign_up

    async def go() -> str:
        async with session_scope() as session:
            existing = await get_user_by_email(session, owner_email)
            form = SignupForm(
                name, slug.lower(), owner_name or owner_email, owner_email.lower(), owner_password or "", list(modules)
            )
            result = await sign_up(session, form, existing_user=existing)
            if result.errors:
                await session.rollback()
                raise click.ClickException("; ".join(f"{k}: {v}" for k, v in result.errors.items()))
            await session.commit()
            assert result.tenant is not None
            return f"created workspace {result.tenant.slug} (schema {result.tenant.schema_name})"

    console.print(run_async(go))


@tenants.command("list")
def tenants_list() -> None:
    """List workspaces."""
    from sqlalchemy import func, select

    from nexo.tenants.models import Membership, Tenant

    async def go() -> list[Any]:
        async with session_scope() as session:
            members = func.count(Membership.id)
            statement = select(Tenant, members).outerjoin(Membership).group_by(Tenant.id).order_by(Tenant.id)
            return list((await session.execute(statement)).all())

    table = Table("id", "slug", "name", "schema", "status", "members", "created")
    for tenant, count in run_async(go):
        table.add_row(
            str(tenant.id),
            tenant.slug,
            tenant.name,
            tenant.schema_name,
            str(tenant.status),
            str(count),
            tenant.created_at.isoformat(timespec="seconds"),
        )
    Console().print(table)


@tenants.command("show")
@click.argument("slug")
def tenants_show(slug: str) -> None:
    """Show one workspace with its members."""
    from sqlalchemy import select

    from nexo.tenants.models import Membership, Tenant

    async def go() -> tuple[Any, list[Any]]:
        async with session_scope() as session:
            tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
            if tenant is None:
                raise click.ClickException(f"no workspace {slug!r}")
            members = list(await session.scalars(select(Membership).where(Membership.tenant_id == tenant.id)))
            return tenant, members

    tenant, members = run_async(go)
    out = Console()
    out.print(f"[bold]{tenant.name}[/] /w/{tenant.slug}/  schema={tenant.schema_name}  status={tenant.status}")
    table = Table("member", "name", "role")
    for member in members:
        table.add_row(member.user.email, member.user.full_name, member.role.value)
    out.print(table)


@tenants.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def tenants_delete(slug: str, yes: bool) -> None:
    """Delete a workspace and its schema, with all its data."""
    from sqlalchemy import select

    from nexo.tenants.models import Tenant
    from nexo.tenants.provisioning import drop_tenant

    if not yes:
        click.confirm(f"Delete workspace {slug!r} and all its data?", abort=True)

    async def go() -> None:
        async with session_scope() as session:
            tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
            if tenant is None:
                raise click.ClickException(f"no workspace {slug!r}")
            await drop_tenant(session, tenant)
            await session.commit()

    run_async(go)
    console.print(f"deleted workspace {slug}")


@tenants.command("backup")
@click.argument("slug")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Tar file to write."
)
def tenants_backup(slug: str, output: Path | None) -> None:
    """Back up one workspace: its schema (pg_dump) and its public rows, from one snapshot, in a tar file."""
    from nexo.tenants.backup import BackupError, backup_tenant

    target = output or Path(f"{slug}.nexo-backup.tar")
    try:
        manifest = run_async(lambda: backup_tenant(load_settings(), slug, target))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest["counts"].values())
    console.print(f"backed up workspace {slug} ({len(manifest['counts'])} tables, {rows} rows) to {target}")


@tenants.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "slug", required=True, help="Address (slug) of the restored workspace.")
def tenants_restore(backup: Path, slug: str) -> None:
    """Restore a workspace backup as a new workspace, in one transaction (same or another database)."""
    from nexo.billing.hooks import install as install_billing
    from nexo.tenants.backup import BackupError, restore_tenant

    settings = load_settings()
    install_billing(settings)
    try:
        restored = run_async(lambda: restore_tenant(settings, backup, slug.lower()))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(restored.counts.values())
    console.print(f"restored workspace {restored.slug} (schema {restored.schema}, {rows} rows)")


@tenants.command("purge-expired")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def tenants_purge_expired(yes: bool) -> None:
    """Delete canceled workspaces whose retention period (NEXO_RETENTION_DAYS) has ended."""
    from nexo.billing.accounts import utcnow
    from nexo.billing.dunning import purge_expired

    settings = load_settings()
    if not yes:
        click.confirm(f"Delete canceled workspaces older than {settings.billing.retention_days} days?", abort=True)

    async def go() -> list[str]:
        async with session_scope() as session:
            slugs = await purge_expired(session, utcnow(), settings.billing.retention_days)
            await session.commit()
            return slugs

    slugs = run_async(go)
    console.print(f"purged {len(slugs)} workspace(s){': ' + ', '.join(slugs) if slugs else ''}")


@main.group()
def billing() -> None:
    """Billing (Stripe)."""


@billing.command("sync")
def billing_sync() -> None:
    """Create or update each paid module's product and monthly price at the provider (idempotent)."""
    from nexo.billing.catalog import sync_catalog
    from nexo.billing.provider import configure

    settings = load_settings()
    if not configure(settings).enabled:
        raise click.ClickException("billing is off: set NEXO_STRIPE_SECRET_KEY")

    async def go() -> list[Any]:
        async with session_scope() as session:
            prices = await sync_catalog(session)
            await session.commit()
            return prices

    table = Table("module", "product", "price", "amount")
    for price in run_async(go):
        table.add_row(
            price.module_key, price.product_id, price.price_id, f"{price.unit_amount / 100:.2f} {price.currency}"
        )
    Console().print(table)


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.password_option()
def users_create(email: str, full_name: str, password: str) -> None:
    """Create a user account."""
    from email_validator import EmailNotValidError, validate_email

    from nexo.platform.accounts.passwords import password_problem
    from nexo.platform.accounts.services import create_user, get_user_by_email

    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.ClickException(f"invalid e-mail: {exc}") from exc
    problem = password_problem(password, email=email, name=full_name)
    if problem:
        raise click.ClickException(problem)

    async def go() -> None:
        async with session_scope() as session:
            if await get_user_by_email(session, email):
                raise click.ClickException(f"a user with e-mail {email} exists")
            await create_user(session, email=email, full_name=full_name, password=password)
            await session.commit()

    run_async(go)
    console.print(f"created user {email}")


class session_scope:  # noqa: N801 - used like a function
    """An ``AsyncSession`` on a short-lived engine, for one CLI command."""

    async def __aenter__(self) -> Any:
        from nexo.platform.db.engine import create_engine, create_session_maker

        self.engine = create_engine(load_settings(), pool_size=2, max_overflow=0)
        self.session = create_session_maker(self.engine)()
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        await self.engine.dispose()


if __name__ == "__main__":
    main()
