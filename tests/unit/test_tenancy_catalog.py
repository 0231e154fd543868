"""The kernel's read-only views of the public workspace tables name columns the tenants models really have."""

from __future__ import annotations

import pytest
from sqlalchemy import Table
from sqlalchemy.sql.expression import TableClause

from nexo.billing.models import BillingAccount
from nexo.platform.tenancy import catalog
from nexo.tenants import models


@pytest.mark.parametrize(
    ("view", "owner"),
    [
        (catalog.tenants, models.Tenant.__table__),
        (catalog.memberships, models.Membership.__table__),
        (catalog.tenant_modules, models.TenantModule.__table__),
        (catalog.billing_accounts, BillingAccount.__table__),
    ],
)
def test_catalog_views_match_the_tenants_tables(view: TableClause, owner: Table) -> None:
    assert (view.schema, view.name) == (owner.schema, owner.name)
    assert set(view.c.keys()) <= set(owner.c.keys())


def test_role_ranks_order_owner_over_admin_over_member() -> None:
    from nexo.platform.tenancy.context import Role

    assert Role.OWNER.at_least(Role.ADMIN) and Role.ADMIN.at_least(Role.MEMBER)
    assert not Role.MEMBER.at_least(Role.ADMIN)
