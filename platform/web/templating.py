"""Jinja2 configuration and the values every template can use."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

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
    """Navigation entries of the modules shown in the current workspace."""
    from nexo.platform.modules.registry import get_registry

    return [entry for manifest in get_registry() for entry in manifest.navigation]
