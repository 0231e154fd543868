"""CRM page controllers (thin: parse the request, call a service, render)."""

from nexo.modules.crm.pages.contacts import ContactPages

__all__ = ["ContactPages"]
