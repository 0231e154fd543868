"""The ERP family of modules (back office): inventory, purchasing, sales, accounting, HR, manufacturing.

Each sub-package is its own switchable module with its own manifest, tables and migration branch. Shared helpers
(money rounding, the per-request ERP context, document references) live next to this file.

Dependencies between the ERP modules:

* ``erp.purchasing``, ``erp.sales`` and ``erp.manufacturing`` need ``erp.inventory`` (hard dependency: their lines
  reference products and their receipts, deliveries and work orders write stock moves).
* ``erp.accounting`` is an *optional integration* for sales and purchasing, not a dependency: a company may sell
  and buy without keeping its books in Nexo. Invoices, supplier bills, payments and credit notes are accounting
  documents; while accounting is on, invoicing a sales order or billing a purchase order posts to the journal
  automatically, and goods received are posted to stock valuation. Cross-module references to optional modules
  (an invoice's sales order, a quote's CRM opportunity) are plain ids without a foreign key, so each module's tables
  can exist without the other's.
"""
