"""OpenAPI extras: the OAuth 2 security scheme with every module scope, and the API's description."""

from __future__ import annotations

from typing import Any

from litestar.openapi.spec import Components, OAuthFlow, OAuthFlows, SecurityScheme

from nexo.platform.modules.scopes import all_scopes
from nexo.platform.settings import Settings

DESCRIPTION = """Nexo's REST API. Authenticate with an OAuth 2 access token (`Authorization: Bearer ...`); the
workspace is the one the token was granted for. Errors are RFC 9457 problem details with a stable `type`.
Lists use cursor pagination (`limit`, `cursor` → `next_cursor`). Creates accept an `Idempotency-Key` header.
Every response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; over the limit the API
answers 429 with `Retry-After`."""


def openapi_components(settings: Settings) -> dict[str, Any]:
    base = settings.app.base_url.rstrip("/")
    scopes = {name: scope.description for name, (_, scope) in sorted(all_scopes().items())}
    flows = OAuthFlows(
        authorization_code=OAuthFlow(
            authorization_url=f"{base}/oauth/authorize",
            token_url=f"{base}/oauth/token",
            refresh_url=f"{base}/oauth/token",
            scopes=scopes,
        ),
        client_credentials=OAuthFlow(token_url=f"{base}/oauth/token", scopes=scopes),
    )
    return {
        "description": DESCRIPTION,
        "components": Components(security_schemes={"oauth2": SecurityScheme(type="oauth2", flows=flows)}),
    }
