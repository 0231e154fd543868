"""What every CRM service is built from: the tenant-bound session and the :class:`CrmContext` of the request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.tenancy.context import TenantContext


@dataclass(frozen=True)
class CrmContext:
    """Who acts and what is on: the owner a new record defaults to, the author of an activity or a case message,
    and the modules whose records the CRM links to (an ERP quote made from a deal)."""

    tenant_id: int
    user_id: int | None
    user_label: str  # how a case message names its author: the member's name, or the connected app's
    modules: frozenset[str]

    @classmethod
    def of(cls, tenant: TenantContext) -> CrmContext:
        """A member working in the pages."""
        return cls(tenant.tenant_id, tenant.user_id, tenant.user_name or tenant.user_email, tenant.modules)

    @classmethod
    def of_principal(cls, principal: ApiPrincipal) -> CrmContext:
        """A connected app calling the API (on behalf of ``user_id`` when the token has one)."""
        return cls(principal.tenant_id, principal.user_id, principal.client_name, principal.modules)


class CrmService:
    """The one service style: built from ``(session, context)``, methods take the typed inputs defined beside
    each service, write, and emit the webhook events in the same transaction."""

    def __init__(self, session: AsyncSession, context: CrmContext) -> None:
        self.session = session
        self.context = context
