"""API scopes come from module manifests (``crm.read``, ``directory.write``, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nexo.platform.modules.manifest import Manifest, Scope
from nexo.platform.modules.registry import get_registry


def all_scopes() -> dict[str, tuple[Manifest, Scope]]:
    return {scope.name: (manifest, scope) for manifest in get_registry() for scope in manifest.scopes}


def scope_module(scope: str) -> str | None:
    found = all_scopes().get(scope)
    return found[0].key if found else None


def enabled_scopes(module_keys: Iterable[str]) -> set[str]:
    """The scopes usable while exactly ``module_keys`` are on (always-on modules always count)."""
    keys = set(module_keys)
    return {
        scope.name
        for manifest in get_registry()
        if manifest.always_on or manifest.key in keys
        for scope in manifest.scopes
    }


@dataclass(frozen=True)
class ScopeGroup:
    module_key: str
    module_name: str
    scopes: tuple[Scope, ...]
    enabled: bool


def group_scopes(names: Iterable[str], module_keys: Iterable[str] = ()) -> list[ScopeGroup]:
    """Scopes grouped by module in registry order, for the consent screen and admin pages."""
    wanted = set(names)
    usable = enabled_scopes(module_keys)
    groups = []
    for manifest in get_registry():
        scopes = tuple(s for s in manifest.scopes if s.name in wanted)
        if scopes:
            enabled = all(s.name in usable for s in scopes)
            groups.append(ScopeGroup(manifest.key, manifest.name, scopes, enabled))
    return groups
