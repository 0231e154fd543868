"""erp.purchasing manifest: needs erp.inventory; bills post to erp.accounting when that is on (optional)."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="erp.purchasing",
    name="Purchasing",
    description="Suppliers from the directory, purchase orders and receipts into stock; bills post to accounting.",
    models="nexo.modules.erp.purchasing.models",
    migrations=Path(__file__).parent / "migrations",
    dependencies=("erp.inventory",),
    optional_dependencies=("erp.accounting",),
    scopes=(
        Scope("erp.purchasing.read", "See suppliers, purchase orders and receipts"),
        Scope("erp.purchasing.write", "Create and send purchase orders and receive goods"),
    ),
    navigation=(NavEntry("Purchase orders", "erp/purchasing/orders"),),
    monthly_price=Decimal("15"),
    controllers=("nexo.modules.erp.purchasing.pages:PurchasingPages",),
    api_controllers=("nexo.modules.erp.purchasing.api:PurchaseOrdersApi",),
)
