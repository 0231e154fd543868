"""erp.inventory manifest."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="erp.inventory",
    name="Inventory",
    description="Products, units, warehouses, stock moves, on-hand quantities and stock valuation.",
    models="nexo.modules.erp.inventory.models",
    migrations=Path(__file__).parent / "migrations",
    optional_dependencies=("erp.accounting",),
    scopes=(
        Scope("erp.inventory.read", "See products, warehouses, stock levels and stock movements"),
        Scope("erp.inventory.write", "Create and change products and warehouses, and move stock"),
    ),
    navigation=(NavEntry("Products", "erp/inventory/products"), NavEntry("Stock", "erp/inventory/stock")),
    monthly_price=Decimal("15"),
    controllers=("nexo.modules.erp.inventory.pages:InventoryPages",),
    api_controllers=(
        "nexo.modules.erp.inventory.api:ProductsApi",
        "nexo.modules.erp.inventory.api:WarehousesApi",
        "nexo.modules.erp.inventory.api:StockApi",
    ),
)
