"""Static files: Nexo's own CSS/JS and front-end packages installed from npm at pinned versions.

Only the distribution folders of the packages are served, never the whole ``node_modules``.
"""

from __future__ import annotations

from pathlib import Path

from litestar.router import Router
from litestar.static_files import create_static_files_router

WEB_DIR = Path(__file__).parent
NODE_MODULES = WEB_DIR / "node_modules"
OWN_STATIC = WEB_DIR / "static"

VENDOR_DIRS: dict[str, Path] = {
    "htmx": NODE_MODULES / "htmx.org" / "dist",
    "pico": NODE_MODULES / "@picocss" / "pico" / "css",
    "chartjs": NODE_MODULES / "chart.js" / "dist",
    "sortable": NODE_MODULES / "sortablejs",
}


class MissingAssetsError(RuntimeError):
    pass


def check_assets() -> None:
    missing = [name for name, path in VENDOR_DIRS.items() if not path.is_dir()]
    if missing:
        raise MissingAssetsError(
            f"front-end packages missing ({', '.join(missing)}): run `npm ci --prefix {WEB_DIR}` "
            "(the README's first command does it)"
        )


def static_routers() -> list[Router]:
    routers = [
        create_static_files_router(
            path="/static/app",
            directories=[OWN_STATIC],
            name="static",
            opt={"exclude_from_auth": True},
            include_in_schema=False,
            cache_control=None,
        )
    ]
    for name, folder in VENDOR_DIRS.items():
        routers.append(
            create_static_files_router(
                path=f"/static/vendor/{name}",
                directories=[folder],
                name=f"vendor_{name}",
                opt={"exclude_from_auth": True},
                include_in_schema=False,
            )
        )
    return routers
