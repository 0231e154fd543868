"""Jinja2 configuration and the values every template can use."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from nexo.platform.i18n import jinja as i18n_jinja
from nexo.platform.settings import REPO_ROOT, Settings

TEMPLATES_DIR = REPO_ROOT / "templates"


def template_config(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        auto_reload=settings.app.is_development,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n_jinja.install(environment)
    environment.globals.update(_globals(settings))
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))


def _globals(settings: Settings) -> dict[str, Any]:
    return {
        "app_name": "Nexo",
        "billing_enabled": settings.billing.provider != "off",
        "stripe_js_url": settings.billing.stripe_js_url,
        "workspace_navigation": workspace_navigation,
    }


def workspace_navigation(request: Any) -> list[Any]:
    """Navigation of the current workspace: entries of its enabled modules, then Settings for owners and admins.

    A switched-off module leaves the navigation (its pages answer 403 anyway).
    """
    from nexo.platform.i18n.catalog import N_
    from nexo.platform.modules.manifest import NavEntry
    from nexo.platform.modules.registry import get_registry

    context = getattr(request.state, "tenant_context", None) if request is not None else None
    if context is None:
        return []
    enabled = context.modules
    entries: list[Any] = [
        entry for manifest in get_registry() if manifest.key in enabled for entry in manifest.navigation
    ]
    if context.is_admin:
        entries.append(NavEntry(N_("Settings"), "settings/modules"))
    return entries
