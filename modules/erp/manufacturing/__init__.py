"""erp.manufacturing: bills of materials and work orders that consume components and produce goods."""
