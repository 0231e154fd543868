"""What ERP services need to know about the workspace: its currency and which modules are on.

Pages build it from the request's ``TenantContext`` (``ErpContext.of(tenant)``), the API from the token's
principal (``erp_context``); services take it with their session: ``SalesService(session, context)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Organization
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.tenancy.catalog import tenants
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.tenancy.policy import module_off_error
from nexo.platform.web.kit import picker

ACCOUNTING = "erp.accounting"
INVENTORY = "erp.inventory"
SALES = "erp.sales"
PURCHASING = "erp.purchasing"
MANUFACTURING = "erp.manufacturing"
HR = "erp.hr"
CRM = "crm"


@dataclass(frozen=True)
class ErpContext:
    currency: str
    modules: frozenset[str]
    user_id: int | None = None
    user_label: str = "system"

    @classmethod
    def of(cls, tenant: TenantContext) -> ErpContext:
        return cls(tenant.currency, tenant.modules, tenant.user_id, tenant.user_email)

    @property
    def accounting_on(self) -> bool:
        return ACCOUNTING in self.modules

    @property
    def actor(self) -> dict[str, object]:
        return {"actor_user_id": self.user_id, "actor_label": self.user_label}


async def erp_context(session: AsyncSession, principal: ApiPrincipal) -> ErpContext:
    """The ERP context of an API call: the token's workspace, its modules, and the app as the actor."""
    currency = await session.scalar(select(tenants.c.currency).where(tenants.c.id == principal.tenant_id))
    return ErpContext(
        currency=currency or "EUR",
        modules=principal.modules,
        user_id=principal.user_id,
        user_label=f"API: {principal.client_name}",
    )


def require_module(principal: ApiPrincipal, key: str) -> None:
    """Calls that reach into another ERP module (invoicing a sales order) need that module on too."""
    if key not in principal.modules:
        raise module_off_error(key)


async def organizations(session: AsyncSession) -> list[Organization]:
    """The customer and supplier picker: the directory's organizations by name."""
    return await picker(session, select(Organization).order_by(Organization.name))
