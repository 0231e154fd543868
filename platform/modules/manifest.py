"""What a module declares about itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class NavEntry:
    label: str
    path: str  # relative to the workspace root, e.g. "crm/contacts"
    icon: str = ""


@dataclass(frozen=True)
class Scope:
    name: str  # e.g. "crm.read"
    description: str  # plain words for the consent screen


@dataclass(frozen=True)
class Manifest:
    """A module's declaration.

    ``key`` is dotted for families (``erp.sales``); the package is ``nexo.modules.<key>``. ``models`` names the
    module (dotted path) whose import registers its tables on ``TenantBase``. ``always_on`` modules are part of
    every workspace and cannot be switched off. ``monthly_price`` is in the platform's billing currency.
    """

    key: str
    name: str
    description: str
    models: str
    migrations: Path
    dependencies: tuple[str, ...] = ()
    scopes: tuple[Scope, ...] = ()
    navigation: tuple[NavEntry, ...] = ()
    monthly_price: Decimal = Decimal("0")
    always_on: bool = False
    default_on: bool = False
    controllers: tuple[str, ...] = field(default=())  # page controllers, dotted "pkg.module:Controller"
    api_controllers: tuple[str, ...] = field(default=())  # /api/v1 controllers, dotted "pkg.module:Controller"
    # modules imported when the app is built, to register this module with another module's seams (the ERP's
    # documents on the CRM timeline, say): dotted "pkg.module"; each registration names the module that must be on
    integrations: tuple[str, ...] = field(default=())
    # modules this one works with while they are on, never switched on for it (sales posts invoices to accounting
    # when accounting is on): its code may import them, and checks that they are on before it reaches into them
    optional_dependencies: tuple[str, ...] = field(default=())
    # the workspace home's cards: dotted "pkg.module:provider" (see nexo.platform.modules.home), "" for none
    home: str = ""

    @property
    def branch(self) -> str:
        """The Alembic branch label of this module's migrations (dots are not allowed in labels)."""
        return self.key.replace(".", "_")

    @property
    def is_paid(self) -> bool:
        return self.monthly_price > 0
