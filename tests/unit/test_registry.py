"""The module registry: manifest errors stop start-up with a clear message; the registry is frozen; the switch
rules (dependencies first, refusing to disable a needed module) on registries built from test manifests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from nexo.platform.modules.manifest import Manifest
from nexo.platform.modules.registry import ManifestError, build_registry, get_registry
from nexo.tenants.module_switches import ModuleSwitchError, check_disable, check_purge, plan_enable


def manifest(key: str, *deps: str, always_on: bool = False, price: str = "0") -> Manifest:
    return Manifest(
        key=key,
        name=key.replace(".", " ").title(),
        description=f"The {key} module",
        models=f"tests.{key}",
        migrations=Path("/nonexistent"),
        dependencies=deps,
        always_on=always_on,
        monthly_price=Decimal(price),
    )


def erp_like() -> list[Manifest]:
    return [
        manifest("directory", always_on=True),
        manifest("erp.inventory", "directory"),
        manifest("erp.sales", "erp.inventory"),
        manifest("erp.accounting", "directory"),
        manifest("erp.invoicing", "erp.sales", "erp.accounting"),
        manifest("crm", "directory"),
    ]


def test_unknown_dependency_stops_with_the_names() -> None:
    with pytest.raises(ManifestError, match=r"'erp\.sales' depends on unknown module 'erp\.stock'"):
        build_registry([manifest("erp.sales", "erp.stock")])


def test_cycle_stops_with_the_cycle_spelled_out() -> None:
    with pytest.raises(ManifestError, match=r"cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)"):
        build_registry([manifest("a", "b"), manifest("b", "c"), manifest("c", "a")])


def test_self_dependency_is_a_cycle() -> None:
    with pytest.raises(ManifestError, match="cycle: a -> a"):
        build_registry([manifest("a", "a")])


def test_duplicate_key_stops() -> None:
    with pytest.raises(ManifestError, match="two modules declare the key 'crm'"):
        build_registry([manifest("crm"), manifest("crm")])


def test_order_puts_dependencies_first_and_registry_is_frozen() -> None:
    registry = build_registry(erp_like())
    order = list(registry.order)
    for m in registry:
        for dep in m.dependencies:
            assert order.index(dep) < order.index(m.key)
    with pytest.raises(TypeError):
        registry.modules["x"] = manifest("x")  # type: ignore[index]
    with pytest.raises(AttributeError):
        registry.order = ()  # type: ignore[misc]


def test_real_registry_builds_and_is_built_once() -> None:
    assert get_registry() is get_registry()
    assert "directory" in get_registry()
    assert get_registry().get("directory").always_on


def test_integrations_register_the_erp_with_the_crm_seams() -> None:
    from nexo.modules.crm.services import integrations, timeline
    from nexo.platform.core import load_module_integrations

    load_module_integrations()
    assert {"erp.sales", "erp.accounting"} <= {key for key, _ in timeline.MODULE_TIMELINE_SOURCES}
    erp_on = frozenset({"crm", "erp.inventory", "erp.sales", "erp.accounting"})
    assert integrations.quote_provider(erp_on) is not None and integrations.balance_provider(erp_on) is not None
    assert integrations.quote_provider(frozenset({"crm"})) is None


def test_enable_switches_dependencies_on_first_and_creates_only_missing_tables() -> None:
    registry = build_registry(erp_like())
    states = {"directory": True, "erp.accounting": False}  # accounting has tables but is off
    to_enable, to_create = plan_enable(registry, states, "erp.invoicing")
    assert to_enable == [
        k for k in registry.order if k in {"erp.inventory", "erp.sales", "erp.accounting", "erp.invoicing"}
    ]
    assert to_enable.index("erp.inventory") < to_enable.index("erp.sales") < to_enable.index("erp.invoicing")
    assert to_enable.index("erp.accounting") < to_enable.index("erp.invoicing")
    assert set(to_create) == {"erp.inventory", "erp.sales", "erp.invoicing"}  # accounting's tables exist


def test_enable_of_an_enabled_module_changes_nothing() -> None:
    registry = build_registry(erp_like())
    assert plan_enable(registry, {"directory": True, "crm": True}, "crm") == ([], [])


def test_enable_unknown_module_is_refused() -> None:
    with pytest.raises(ModuleSwitchError, match="no module called 'nope'"):
        plan_enable(build_registry(erp_like()), {}, "nope")


def test_disable_refused_while_an_enabled_module_needs_it_and_names_it() -> None:
    registry = build_registry(erp_like())
    states = {"directory": True, "erp.inventory": True, "erp.sales": True}
    with pytest.raises(ModuleSwitchError, match=r"Erp Inventory cannot be switched off while Erp Sales is on"):
        check_disable(registry, states, "erp.inventory")
    states["erp.sales"] = False  # a disabled dependent does not hold it
    check_disable(registry, states, "erp.inventory")


def test_disable_names_indirect_dependents_too() -> None:
    registry = build_registry(erp_like())
    states = {k: True for k in registry.order}
    with pytest.raises(ModuleSwitchError) as caught:
        check_disable(registry, states, "erp.inventory")
    assert "Erp Sales" in caught.value.message and "Erp Invoicing" in caught.value.message


def test_always_on_cannot_be_switched_off() -> None:
    with pytest.raises(ModuleSwitchError, match="part of every workspace"):
        check_disable(build_registry(erp_like()), {"directory": True}, "directory")


def test_purge_rules() -> None:
    registry = build_registry(erp_like())
    with pytest.raises(ModuleSwitchError, match="Switch Crm off"):
        check_purge(registry, {"crm": True}, "crm")
    with pytest.raises(ModuleSwitchError, match="no data"):
        check_purge(registry, {}, "crm")
    with pytest.raises(ModuleSwitchError, match="Purge the data of Erp Sales first"):
        check_purge(registry, {"erp.inventory": False, "erp.sales": False}, "erp.inventory")
    check_purge(registry, {"erp.inventory": False}, "erp.inventory")
