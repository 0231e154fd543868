"""CRM rules. Controllers (pages, API) call these services; they never write tables themselves."""
