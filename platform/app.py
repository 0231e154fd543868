"""The application factory."""

from __future__ import annotations

from litestar import Litestar

from nexo.platform.composition import register_models
from nexo.platform.core import CorePlugin
from nexo.platform.modules.registry import get_registry
from nexo.platform.settings import Settings, get_settings
from nexo.platform.web.assets import check_assets


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    register_models()
    get_registry()  # a broken manifest stops start-up here, with its message
    check_assets()
    return Litestar(plugins=[CorePlugin(settings)], debug=False)
