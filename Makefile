# Nexo's two commands: `make run` (install, embedded PostgreSQL, migrate, serve) and `make test` (every test).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .nexo/tools/bin/uv)
WEB := platform/web
export PYTHONSAFEPATH := 1
export UV_LINK_MODE := copy
# Byte-compile at install time: where PYTHONDONTWRITEBYTECODE is set, every process would otherwise recompile
# every imported module (seconds for each `nexo` command).
export UV_COMPILE_BYTECODE := 1

.PHONY: run test install lint typecheck imports drift gates bench

$(UV):
	$(PYTHON) -m venv .nexo/tools
	.nexo/tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --quiet
	$(UV) run --frozen python -m compileall -q -j 0 platform tenants modules billing >/dev/null
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error

run: install
	NEXO_ENV=$${NEXO_ENV:-development} $(UV) run --frozen nexo serve

test: install
	$(UV) run --frozen pytest

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

# The layers (kernel <- features <- modules <- composition root) and no cycles: [tool.importlinter] in pyproject.toml.
# Like mypy, grimp reads the package from the link farm.
imports: typecheck-links
	PYTHONPATH=.nexo/typecheck $(UV) run --frozen lint-imports

# Models against migrations, the public tree and every tenant branch (embedded PostgreSQL when no URL is set).
drift: install
	NEXO_ENV=$${NEXO_ENV:-development} $(UV) run --frozen nexo db check

# Every gate CI runs before the tests: `make gates && make test`.
gates: lint typecheck imports drift

typecheck-links:
	mkdir -p .nexo/typecheck/nexo
	for d in platform tenants modules billing; do ln -sfn ../../../$$d .nexo/typecheck/nexo/$$d; done

# mypy cannot see setuptools' editable mapping, so it checks a link farm shaped like the installed package.
typecheck: install typecheck-links
	MYPYPATH=.nexo/typecheck $(UV) run --frozen mypy -p nexo.platform -p nexo.tenants -p nexo.modules -p nexo.billing
