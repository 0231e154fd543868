"""erp.sales manifest: needs erp.inventory; posts to erp.accounting when that is on (optional integration)."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="erp.sales",
    name="Sales",
    description="Quotes, sales orders and deliveries out of stock; invoices post to accounting when it is on.",
    models="nexo.modules.erp.sales.models",
    migrations=Path(__file__).parent / "migrations",
    dependencies=("erp.inventory",),
    optional_dependencies=("erp.accounting", "crm"),
    scopes=(
        Scope("erp.sales.read", "See quotes, sales orders and deliveries"),
        Scope("erp.sales.write", "Create and change quotes and sales orders, deliver and invoice them"),
    ),
    navigation=(NavEntry("Quotes", "erp/sales/quotes"), NavEntry("Sales orders", "erp/sales/orders")),
    monthly_price=Decimal("20"),
    controllers=("nexo.modules.erp.sales.pages:SalesPages",),
    api_controllers=(
        "nexo.modules.erp.sales.api:QuotesApi",
        "nexo.modules.erp.sales.api:SalesOrdersApi",
        "nexo.modules.erp.sales.api:DeliveriesApi",
    ),
    integrations=("nexo.modules.erp.sales.crm_links",),  # quotes from won deals, documents and balance in the CRM
)
