"""OAuth endpoints: authorize (consent), token, revoke, introspect, and RFC 8414 metadata."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749.errors import OAuth2Error
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.accounts.models import User
from nexo.platform.api.auth import notify_revocation
from nexo.platform.db.base import utcnow
from nexo.platform.modules.scopes import all_scopes, enabled_scopes, group_scopes
from nexo.platform.oauth.models import Installation, OAuthToken
from nexo.platform.oauth.server import (
    LitestarOAuth2Request,
    NexoAuthorizationServer,
    OAuthResponse,
    OAuthStore,
    basic_client_id,
    use_store,
)
from nexo.platform.tenancy.context import Role
from nexo.platform.web.rendering import render
from nexo.platform.web.security import CSP_STATE_KEY, allow_form_action, origin_of
from nexo.platform.webhooks.access import stop_deliveries
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.module_state import enabled_modules_subquery

CONSENT_FIELDS = {"_csrf_token", "workspace", "decision"}
_servers: dict[str, NexoAuthorizationServer] = {}


def oauth_server(request: Request[Any, Any, Any]) -> NexoAuthorizationServer:
    issuer = request.app.state["nexo_settings"].app.base_url.rstrip("/")
    if issuer not in _servers:
        _servers[issuer] = NexoAuthorizationServer(issuer)
    return _servers[issuer]


def session_maker(request: Request[Any, Any, Any]) -> async_sessionmaker[AsyncSession]:
    engine = request.app.state["nexo_engine"]
    if "nexo_oauth_sessions" not in request.app.state:
        request.app.state["nexo_oauth_sessions"] = async_sessionmaker(engine, expire_on_commit=False)
    maker: async_sessionmaker[AsyncSession] = request.app.state["nexo_oauth_sessions"]
    return maker


async def oauth_request(request: Request[Any, Any, Any], *, with_form: bool) -> LitestarOAuth2Request:
    form: list[tuple[str, str]] = []
    if with_form:
        form = [(k, str(v)) for k, v in (await request.form()).multi_items() if k not in CONSENT_FIELDS]
    query = [(k, str(v)) for k, v in request.query_params.multi_items()]
    return LitestarOAuth2Request(request.method, str(request.url), request.headers, query, form)


def metadata(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "scopes_supported": sorted(all_scopes()),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "service_documentation": f"{issuer}/developers",
    }


@get(
    "/.well-known/oauth-authorization-server",
    opt={"exclude_from_auth": True},
    include_in_schema=False,
    sync_to_thread=False,
)
def server_metadata(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return metadata(oauth_server(request).issuer)


async def admin_workspaces(session: AsyncSession, user: User) -> list[tuple[Tenant, frozenset[str]]]:
    rows = await session.execute(
        select(Tenant, enabled_modules_subquery(Tenant.id))
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Membership.user_id == user.id, Membership.role.in_([Role.ADMIN, Role.OWNER]))
        .order_by(Tenant.name)
    )
    return [(tenant, frozenset(modules or ())) for tenant, modules in rows.all()]


class OAuthController(Controller):
    path = "/oauth"
    include_in_schema = False

    # A page: HTML whatever the handler returns (a Template, or the redirect back to the app).
    @get("/authorize", name="oauth.authorize", media_type=MediaType.HTML)
    async def authorize_page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Any:
        return await self._authorize(request, db_session, decision=None)

    @post("/authorize", name="oauth.authorize.decide", media_type=MediaType.HTML)
    async def authorize_decide(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Any:
        form = await request.form()
        return await self._authorize(request, db_session, decision=form)

    async def _authorize(self, request: Request[Any, Any, Any], db_session: AsyncSession, decision: Any) -> Any:
        user = request.scope.get("user")
        if not isinstance(user, User):
            raise NotAuthorizedException("Sign in to continue.")
        server = oauth_server(request)
        store = OAuthStore(session=db_session)
        reset = use_store(store)
        try:
            oauth_req = await oauth_request(request, with_form=False)
            client_row = await store.load_client(oauth_req.payload.client_id)
            try:
                grant = server.get_consent_grant(oauth_req, end_user=user)
            except OAuth2Error as error:
                if getattr(error, "redirect_uri", None):
                    response = server.handle_error_response(oauth_req, error)
                    server.execute_hook("after_create_authorization_response", response)
                    return response.to_litestar()
                return render(
                    request,
                    "oauth/error.html",
                    {"error": error.error, "description": error.description},
                    status_code=400,
                )
            assert client_row is not None
            requested = (oauth_req.scope or "").split()
            workspaces = await admin_workspaces(db_session, user)
            back_to = grant.redirect_uri
            if decision is None:
                return consent_page(request, client_row, requested, workspaces, back_to)
            if decision.get("decision") != "approve":
                response = server.create_authorization_response(oauth_req, grant_user=None, grant=grant)
                return response.to_litestar()
            chosen = next(((t, m) for t, m in workspaces if t.slug == decision.get("workspace")), None)
            if chosen is None:
                return consent_page(
                    request,
                    client_row,
                    requested,
                    workspaces,
                    back_to,
                    error="Choose a workspace where you are an admin.",
                )
            tenant, modules = chosen
            granted = [s for s in requested if s in enabled_scopes(modules)]
            if not granted:
                return consent_page(
                    request,
                    client_row,
                    requested,
                    workspaces,
                    back_to,
                    error=f"None of the requested permissions is available in {tenant.name}: their modules are off.",
                )
            store.consent_installation = await install(db_session, client_row.id, tenant.id, user.id, granted)
            store.consent_scope = " ".join(granted)
            response = server.create_authorization_response(oauth_req, grant_user=user, grant=grant)
            await db_session.commit()  # the request session does not autocommit on redirects
            return response.to_litestar()
        finally:
            use_store_reset(reset)

    @post("/token", opt={"exclude_from_auth": True})
    async def token(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await _token_endpoint(request, "token")

    @post("/revoke", opt={"exclude_from_auth": True})
    async def revoke(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await _token_endpoint(request, "revocation")

    @post("/introspect", opt={"exclude_from_auth": True})
    async def introspect(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await _token_endpoint(request, "introspection")


def use_store_reset(token: Any) -> None:
    from nexo.platform.oauth.server import _current_store

    _current_store.reset(token)


async def _token_endpoint(request: Request[Any, Any, Any], endpoint: str) -> Response[Any]:
    server = oauth_server(request)
    oauth_req = await oauth_request(request, with_form=True)
    form = oauth_req.form
    async with session_maker(request)() as session:
        store = OAuthStore(session=session)
        reset = use_store(store)
        try:
            await store.load_client(form.get("client_id") or basic_client_id(request.headers.get("authorization")))
            if endpoint == "token":
                await store.load_code(form.get("code") if form.get("grant_type") == "authorization_code" else None)
                if form.get("grant_type") == "refresh_token":
                    await store.load_token(form.get("refresh_token"), lock=True)
                result: OAuthResponse = server.create_token_response(oauth_req)
            else:
                await store.load_token(form.get("token"), lock=endpoint == "revocation")
                result = server.create_endpoint_response(endpoint, oauth_req)
            await store.finish()
        finally:
            use_store_reset(reset)
    return result.to_litestar()


async def install(
    session: AsyncSession, client_pk: int, tenant_id: int, user_id: int, scopes: list[str]
) -> Installation:
    """Create or refresh the installation of an app in a workspace with the scopes just granted.

    Consent given again with fewer scopes narrows what the app holds at once: tokens carrying a scope no longer
    granted are revoked, and webhook subscriptions and queued deliveries for events it may no longer read stop."""
    installation = await session.scalar(
        select(Installation).where(Installation.client_pk == client_pk, Installation.tenant_id == tenant_id)
    )
    if installation is None:
        installation = Installation(client_pk=client_pk, tenant_id=tenant_id)
        session.add(installation)
    narrowed = installation.id is not None and not set(installation.scopes or ()) <= set(scopes)
    installation.scopes = sorted(scopes)
    installation.granted_by_user_id = user_id
    installation.revoked_at = None
    installation.updated_at = utcnow()
    await session.flush()
    if narrowed:
        await revoke_tokens_beyond(session, installation)
        await stop_deliveries(session, installation)
    return installation


async def revoke_tokens_beyond(session: AsyncSession, installation: Installation) -> None:
    """Revoke the installation's live tokens that carry a scope it no longer holds (API caches drop them)."""
    granted = set(installation.scopes)
    live = await session.scalars(
        select(OAuthToken).where(OAuthToken.installation_id == installation.id, OAuthToken.revoked_at.is_(None))
    )
    now = utcnow()
    for token in live:
        if not set(token.scope.split()) <= granted:
            token.revoked_at = now
    await session.flush()
    await notify_revocation(session)


def consent_page(
    request: Request[Any, Any, Any],
    client: Any,
    requested: list[str],
    workspaces: list[tuple[Tenant, frozenset[str]]],
    redirect_uri: str,
    error: str = "",
) -> Template:
    """The consent form. Allow and Deny are answered with a redirect to the app's (checked) ``redirect_uri``, so
    this page's CSP lets its form end there: browsers apply ``form-action`` to the redirect after a submission."""
    csp = request.app.state[CSP_STATE_KEY]
    origin = origin_of(redirect_uri)
    headers = {"content-security-policy": allow_form_action(csp, origin) if origin else csp}
    choices = [{"tenant": tenant, "groups": group_scopes(requested, modules)} for tenant, modules in workspaces]
    return render(
        request,
        "oauth/consent.html",
        {
            "client": client,
            "groups": group_scopes(requested),
            "workspaces": choices,
            "error": error,
            "action": request.url.path + "?" + request.url.query,
        },
        status_code=400 if error else 200,
        headers=headers,
    )
