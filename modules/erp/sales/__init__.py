"""erp.sales: quotes, sales orders and deliveries out of stock; invoicing through erp.accounting when it is on."""
