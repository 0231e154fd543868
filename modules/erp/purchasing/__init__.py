"""erp.purchasing: suppliers (directory organizations), purchase orders, receipts into stock, bills."""
