"""Who calls the API: the principal an access token stands for, as handlers receive it (``principal``).

The bearer-token guard (``nexo.platform.api.auth``, built on the OAuth feature) resolves it; modules only read it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from nexo.platform.modules.scopes import enabled_scopes
from nexo.platform.web.errors import ProblemError

PRINCIPAL_STATE_KEY = "api_principal"


@dataclass(frozen=True)
class ApiPrincipal:
    token_id: int
    installation_id: int
    client_id: str
    client_name: str
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    tenant_status: str  # active, read_only or canceled: writes are refused unless active
    schema: str
    user_id: int | None
    granted_scopes: frozenset[str]
    modules: frozenset[str]
    expires_at: datetime.datetime

    @property
    def scopes(self) -> frozenset[str]:
        """Granted scopes whose module is on right now."""
        return self.granted_scopes & frozenset(enabled_scopes(self.modules))


def invalid_token(detail: str) -> ProblemError:
    error = ProblemError(401, detail, "invalid-token")
    error.headers = {"WWW-Authenticate": 'Bearer realm="nexo", error="invalid_token"'}
    return error


def provide_principal(request: Any) -> ApiPrincipal:
    principal = request.state.get(PRINCIPAL_STATE_KEY)
    if not isinstance(principal, ApiPrincipal):
        raise invalid_token("Not authenticated.")
    return principal
