"""Every top-level part of ``platform/`` sits in a layer of the import-linter contracts.

The kernel contract lists the kernel's parts by name; a new part nobody placed would escape every contract. This
test makes adding one a decision: put it in the kernel contract, the feature contracts, or the composition root.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from nexo.platform.settings import REPO_ROOT

COMPOSITION_ROOT = {"app", "core", "cli", "composition"}


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def top_level(name: str) -> str:
    return name.removeprefix("nexo.platform.").split(".")[0]


def parts_of(folder: Path) -> set[str]:
    return {
        path.stem if path.suffix == ".py" else path.name
        for path in folder.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists()) and not path.name.startswith("__")
    }


def test_every_platform_part_is_kernel_feature_or_root() -> None:
    found = contracts()
    kernel = {top_level(m) for m in found["kernel"]["source_modules"]}  # type: ignore[attr-defined]
    features = {top_level(m) for m in found["features"]["source_modules"] if m.startswith("nexo.platform.")}  # type: ignore[attr-defined]
    unplaced = parts_of(REPO_ROOT / "platform") - kernel - features - COMPOSITION_ROOT
    assert not unplaced, f"place these in a layer in pyproject.toml [tool.importlinter]: {sorted(unplaced)}"


def test_every_part_of_the_api_package_is_kernel_or_the_bearer_guard() -> None:
    """``platform/api`` is split: its kit is kernel, its bearer-token guard (``auth``) a feature on OAuth."""
    found = contracts()
    listed = {
        m.removeprefix("nexo.platform.api.")
        for m in [*found["kernel"]["source_modules"], *found["features"]["source_modules"]]  # type: ignore[misc]
        if m.startswith("nexo.platform.api.")
    }
    assert parts_of(REPO_ROOT / "platform" / "api") <= listed


def test_every_module_has_its_contract() -> None:
    """A module's contract names what it may not import; a module without one could import anything."""
    from nexo.platform.modules.registry import get_registry

    found = contracts()
    missing = [m.key for m in get_registry() if f"module-{m.key.replace('.', '-')}" not in found]
    assert not missing, f"add a module-<key> contract in pyproject.toml for: {missing}"
