"""OpenAPI extras: the OAuth 2 security scheme with every module scope, and the API's description."""

from __future__ import annotations

from typing import Any

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, OAuthFlow, OAuthFlows, OpenAPI, SecurityScheme

from nexo.platform.settings import Settings

DESCRIPTION = """Nexo's REST API. Authenticate with an OAuth 2 access token (`Authorization: Bearer ...`); the
workspace is the one the token was granted for. Errors are RFC 9457 problem details with a stable `type`.
Lists use cursor pagination (`limit`, `cursor` → `next_cursor`). Creates accept an `Idempotency-Key` header.
Every response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; over the limit the API
answers 429 with `Retry-After`."""


EXAMPLE_SEED = 10  # the seed Litestar gives its example factory


class SeededOpenAPIConfig(OpenAPIConfig):
    """Builds the document with the example generator reseeded first.

    Litestar draws the examples of problem responses from one random generator per process, so without the reseed a
    second app in the same process (tests build many) would serve a document that differs from the first's.
    """

    def to_openapi_schema(self) -> OpenAPI:
        # Imported at call time: imported at module load it fails on the optional pydantic package.
        from litestar._openapi.schema_generation.examples import ExampleFactory

        ExampleFactory.seed_random(EXAMPLE_SEED)
        return super().to_openapi_schema()


def openapi_components(settings: Settings) -> dict[str, Any]:
    from nexo.platform.oauth.scopes import all_scopes

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
