"""Map Nexo's fixed top-level folders into the single import package ``nexo``.

``platform/`` has no ``__init__.py`` at its root so that it never shadows Python's own
``platform`` module; it becomes ``nexo.platform`` only through this mapping.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

ROOT_FOLDERS = ("platform", "tenants", "modules", "billing", "templates", "tests")
HERE = Path(__file__).parent


def discover() -> tuple[list[str], dict[str, str]]:
    packages: list[str] = []
    package_dir: dict[str, str] = {}
    for folder in ROOT_FOLDERS:
        package_dir[f"nexo.{folder}"] = folder
        packages.append(f"nexo.{folder}")
        for sub in find_namespace_packages(where=folder, exclude=["node_modules*", "*.__pycache__"]):
            packages.append(f"nexo.{folder}.{sub}")
    return packages, package_dir


packages, package_dir = discover()
setup(
    packages=packages,
    package_dir=package_dir,
    package_data={"": ["*.html", "*.ini", "*.mako", "*.css", "*.js", "*.json", "*.txt"]},
    include_package_data=True,
)
