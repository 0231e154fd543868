"""Authlib's authorization server, glued to Litestar and to async SQLAlchemy.

Authlib is synchronous: its grants call ``query_client``, ``query_authorization_code``, ``save_token`` and friends
as plain functions. Our storage is async. The glue therefore works in three steps per request:

1. ``OAuthStore.preload`` reads, asynchronously, every row the request can touch (the client, the code or refresh
   token named in the form, the private client's installation), locking codes and refresh tokens ``FOR UPDATE`` so
   two concurrent exchanges of the same code or refresh token serialize.
2. Authlib runs against that store: reads come from memory, writes are attribute changes and ``session.add``
   (no I/O), and the two security side effects that need bulk updates (revoke a token family after refresh-token
   reuse; revoke what a replayed code issued) are recorded.
3. ``OAuthStore.finish`` applies the recorded side effects and commits, also when Authlib answered with an error:
   a replayed code is refused *and* its tokens are revoked.
"""

from __future__ import annotations

import base64
import contextvars
import datetime
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Payload, OAuth2Request, TokenMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9207 import IssuerParameter
from litestar import Response
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.db.base import utcnow
from nexo.platform.modules.scopes import enabled_scopes
from nexo.platform.oauth.models import AuthorizationCode, ClientKind, Installation, OAuthClient, OAuthToken
from nexo.platform.oauth.secrets import ACCESS_PREFIX, CODE_PREFIX, REFRESH_PREFIX, digest, matches, new_secret
from nexo.tenants.models import Tenant
from nexo.tenants.module_state import enabled_module_keys

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_DAYS = 30
CODE_SECONDS = 60

_current_store: contextvars.ContextVar[OAuthStore] = contextvars.ContextVar("nexo_oauth_store")


# --- Litestar request / response wrappers -------------------------------------------------------------------


