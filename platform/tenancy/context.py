"""The workspace a request acts in, as the member sees it, and the member roles.

The workspace guard (``nexo.tenants.resolution``) builds a ``TenantContext`` and stores it under
``TENANT_STATE_KEY``; handlers receive it as the ``tenant`` dependency (``provide_tenant``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from litestar.exceptions import NotFoundException

NOT_FOUND = "There is no workspace at this address, or you are not a member of it."
TENANT_STATE_KEY = "tenant_context"


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def rank(self) -> int:
        return {Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True)
class TenantContext:
    tenant_id: int
    slug: str
    name: str
    schema: str
    status: str
    currency: str
    timezone: str
    user_id: int
    user_email: str
    user_name: str
    role: Role
    modules: frozenset[str]
    billing_state: str | None = None  # the BillingAccount's state, None without one

    @property
    def is_admin(self) -> bool:
        return self.role.at_least(Role.ADMIN)

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER

    @property
    def actor(self) -> dict[str, Any]:
        """Keyword arguments identifying the acting user for ``nexo.tenants.audit.record``."""
        return {"actor_user_id": self.user_id, "actor_label": self.user_email}


def provide_tenant(request: Any) -> TenantContext:
    """Dependency ``tenant``: the context the guard resolved."""
    context = request.state.get(TENANT_STATE_KEY)
    if not isinstance(context, TenantContext):  # the guard did not run: fail closed
        raise NotFoundException(NOT_FOUND)
    return context


def require_role(role: Role) -> dict[str, Any]:
    """Handler ``opt`` enforcing a minimum role, e.g. ``@get(..., opt=require_role(Role.ADMIN))``."""
    return {"min_role": role.value}
