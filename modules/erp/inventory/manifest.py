"""erp.inventory manifest."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.i18n.catalog import N_
from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="erp.inventory",
    name=N_("Inventory"),
    description=N_("Products, units, warehouses, stock moves, on-hand quantities and stock valuation."),
    models="nexo.modules.erp.inventory.models",
    migrations=Path(__file__).parent / "migrations",
    optional_dependencies=("erp.accounting",),
    scopes=(
        Scope("erp.inventory.read", N_("See products, warehouses, stock levels and stock movements")),
        Scope("erp.inventory.write", N_("Create and change products and warehouses, and move stock")),
    ),
    navigation=(NavEntry(N_("Products"), "erp/inventory/products"), NavEntry(N_("Stock"), "erp/inventory/stock")),
    monthly_price=Decimal("15"),
    controllers=("nexo.modules.erp.inventory.pages:InventoryPages",),
    api_controllers=(
        "nexo.modules.erp.inventory.api:ProductsApi",
        "nexo.modules.erp.inventory.api:WarehousesApi",
        "nexo.modules.erp.inventory.api:StockApi",
    ),
)
