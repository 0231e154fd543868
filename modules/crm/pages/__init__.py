"""CRM page controllers (thin: parse the request, call a service, render)."""

from nexo.modules.crm.pages.activities import ActivityPages
from nexo.modules.crm.pages.cases import CampaignPages, CasePages
from nexo.modules.crm.pages.companies import CompanyPages
from nexo.modules.crm.pages.contacts import ContactPages
from nexo.modules.crm.pages.duplicates import DuplicatePages
from nexo.modules.crm.pages.imports import ImportPages
from nexo.modules.crm.pages.pipeline import LeadPages, PipelinePages

__all__ = [
    "ActivityPages",
    "CampaignPages",
    "CasePages",
    "CompanyPages",
    "ContactPages",
    "DuplicatePages",
    "ImportPages",
    "LeadPages",
    "PipelinePages",
]
