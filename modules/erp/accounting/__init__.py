"""erp.accounting: chart of accounts, double-entry journal, invoices, bills, payments, credit notes, reports."""
