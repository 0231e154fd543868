"""erp.hr: departments, employees (directory people), leave types, leave requests, approvals and balances."""
