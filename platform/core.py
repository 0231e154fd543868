"""The core plugin: wires every controller, middleware and plugin of Nexo into the Litestar app."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore
from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins import InitPluginProtocol
from litestar.plugins.htmx import HTMXPlugin
from litestar.router import Router
from litestar.stores.registry import StoreRegistry
from litestar.types import ControllerRouterHandler

from nexo.billing.guard import billing_notice_guard
from nexo.billing.hooks import install as install_billing
from nexo.billing.pages import BillingPages
from nexo.billing.provider import stripe_js_origin
from nexo.billing.webhooks import stripe_webhook
from nexo.modules.directory.home import WorkspaceHomeController
from nexo.platform.accounts.auth import SessionUserMiddleware, login_required
from nexo.platform.accounts.models import KeyValueEntry
from nexo.platform.accounts.pages import LoginController, PasswordResetController
from nexo.platform.accounts.sessions import DatabaseSessionConfig
from nexo.platform.api.auth import api_guard, notify_on_module_switch, token_cache_listener
from nexo.platform.api.base import api_router
from nexo.platform.api.openapi import openapi_components
from nexo.platform.db.engine import create_engine
from nexo.platform.health import healthz, readyz
from nexo.platform.jobs.runtime import open_jobs
from nexo.platform.logging import RequestContextMiddleware, configure_logging
from nexo.platform.metrics import metrics, observe_pool_after_response, request_metrics_middleware
from nexo.platform.modules.registry import get_registry
from nexo.platform.oauth.endpoints import OAuthController, server_metadata
from nexo.platform.oauth.pages import DeveloperPortal, InstalledAppsPages, IntegrationsPages
from nexo.platform.settings import Settings
from nexo.platform.tenancy.context import provide_tenant
from nexo.platform.web.assets import static_routers
from nexo.platform.web.errors import ExceptionsAsResponsesMiddleware, http_exception_handler, internal_error_handler
from nexo.platform.web.security import CSP_STATE_KEY, SecurityHeadersMiddleware, content_security_policy
from nexo.platform.web.templating import template_config
from nexo.platform.webhooks.api import WebhooksApi
from nexo.tenants.admin.routes import ADMIN_ROOT_HANDLERS, ADMIN_WORKSPACE_HANDLERS
from nexo.tenants.module_state import MODULE_SWITCH_HOOKS
from nexo.tenants.pages import SignupController, WorkspacesController, root
from nexo.tenants.resolution import workspace_guard

# Regular expressions searched in the path: anchored, so a page path that merely contains "/api/" is still protected.
CSRF_EXEMPT = [r"^/api/", r"^/oauth/(token|revoke|introspect)$", r"^/billing/webhooks/"]

# Route handlers outside any workspace (public pages, account pages, the developer portal, ...).
ROOT_HANDLERS: list[ControllerRouterHandler] = [
    root,
    healthz,
    readyz,
    metrics,
    LoginController,
    SignupController,
    WorkspacesController,
    PasswordResetController,
    OAuthController,
    server_metadata,
    DeveloperPortal,
    stripe_webhook,
    *ADMIN_ROOT_HANDLERS,
]
# Core workspace pages mounted under /w/{workspace} (members, settings, modules, audit log, billing, ...).
WORKSPACE_HANDLERS: list[ControllerRouterHandler] = [
    WorkspaceHomeController,
    InstalledAppsPages,
    IntegrationsPages,
    BillingPages,
    *ADMIN_WORKSPACE_HANDLERS,
]
# Platform API controllers mounted under /api/v1 (module API controllers come from manifests).
API_HANDLERS: list[ControllerRouterHandler] = [WebhooksApi]


def _import(dotted: str) -> Any:
    module_name, _, attribute = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def module_page_handlers() -> list[ControllerRouterHandler]:
    """Each module's page controllers, tagged ``opt["module"]`` so the workspace guard refuses them while it is off."""
    handlers: list[ControllerRouterHandler] = []
    for manifest in get_registry():
        for path in manifest.controllers:
            controller = _import(path)
            if not manifest.always_on:
                controller.opt = {**(getattr(controller, "opt", None) or {}), "module": manifest.key}
            handlers.append(controller)
    return handlers


def load_module_integrations() -> None:
    """Import each module's integrations: they register with other modules' seams (see ``Manifest.integrations``)."""
    for manifest in get_registry():
        for module_name in manifest.integrations:
            importlib.import_module(module_name)


def module_api_handlers() -> list[ControllerRouterHandler]:
    """Each module's API controllers, tagged with the module (its guard refuses them while the module is off)."""
    handlers: list[ControllerRouterHandler] = []
    for manifest in get_registry():
        for path in manifest.api_controllers:
            controller = _import(path)
            if not manifest.always_on:
                existing = getattr(controller, "opt", None)
                controller.opt = {**(existing if isinstance(existing, dict) else {}), "module": manifest.key}
            handlers.append(controller)
    return handlers