class LitestarPayload(OAuth2Payload):  # type: ignore[misc]
    """Query and form parameters of the request, read beforehand (Litestar reads bodies asynchronously)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class LitestarOAuth2Request(OAuth2Request):  # type: ignore[misc]
    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        query: list[tuple[str, str]],
        form: list[tuple[str, str]],
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self._args = dict(query)
        self._form = dict(form)
        self.payload = LitestarPayload([*query, *form])

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass
class OAuthResponse:
    """What Authlib answers; turned into a Litestar response by ``to_litestar``."""

    status: int
    body: Any
    headers: list[tuple[str, str]]

    @property
    def location(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "location"), None)

    @location.setter
    def location(self, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != "location"] + [("Location", value)]

    def to_litestar(self) -> Response[Any]:
        headers = {k: v for k, v in self.headers}
        headers.setdefault("Cache-Control", "no-store")
        if self.location and self.status in (301, 302, 303):
            return Response(b"", status_code=302, headers=headers)
        return Response(
            self.body if self.body != "" else {},
            status_code=self.status,
            headers=headers,
            media_type="application/json",
        )


# --- Authlib model adapters ----------------------------------------------------------------------------------


class ClientAdapter(ClientMixin):  # type: ignore[misc]
    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the redirect URI is always explicit and matched exactly

    def get_allowed_scope(self, scope: str | None) -> str | None:
        registered = list(self.row.scopes)
        if not scope:
            return " ".join(registered)
        requested = scope_to_list(scope)
        if not set(requested) <= set(registered):
            return None  # asking for more than the app registered: invalid_scope
        return " ".join(dict.fromkeys(requested))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row.redirect_uris  # exact, character for character

    def check_client_secret(self, client_secret: str) -> bool:
        return matches(client_secret, self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return self.row.kind is ClientKind.PARTNER and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if self.row.kind is ClientKind.PRIVATE:
            return grant_type == "client_credentials"
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class CodeAdapter:
    row: AuthorizationCode

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


class TokenAdapter(TokenMixin):  # type: ignore[misc]
    def __init__(
        self,
        row: OAuthToken,
        client: OAuthClient,
        installation: Installation | None,
        tenant: Tenant | None,
        is_refresh: bool,
    ) -> None:
        self.row, self.client, self.installation, self.tenant, self.is_refresh = (
            row,
            client,
            installation,
            tenant,
            is_refresh,
        )

    def check_client(self, client: ClientAdapter) -> bool:
        return bool(client.row.id == self.row.client_pk)

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((self.row.access_expires_at - self.row.created_at).total_seconds())

    def is_expired(self) -> bool:
        now = utcnow()
        if self.is_refresh:
            return self.row.refresh_expires_at is None or self.row.refresh_expires_at <= now
        return self.row.access_expires_at <= now

    def is_revoked(self) -> bool:
        installation_off = self.installation is None or self.installation.revoked_at is not None
        used = self.is_refresh and self.row.refresh_used_at is not None
        return self.row.revoked_at is not None or installation_off or used or self.client.disabled_at is not None

    def get_user(self) -> int | None:
        return self.row.user_id

    def get_client(self) -> ClientAdapter:
        return ClientAdapter(self.client)


# --- The per-request store -----------------------------------------------------------------------------------


@dataclass
class OAuthStore:
    session: AsyncSession
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    tokens: dict[str, TokenAdapter] = field(default_factory=dict)  # by access or refresh hash
    installations: dict[int, Installation] = field(default_factory=dict)
    enabled_modules: dict[int, frozenset[str]] = field(default_factory=dict)  # tenant id → enabled module keys
    users: dict[int, User] = field(default_factory=dict)
    # consent: what the user approved, read by save_authorization_code
    consent_installation: Installation | None = None
    consent_scope: str = ""
    revoke_families: set[str] = field(default_factory=set)
    revoke_code_ids: set[int] = field(default_factory=set)
    revoked_anything: bool = False

    async def load_client(self, client_id: str | None) -> OAuthClient | None:
        if not client_id:
            return None
        row = await self.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        if row is not None and row.disabled_at is None:
            self.clients[client_id] = row
            if row.kind is ClientKind.PRIVATE and row.tenant_id is not None:
                installation = await self.session.scalar(
                    select(Installation).where(
                        Installation.client_pk == row.id, Installation.tenant_id == row.tenant_id
                    )
                )
                if installation is not None:
                    self.installations[installation.id] = installation
                    self.enabled_modules[row.tenant_id] = await enabled_module_keys(self.session, row.tenant_id)
        return row

    async def load_code(self, code: str | None) -> None:
        if not code:
            return
        row = await self.session.scalar(
            select(AuthorizationCode).where(AuthorizationCode.code_hash == digest(code)).with_for_update()
        )
        if row is not None:
            self.codes[digest(code)] = row
            self.users[row.user_id] = await self.session.get_one(User, row.user_id)

    async def load_token(self, value: str | None, *, lock: bool = False) -> None:
        if not value:
            return
        hashed = digest(value)
        statement = select(OAuthToken).where(or_(OAuthToken.access_hash == hashed, OAuthToken.refresh_hash == hashed))
        row = await self.session.scalar(statement.with_for_update() if lock else statement)
        if row is None:
            return
        client = await self.session.get_one(OAuthClient, row.client_pk)
        installation = await self.session.get(Installation, row.installation_id)
        tenant = await self.session.get(Tenant, installation.tenant_id) if installation else None
        if installation is not None:
            self.installations[installation.id] = installation
            self.enabled_modules[installation.tenant_id] = await enabled_module_keys(
                self.session, installation.tenant_id
            )
        if row.user_id is not None:
            user = await self.session.get(User, row.user_id)
            if user is not None:
                self.users[user.id] = user
        self.tokens[hashed] = TokenAdapter(row, client, installation, tenant, is_refresh=row.refresh_hash == hashed)

    async def finish(self) -> None:
        """Apply the recorded revocations and commit (also after an OAuth error response)."""
        now = utcnow()
        if self.revoke_families:
            await self.session.execute(
                update(OAuthToken)
                .where(OAuthToken.family.in_(self.revoke_families), OAuthToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        if self.revoke_code_ids:
            await self.session.execute(
                update(OAuthToken)
                .where(OAuthToken.authorization_code_id.in_(self.revoke_code_ids), OAuthToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        if self.revoke_families or self.revoke_code_ids or self.revoked_anything:
            from nexo.platform.api.auth import notify_revocation

            await notify_revocation(self.session)
        await self.session.commit()
        if self.revoke_families or self.revoke_code_ids or self.revoked_anything:
            from nexo.platform.api.auth import token_cache

            token_cache.clear()


def current_store() -> OAuthStore:
    return _current_store.get()


def use_store(store: OAuthStore) -> contextvars.Token[OAuthStore]:
    return _current_store.set(store)


# --- Grants --------------------------------------------------------------------------------------------------


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE is mandatory and only S256 is accepted: ``plain`` or a missing challenge is refused."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge' with 'code_challenge_method=S256'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only 'code_challenge_method=S256' is supported.")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: CodeAdapter) -> str:
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: CodeAdapter) -> str:
        return authorization_code.row.code_challenge_method


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def generate_authorization_code(self) -> str:
        return new_secret(CODE_PREFIX)

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        store = current_store()
        assert store.consent_installation is not None  # set by the consent handler before Authlib runs
        data = request.payload.data
        row = AuthorizationCode(
            code_hash=digest(code),
            client_pk=request.client.row.id,
            installation_id=store.consent_installation.id,
            user_id=request.user.id,
            redirect_uri=data["redirect_uri"],
            scope=store.consent_scope,
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            expires_at=utcnow() + datetime.timedelta(seconds=CODE_SECONDS),
        )
        store.session.add(row)

    def query_authorization_code(self, code: str, client: ClientAdapter) -> CodeAdapter | None:
        store = current_store()
        row = store.codes.get(digest(code))
        if row is None or row.client_pk != client.row.id:
            return None
        if row.used_at is not None:  # replay: refuse, and revoke everything the first exchange issued
            store.revoke_code_ids.add(row.id)
            return None
        if row.expires_at <= utcnow():
            return None
        return CodeAdapter(row)

    def delete_authorization_code(self, authorization_code: CodeAdapter) -> None:
        authorization_code.row.used_at = utcnow()

    def authenticate_user(self, authorization_code: CodeAdapter) -> User | None:
        return current_store().users.get(authorization_code.row.user_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: every refresh returns a new refresh token
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def authenticate_refresh_token(self, refresh_token: str) -> TokenAdapter | None:
        store = current_store()
        token = store.tokens.get(digest(refresh_token))
        if token is None or not token.is_refresh:
            return None
        if token.row.refresh_used_at is not None or token.row.revoked_at is not None:
            store.revoke_families.add(token.row.family)  # reuse: the whole family goes
            return None
        if token.is_expired() or token.is_revoked():
            return None
        return token

    def authenticate_user(self, refresh_token: TokenAdapter) -> User | None:
        user_id = refresh_token.row.user_id
        return current_store().users.get(user_id) if user_id is not None else None

    def revoke_old_credential(self, refresh_token: TokenAdapter) -> None:
        now = utcnow()
        refresh_token.row.refresh_used_at = now
        refresh_token.row.revoked_at = now
        current_store().revoked_anything = True


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        super().validate_token_request()
        client: ClientAdapter = self.request.client
        installation = private_installation(client.row)
        if installation is None:
            raise InvalidScopeError("This integration has no active installation.")
        modules = current_store().enabled_modules.get(client.row.tenant_id or 0, frozenset())
        allowed = set(installation.scopes) & enabled_scopes(modules)
        requested = scope_to_list(self.request.payload.scope) or sorted(allowed)
        if not set(requested) <= allowed:
            raise InvalidScopeError("A requested scope is not granted to this integration or its module is off.")
        self.request.scope = " ".join(requested)

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        token = self.generate_token(scope=self.request.scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


def private_installation(client: OAuthClient) -> Installation | None:
    store = current_store()
    for installation in store.installations.values():
        if installation.client_pk == client.id and installation.revoked_at is None:
            return installation
    return None


# --- Revocation and introspection ----------------------------------------------------------------------------


class TokenRevocationEndpoint(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenAdapter | None:
        return current_store().tokens.get(digest(token_string))

    def revoke_token(self, token: TokenAdapter, request: OAuth2Request) -> None:
        store = current_store()
        if token.is_refresh:
            store.revoke_families.add(token.row.family)  # a revoked refresh token takes its access tokens along
        token.row.revoked_at = token.row.revoked_at or utcnow()
        store.revoked_anything = True


class TokenIntrospectionEndpoint(IntrospectionEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenAdapter | None:
        return current_store().tokens.get(digest(token_string))

    def check_permission(self, token: TokenAdapter, client: ClientAdapter, request: OAuth2Request) -> bool:
        return token.check_client(client)  # a client introspects its own tokens only

    def introspect_token(self, token: TokenAdapter) -> dict[str, Any]:
        installation = token.installation
        tenant = token.tenant
        granted = scope_to_list(token.row.scope)
        usable = (
            enabled_scopes(current_store().enabled_modules.get(installation.tenant_id, frozenset()))
            if installation
            else set()
        )
        expires = token.row.refresh_expires_at if token.is_refresh else token.row.access_expires_at
        return {
            "active": True,
            "scope": " ".join(s for s in granted if s in usable),
            "client_id": token.client.client_id,
            "token_type": "refresh_token" if token.is_refresh else "Bearer",
            "exp": int(expires.timestamp()) if expires else None,
            "iat": int(token.row.created_at.timestamp()),
            "sub": str(token.row.user_id) if token.row.user_id else f"client:{token.client.client_id}",
            "iss": self.server.issuer,
            "tenant": tenant.slug if tenant else None,
            "installation_id": token.row.installation_id,
        }


# --- The server ----------------------------------------------------------------------------------------------


class NexoIssuer(IssuerParameter):  # type: ignore[misc]
    """RFC 9207: ``iss`` in authorization responses, the issuer of the server it is registered on."""

    def __init__(self, issuer: str) -> None:
        super().__init__()
        self.issuer = issuer

    def get_issuer(self) -> str:
        return self.issuer


class NexoAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """One per issuer (``NEXO_BASE_URL``); the issuer is per instance, so two apps in a process never mix them."""

    def __init__(self, issuer: str) -> None:
        super().__init__(scopes_supported=None)
        self.issuer = issuer.rstrip("/")
        self.register_token_generator("default", self.generate_bearer_token)
        self.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(RefreshTokenGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(TokenRevocationEndpoint)
        self.register_endpoint(TokenIntrospectionEndpoint)
        self.register_extension(NexoIssuer(self.issuer))

    def query_client(self, client_id: str) -> ClientAdapter | None:
        row = current_store().clients.get(client_id)
        return ClientAdapter(row) if row is not None else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        store = current_store()
        client: ClientAdapter = request.client
        family = uuid.uuid4().hex
        code_id: int | None = None
        if request.authorization_code is not None:
            installation_id = request.authorization_code.row.installation_id
            code_id = request.authorization_code.row.id
        elif request.refresh_token is not None:
            installation_id = request.refresh_token.row.installation_id
            family = request.refresh_token.row.family
            code_id = request.refresh_token.row.authorization_code_id
        else:
            installation = private_installation(client.row)
            assert installation is not None
            installation_id = installation.id
        now = utcnow()
        refresh = token.get("refresh_token")
        store.session.add(
            OAuthToken(
                access_hash=digest(token["access_token"]),
                refresh_hash=digest(refresh) if refresh else None,
                client_pk=client.row.id,
                installation_id=installation_id,
                user_id=request.user.id if isinstance(request.user, User) else None,
                authorization_code_id=code_id,
                family=family,
                scope=token.get("scope", ""),
                access_expires_at=now + datetime.timedelta(seconds=ACCESS_TOKEN_SECONDS),
                refresh_expires_at=now + datetime.timedelta(days=REFRESH_TOKEN_DAYS) if refresh else None,
            )
        )

    @staticmethod
    def generate_bearer_token(
        grant_type: str,
        client: ClientAdapter,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": new_secret(ACCESS_PREFIX),
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": scope or "",
        }
        if include_refresh_token:
            token["refresh_token"] = new_secret(REFRESH_PREFIX)
        return token

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        raise TypeError("build a LitestarOAuth2Request first (see nexo.platform.oauth.endpoints)")

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> OAuthResponse:
        return OAuthResponse(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None


def basic_client_id(authorization: str | None) -> str | None:
    """The client id of an HTTP Basic ``Authorization`` header (to preload the client)."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization.split(" ", 1)[1]).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return unquote(decoded.partition(":")[0]) or None
