"""Pages: the developer portal (any signed-in user), installed apps and private integrations (tenant admins)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.api.auth import notify_revocation
from nexo.platform.db.base import utcnow
from nexo.platform.modules.scopes import all_scopes, enabled_scopes, group_scopes
from nexo.platform.oauth.models import ClientKind, Installation, OAuthClient, OAuthToken
from nexo.platform.oauth.secrets import SECRET_PREFIX, digest, new_secret
from nexo.platform.tenancy.context import Role, TenantContext, require_role
from nexo.platform.web.rendering import render
from nexo.platform.webhooks.access import stop_deliveries
from nexo.platform.webhooks.api import redeliver
from nexo.platform.webhooks.models import WebhookDelivery
from nexo.tenants.audit import record
from nexo.tenants.models import Tenant

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def new_client_id() -> str:
    return "nxo_" + secrets.token_hex(12)


def redirect_uri_problem(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        return f"{uri}: a redirect URI cannot have a #fragment."
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return None
    return f"{uri}: use https (plain http only for 127.0.0.1 or localhost)."


async def form_lists(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for key, value in (await request.form()).multi_items():
        lists.setdefault(key, []).append(str(value))
    return lists


def app_errors(name: str, uris: list[str], scopes: list[str], homepage: str, *, need_uris: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name or len(name) > 120:
        errors["name"] = "Enter a name of at most 120 characters."
    if need_uris:
        if not uris:
            errors["redirect_uris"] = "Enter at least one redirect URI, one per line."
        problems = [p for p in (redirect_uri_problem(u) for u in uris) if p]
        if problems:
            errors["redirect_uris"] = " ".join(problems)
    unknown = [s for s in scopes if s not in all_scopes()]
    if not scopes or unknown:
        errors["scopes"] = "Choose at least one permission." if not scopes else f"Unknown scopes: {', '.join(unknown)}"
    if homepage:
        parts = urlsplit(homepage)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(homepage) > 300:
            errors["homepage"] = "Enter a full http(s) address."
    return errors


def current_user(request: Request[Any, Any, Any]) -> User:
    user = request.scope.get("user")
    assert isinstance(user, User)  # the login guard ran
    return user


class DeveloperPortal(Controller):
    path = "/developers"
    include_in_schema = False

    @get("/", name="developers")
    async def index(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        apps = await db_session.scalars(
            select(OAuthClient)
            .where(OAuthClient.owner_user_id == current_user(request).id, OAuthClient.kind == ClientKind.PARTNER)
            .order_by(OAuthClient.name)
        )
        return render(request, "developers/index.html", {"apps": list(apps)})

    @get("/apps/new", name="developers.new")
    async def new_app(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "developers/app_form.html", {"data": {}, "errors": {}, "scopes": all_scopes()})

    @post("/apps/new", name="developers.create")
    async def create_app(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        form = await form_lists(request)
        name = (form.get("name") or [""])[0].strip()
        homepage = (form.get("homepage") or [""])[0].strip()
        uris = [u.strip() for u in (form.get("redirect_uris") or [""])[0].splitlines() if u.strip()]
        scopes = sorted(set(form.get("scopes", [])))
        errors = app_errors(name, uris, scopes, homepage, need_uris=True)
        if errors:
            data = {"name": name, "homepage": homepage, "redirect_uris": "\n".join(uris), "scopes": scopes}
            return render(
                request,
                "developers/app_form.html",
                {"data": data, "errors": errors, "scopes": all_scopes()},
                status_code=400,
            )
        secret = new_secret(SECRET_PREFIX)
        app = OAuthClient(
            client_id=new_client_id(),
            secret_hash=digest(secret),
            name=name,
            homepage=homepage or None,
            redirect_uris=uris,
            scopes=scopes,
            kind=ClientKind.PARTNER,
            owner_user_id=current_user(request).id,
        )
        db_session.add(app)
        await db_session.flush()
        return await self._detail(request, db_session, app, secret=secret, status_code=201)

    @get("/apps/{app_id:int}", name="developers.app")
    async def app_detail(self, request: Request[Any, Any, Any], db_session: AsyncSession, app_id: int) -> Template:
        return await self._detail(request, db_session, await self._own_app(request, db_session, app_id))

    @post("/apps/{app_id:int}/rotate-secret", name="developers.rotate")
    async def rotate_secret(self, request: Request[Any, Any, Any], db_session: AsyncSession, app_id: int) -> Template:
        app = await self._own_app(request, db_session, app_id)
        secret = new_secret(SECRET_PREFIX)
        app.secret_hash, app.secret_rotated_at = digest(secret), utcnow()
        await db_session.flush()
        return await self._detail(request, db_session, app, secret=secret)

    @post("/apps/{app_id:int}/deliveries/{delivery_id:int}/redeliver", name="developers.redeliver")
    async def redeliver(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, app_id: int, delivery_id: int
    ) -> Redirect:
        app = await self._own_app(request, db_session, app_id)
        delivery = await db_session.get(WebhookDelivery, delivery_id)
        installation = await db_session.get(Installation, delivery.installation_id) if delivery else None
        if delivery is None or installation is None or installation.client_pk != app.id:
            raise NotFoundException("No such delivery for this app.")
        await redeliver(db_session, delivery)
        await db_session.commit()  # the request session does not autocommit on redirects
        return Redirect(f"/developers/apps/{app.id}", status_code=303)

    async def _own_app(self, request: Request[Any, Any, Any], session: AsyncSession, app_id: int) -> OAuthClient:
        app = await session.get(OAuthClient, app_id)
        if app is None or app.owner_user_id != current_user(request).id or app.kind is not ClientKind.PARTNER:
            raise NotFoundException("No such app.")
        return app

    async def _detail(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        app: OAuthClient,
        *,
        secret: str | None = None,
        status_code: int = 200,
    ) -> Template:
        installs = (
            await session.execute(
                select(Installation, Tenant.name)
                .join(Tenant, Tenant.id == Installation.tenant_id)
                .where(Installation.client_pk == app.id)
                .order_by(Installation.id)
            )
        ).all()
        ids = [i.id for i, _ in installs]
        deliveries = (
            list(
                await session.scalars(
                    select(WebhookDelivery)
                    .where(WebhookDelivery.installation_id.in_(ids))
                    .order_by(WebhookDelivery.id.desc())
                    .limit(50)
                )
            )
            if ids
            else []
        )
        return render(
            request,
            "developers/app_detail.html",
            {
                "app": app,
                "secret": secret,
                "installs": installs,
                "deliveries": deliveries,
                "groups": group_scopes(app.scopes),
            },
            status_code=status_code,
        )


async def revoke_installation(session: AsyncSession, installation: Installation) -> None:
    """Stop an installation, every token it holds and every webhook it would receive, at once (API caches drop the
    tokens on commit; deliveries already queued are marked failed and the worker refuses them anyway)."""
    now = utcnow()
    installation.revoked_at = now
    await session.execute(
        update(OAuthToken)
        .where(OAuthToken.installation_id == installation.id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await stop_deliveries(session, installation)
    await notify_revocation(session)


class InstalledAppsPages(Controller):
    path = "/settings/apps"
    opt = require_role(Role.ADMIN)
    include_in_schema = False

    @get("/", name="settings.apps")
    async def installed(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        rows = (
            await db_session.execute(
                select(Installation, OAuthClient)
                .join(OAuthClient, OAuthClient.id == Installation.client_pk)
                .where(Installation.tenant_id == tenant.tenant_id)
                .order_by(OAuthClient.name)
            )
        ).all()
        apps = [{"installation": i, "client": c, "groups": group_scopes(i.scopes, tenant.modules)} for i, c in rows]
        deliveries = list(
            await db_session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.tenant_id == tenant.tenant_id)
                .order_by(WebhookDelivery.id.desc())
                .limit(50)
            )
        )
        names = {i.id: c.name for i, c in rows}
        return render(request, "oauth/installed_apps.html", {"apps": apps, "deliveries": deliveries, "names": names})

    @post("/{installation_id:int}/revoke", name="settings.apps.revoke")
    async def revoke(self, tenant: TenantContext, db_session: AsyncSession, installation_id: int) -> Redirect:
        installation = await db_session.get(Installation, installation_id)
        if installation is None or installation.tenant_id != tenant.tenant_id:
            raise NotFoundException("No such app in this workspace.")
        client = await db_session.get_one(OAuthClient, installation.client_pk)
        await revoke_installation(db_session, installation)
        await record(db_session, "oauth.app.revoked", target=client.name, **tenant.actor)
        await db_session.commit()  # the request session does not autocommit on redirects
        return Redirect(f"/w/{tenant.slug}/settings/apps", status_code=303)

    @post("/deliveries/{delivery_id:int}/redeliver", name="settings.apps.redeliver")
    async def redeliver(self, tenant: TenantContext, db_session: AsyncSession, delivery_id: int) -> Redirect:
        delivery = await db_session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.tenant_id != tenant.tenant_id:
            raise NotFoundException("No such delivery in this workspace.")
        await redeliver(db_session, delivery)
        await db_session.commit()
        return Redirect(f"/w/{tenant.slug}/settings/apps", status_code=303)


class IntegrationsPages(Controller):
    """A workspace's own integrations: client-credentials apps bound to this workspace."""

    path = "/settings/integrations"
    opt = require_role(Role.ADMIN)
    include_in_schema = False

    @get("/", name="settings.integrations")
    async def index(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        return await self._page(request, tenant, db_session)

    @post("/", name="settings.integrations.create")
    async def create(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        form = await form_lists(request)
        name = (form.get("name") or [""])[0].strip()
        scopes = sorted(set(form.get("scopes", [])))
        errors = app_errors(name, [], scopes, "", need_uris=False)
        unusable = [s for s in scopes if s not in enabled_scopes(tenant.modules)]
        if unusable and "scopes" not in errors:
            errors["scopes"] = f"These modules are off in this workspace: {', '.join(unusable)}"
        if errors:
            return await self._page(
                request, tenant, db_session, errors=errors, data={"name": name, "scopes": scopes}, status_code=400
            )
        secret = new_secret(SECRET_PREFIX)
        client = OAuthClient(
            client_id=new_client_id(),
            secret_hash=digest(secret),
            name=name,
            redirect_uris=[],
            scopes=scopes,
            kind=ClientKind.PRIVATE,
            owner_user_id=tenant.user_id,
            tenant_id=tenant.tenant_id,
        )
        db_session.add(client)
        await db_session.flush()
        db_session.add(
            Installation(
                client_pk=client.id, tenant_id=tenant.tenant_id, scopes=scopes, granted_by_user_id=tenant.user_id
            )
        )
        await db_session.flush()
        await record(db_session, "oauth.integration.created", target=name, **tenant.actor)
        return await self._page(request, tenant, db_session, created=(client, secret), status_code=201)

    @post("/{client_pk:int}/rotate-secret", name="settings.integrations.rotate")
    async def rotate(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, client_pk: int
    ) -> Template:
        client = await db_session.get(OAuthClient, client_pk)
        if client is None or client.tenant_id != tenant.tenant_id or client.kind is not ClientKind.PRIVATE:
            raise NotFoundException("No such integration in this workspace.")
        secret = new_secret(SECRET_PREFIX)
        client.secret_hash, client.secret_rotated_at = digest(secret), utcnow()
        await db_session.flush()
        return await self._page(request, tenant, db_session, created=(client, secret))

    async def _page(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        session: AsyncSession,
        *,
        errors: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
        created: tuple[OAuthClient, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        clients = list(
            await session.scalars(
                select(OAuthClient)
                .where(OAuthClient.tenant_id == tenant.tenant_id, OAuthClient.kind == ClientKind.PRIVATE)
                .order_by(OAuthClient.name)
            )
        )
        usable = sorted(enabled_scopes(tenant.modules))
        scopes = {name: value for name, value in all_scopes().items() if name in usable}
        return render(
            request,
            "oauth/integrations.html",
            {"clients": clients, "errors": errors or {}, "data": data or {}, "scopes": scopes, "created": created},
            status_code=status_code,
        )
