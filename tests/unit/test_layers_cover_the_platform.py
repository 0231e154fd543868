"""Every top-level part of ``platform/`` sits in a layer of the import-linter contracts.

The kernel contract lists the kernel's parts by name; a new part nobody placed would escape every contract. This
test makes adding one a decision: put it in the kernel contract, the feature contracts, or the composition root.
"""

from __future__ import annotations

import tomllib

from nexo.platform.settings import REPO_ROOT

COMPOSITION_ROOT = {"app", "core", "cli", "composition"}


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def top_level(name: str) -> str:
    return name.removeprefix("nexo.platform.").split(".")[0]


def test_every_platform_part_is_kernel_feature_or_root() -> None:
    found = contracts()
    kernel = {top_level(m) for m in found["kernel"]["source_modules"]}  # type: ignore[attr-defined]
    features = {top_level(m) for m in found["features"]["source_modules"] if m.startswith("nexo.platform.")}  # type: ignore[attr-defined]
    parts = {
        path.stem if path.suffix == ".py" else path.name
        for path in (REPO_ROOT / "platform").iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists()) and not path.name.startswith("__")
    }
    unplaced = parts - kernel - features - COMPOSITION_ROOT
    assert not unplaced, f"place these in a layer in pyproject.toml [tool.importlinter]: {sorted(unplaced)}"
