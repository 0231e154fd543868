"""The public workspace tables as the kernel reads them, without the ``nexo.tenants`` models.

The kernel's request path folds the workspace into the query it already runs: the signed-in user's workspaces (for
the header's switcher and the landing page after login), an access token's workspace with its enabled modules, and
the workspace's billing state for the workspace guard, one round trip each. Those reads
need the columns, not the models, so the kernel names the few columns it reads here as lightweight Core tables;
``nexo.tenants.models`` and ``nexo.billing.models`` own the tables and their migrations, and a unit test keeps these
views equal to them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, column, func, select, table
from sqlalchemy.orm import QueryableAttribute

tenants = table(
    "tenants",
    column("id"),
    column("slug"),
    column("name"),
    column("schema_name"),
    column("status"),
    column("currency"),
    schema="public",
)
memberships = table("memberships", column("tenant_id"), column("user_id"), column("created_at"), schema="public")
billing_accounts = table("billing_accounts", column("tenant_id"), column("state"), schema="public")
tenant_modules = table("tenant_modules", column("tenant_id"), column("module_key"), column("enabled"), schema="public")


def enabled_modules_subquery(
    tenant_id: ColumnElement[int] | QueryableAttribute[int] | int,
) -> ColumnElement[list[str]]:
    """A scalar subquery: the array of enabled module keys of ``tenant_id`` (NULL when none; callers treat it as
    empty), embeddable in a larger query."""
    modules = tenant_modules.c
    return (
        select(func.array_agg(modules.module_key))
        .where(modules.tenant_id == tenant_id, modules.enabled.is_(True))
        .scalar_subquery()
    )
