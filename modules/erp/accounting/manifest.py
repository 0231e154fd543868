"""erp.accounting manifest.

Accounting needs no other ERP module. Sales and purchasing integrate with it optionally (see ``nexo.modules.erp``):
while it is on, invoicing a sales order and billing a purchase order post to the journal automatically.
"""

from decimal import Decimal
from pathlib import Path

from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="erp.accounting",
    name="Accounting",
    description=(
        "Chart of accounts, double-entry journal, customer invoices, supplier bills, payments and credit notes; "
        "profitability, liquidity and performance reports."
    ),
    models="nexo.modules.erp.accounting.models",
    home="nexo.modules.erp.accounting.home:cards",
    migrations=Path(__file__).parent / "migrations",
    optional_dependencies=("erp.inventory", "erp.purchasing", "erp.sales", "crm"),
    scopes=(
        Scope("erp.accounting.read", "See the accounts, journal, invoices, bills, payments and financial reports"),
        Scope("erp.accounting.write", "Post invoices, bills, payments, credit notes and journal entries"),
    ),
    navigation=(
        NavEntry("Invoices", "erp/accounting/invoices"),
        NavEntry("Journal", "erp/accounting/journal"),
        NavEntry("Reports", "erp/reports"),
    ),
    monthly_price=Decimal("25"),
    controllers=(
        "nexo.modules.erp.accounting.pages:AccountingPages",
        "nexo.modules.erp.accounting.reports_pages:ReportPages",
    ),
    api_controllers=(
        "nexo.modules.erp.accounting.api:AccountsApi",
        "nexo.modules.erp.accounting.api:JournalApi",
        "nexo.modules.erp.accounting.api:InvoicesApi",
        "nexo.modules.erp.accounting.api:BillsApi",
    ),
)
