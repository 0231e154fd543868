"""Discover, validate and freeze the module manifests."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from nexo.platform.modules.manifest import Manifest

MODULES_PACKAGE = "nexo.modules"


class ManifestError(RuntimeError):
    """A manifest is inconsistent (unknown dependency, cycle, duplicate key); start-up stops."""


@dataclass(frozen=True)
class ModuleRegistry:
    modules: Mapping[str, Manifest]
    order: tuple[str, ...]  # dependencies before dependents

    def __iter__(self) -> Iterator[Manifest]:
        return (self.modules[key] for key in self.order)

    def __contains__(self, key: object) -> bool:
        return key in self.modules

    def get(self, key: str) -> Manifest:
        try:
            return self.modules[key]
        except KeyError:
            raise KeyError(f"unknown module {key!r}") from None

    def always_on(self) -> list[Manifest]:
        return [m for m in self if m.always_on]

    def dependencies_closure(self, key: str) -> list[str]:
        """``key`` and everything it needs, dependencies first."""
        needed: set[str] = set()
        stack = [key]
        while stack:
            current = stack.pop()
            if current in needed:
                continue
            needed.add(current)
            stack.extend(self.get(current).dependencies)
        return [k for k in self.order if k in needed]

    def dependents(self, key: str) -> list[str]:
        """Modules that need ``key`` directly or indirectly."""
        return [k for k in self.order if k != key and key in self.dependencies_closure(k)]

    def import_models(self) -> None:
        for manifest in self:
            importlib.import_module(manifest.models)


def discover_manifests(package: str = MODULES_PACKAGE) -> list[Manifest]:
    """Import ``<package>.**.manifest`` modules and collect their ``MANIFEST``."""
    found: list[Manifest] = []
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if info.name.rsplit(".", 1)[-1] != "manifest":
            continue
        manifest = getattr(importlib.import_module(info.name), "MANIFEST", None)
        if isinstance(manifest, Manifest):
            found.append(manifest)
    return found


def build_registry(manifests: list[Manifest]) -> ModuleRegistry:
    by_key: dict[str, Manifest] = {}
    for manifest in manifests:
        if manifest.key in by_key:
            raise ManifestError(f"two modules declare the key {manifest.key!r}")
        by_key[manifest.key] = manifest
    for manifest in manifests:
        for dep in manifest.dependencies:
            if dep not in by_key:
                raise ManifestError(f"module {manifest.key!r} depends on unknown module {dep!r}")
    return ModuleRegistry(modules=MappingProxyType(by_key), order=tuple(_topological_order(by_key)))


def _topological_order(by_key: Mapping[str, Manifest]) -> list[str]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(key: str, path: list[str]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            cycle = " -> ".join([*path[path.index(key) :], key])
            raise ManifestError(f"module dependency cycle: {cycle}")
        state[key] = "visiting"
        for dep in by_key[key].dependencies:
            visit(dep, [*path, key])
        state[key] = "done"
        order.append(key)

    for key in sorted(by_key):
        visit(key, [])
    return order


@lru_cache(maxsize=1)
def get_registry() -> ModuleRegistry:
    """The registry, built once per process and frozen; its models are imported so metadata is complete."""
    registry = build_registry(discover_manifests())
    registry.import_models()
    return registry
