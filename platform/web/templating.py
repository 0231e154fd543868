"""Jinja2 configuration and the values every template can use."""

from __future__ import annotations

from dataclasses import dataclass
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
        "workspace_navigation_groups": workspace_navigation_groups,
    }


def workspace_navigation(request: Any) -> list[Any]:
    """Navigation of the current workspace: entries of its enabled modules, then Settings for owners and admins.

    A switched-off module leaves the navigation (its pages answer 403 anyway).
    """
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
        entries.append(NavEntry("Settings", "settings/modules"))
    return entries


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str  # relative to the workspace root
    current: bool


@dataclass(frozen=True)
class NavGroup:
    """One module's entries under its name; ``current`` when the page shown is one of them."""

    label: str
    links: tuple[NavLink, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def workspace_navigation_groups(request: Any) -> list[NavGroup]:
    """The workspace navigation grouped by module (a flat list of 23 links helps nobody), the current place marked.

    The current entry is the one whose path is the longest prefix of the page's path, so a detail page
    (``erp/accounting/invoices/7``) lights up its list (``Invoices``); every settings page lights up Settings.
    """
    from nexo.platform.modules.registry import get_registry

    context = getattr(request.state, "tenant_context", None) if request is not None else None
    if context is None:
        return []
    here = _workspace_relative_path(request.url.path, context.slug)
    entries = [
        (manifest.name, entry.label, entry.path, entry.path)
        for manifest in get_registry()
        if manifest.key in context.modules
        for entry in manifest.navigation
    ]
    if context.is_admin:
        entries.append(("Settings", "Settings", "settings/modules", "settings"))
    current = _longest_prefix(here, [prefix for *_, prefix in entries])
    groups: dict[str, list[NavLink]] = {}
    for group, label, path, prefix in entries:
        groups.setdefault(group, []).append(NavLink(label, path, prefix.strip("/") == current))
    return [NavGroup(label, tuple(links)) for label, links in groups.items()]


def _workspace_relative_path(path: str, slug: str) -> str:
    root = f"/w/{slug}/"
    return path[len(root) :].strip("/") if path.startswith(root) else ""


def _longest_prefix(here: str, prefixes: list[str]) -> str | None:
    matches = [p.strip("/") for p in prefixes if here == p.strip("/") or here.startswith(p.strip("/") + "/")]
    return max(matches, key=len) if matches else None
