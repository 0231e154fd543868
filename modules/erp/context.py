"""What ERP services need to know about the workspace: its currency and which modules are on."""

from __future__ import annotations

from dataclasses import dataclass

from nexo.platform.tenancy.context import TenantContext

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
