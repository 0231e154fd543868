"""The ERP family of modules (back office): inventory, purchasing, sales, accounting, HR, manufacturing.

Each sub-package is its own switchable module with the module template (manifest, models, representations, forms,
services, events, pages, api, migrations), its own tables and migration branch. The one thing they share next to
this file is ``context.py`` (the workspace facts ERP services need: currency, modules on, the actor); money, form
parsing, refusals and the API field types live in the kernel (``nexo.platform.money``, ``nexo.platform.web.kit``,
``nexo.platform.refusals``, ``nexo.platform.api.fields``).

Dependencies between the ERP modules:

* ``erp.purchasing``, ``erp.sales`` and ``erp.manufacturing`` need ``erp.inventory`` (hard dependency: their lines
  reference products and their receipts, deliveries and work orders write stock moves).
* ``erp.accounting`` is an *optional integration* for sales and purchasing, not a dependency: a company may sell
  and buy without keeping its books in Nexo. Invoices, supplier bills, payments and credit notes are accounting
  documents; while accounting is on, invoicing a sales order or billing a purchase order posts to the journal
  automatically, and goods received are posted to stock valuation. Cross-module references to optional modules
  (an invoice's sales order, a quote's CRM opportunity) are plain ids without a foreign key, so each module's tables
  can exist without the other's. Each manifest declares the modules it reaches into while they are on
  (``optional_dependencies``).
"""
