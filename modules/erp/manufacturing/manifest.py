"""erp.manufacturing manifest: needs erp.inventory."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.i18n.catalog import N_
from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="erp.manufacturing",
    name=N_("Manufacturing"),
    description=N_("Bills of materials and work orders that consume components and produce finished goods."),
    models="nexo.modules.erp.manufacturing.models",
    migrations=Path(__file__).parent / "migrations",
    dependencies=("erp.inventory",),
    scopes=(
        Scope("erp.manufacturing.read", N_("See bills of materials and work orders")),
        Scope("erp.manufacturing.write", N_("Create bills of materials and run work orders")),
    ),
    navigation=(NavEntry(N_("Work orders"), "erp/manufacturing/work-orders"),),
    monthly_price=Decimal("20"),
    controllers=("nexo.modules.erp.manufacturing.pages:ManufacturingPages",),
    api_controllers=("nexo.modules.erp.manufacturing.api:BomsApi", "nexo.modules.erp.manufacturing.api:WorkOrdersApi"),
)
