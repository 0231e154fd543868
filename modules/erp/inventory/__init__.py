"""erp.inventory: products, warehouses, stock moves, on-hand and average-cost valuation."""