def workspace_router() -> Router:
    return Router(
        path="/w/{workspace:str}",
        route_handlers=[*WORKSPACE_HANDLERS, *module_page_handlers()],
        guards=[workspace_guard, billing_notice_guard],
        include_in_schema=False,
        dependencies={"tenant": Provide(provide_tenant, sync_to_thread=False)},
    )


def rate_limit_middleware(name: str, path: str, per_minute: int) -> DefineMiddleware:
    def applies(request: Any) -> bool:
        return bool(request.method == "POST" and request.url.path.rstrip("/") == path)

    config = RateLimitConfig(
        rate_limit=("minute", per_minute),
        check_throttle_handler=applies,
        store=f"rate_limit_{name}",
        exclude=["/static"],
    )
    return config.middleware


@asynccontextmanager
async def job_queue_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the job queue so handlers can defer jobs (``await task.defer_async(...)``)."""
    async with open_jobs(app.state["nexo_settings"]):
        yield


class CorePlugin(InitPluginProtocol):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings
        configure_logging(settings)
        install_billing(settings)
        if notify_on_module_switch not in MODULE_SWITCH_HOOKS:  # a switch changes what every access token may call
            MODULE_SWITCH_HOOKS.append(notify_on_module_switch)
        stripe_origin = (stripe_js_origin(settings.billing),) if settings.billing.provider == "stripe" else ()
        engine = create_engine(settings)
        alchemy = SQLAlchemyAsyncConfig(
            engine_instance=engine,
            session_dependency_key="db_session",
            session_config=AsyncSessionConfig(expire_on_commit=False),
            # Commit on 2xx and 3xx, roll back otherwise. The string form makes advanced-alchemy bind the handler to
            # this config's own session scope key (unique per app), so a second app in one process closes its sessions.
            before_send_handler="autocommit_include_redirects",
            create_all=False,
        )
        csp = content_security_policy(stripe_origin, stripe_origin)
        app_config.state.update(
            {"nexo_settings": settings, "nexo_alchemy_config": alchemy, "nexo_engine": engine, CSP_STATE_KEY: csp}
        )
        app_config.plugins.extend([SQLAlchemyPlugin(config=alchemy), HTMXPlugin()])
        load_module_integrations()
        pages = Router(path="/", route_handlers=ROOT_HANDLERS, include_in_schema=False)  # the API schema lists the API
        app_config.route_handlers.extend(
            [
                pages,
                workspace_router(),
                *static_routers(),
                api_router([*API_HANDLERS, *module_api_handlers()], guards=[api_guard]),
            ]
        )
        app_config.template_config = template_config(settings)
        app_config.csrf_config = CSRFConfig(
            secret=settings.app.secret_key,
            cookie_name="nexo_csrf",
            header_name="x-csrftoken",
            cookie_secure=settings.app.cookie_secure,
            cookie_samesite="lax",
            cookie_httponly=True,  # pages send the token from the meta tag / form field; scripts never read the cookie
            exclude=CSRF_EXEMPT,
        )
        app_config.stores = StoreRegistry(
            default_factory=lambda name: SQLAlchemyStore(alchemy, model=KeyValueEntry, namespace=name)
        )
        session_config = DatabaseSessionConfig(
            alchemy_config=alchemy,
            key="nexo_session",
            max_age=settings.security.session_max_age_seconds,
            httponly=True,
            secure=settings.app.cookie_secure,
            samesite="lax",
            renew_on_access=True,
        )
        app_config.middleware[:0] = [
            RequestContextMiddleware(),
            request_metrics_middleware(),
            SecurityHeadersMiddleware(csp, hsts=settings.app.cookie_secure),
            ExceptionsAsResponsesMiddleware(),
            rate_limit_middleware("login", "/login", settings.security.login_rate_per_minute),
            rate_limit_middleware("signup", "/signup", settings.security.signup_rate_per_minute),
            rate_limit_middleware("forgot", "/password/forgot", settings.security.login_rate_per_minute),
            session_config.middleware,
            DefineMiddleware(
                SessionUserMiddleware, exclude=["/static", "/healthz"], exclude_from_auth_key="nexo_no_user_loading"
            ),
        ]
        app_config.guards.append(login_required)
        app_config.exception_handlers.update({HTTPException: http_exception_handler, Exception: internal_error_handler})
        app_config.openapi_config = OpenAPIConfig(
            title="Nexo API", version="1.0.0", path="/api/schema", **openapi_components(settings)
        )
        app_config.lifespan.extend([job_queue_lifespan, token_cache_listener])
        app_config.after_response = observe_pool_after_response
        app_config.on_shutdown.append(engine.dispose)
        return app_config
