"""CRM REST API (``/api/v1/crm/...``): contacts and companies (``contacts``), the pipeline (``pipeline``), and the
daily work, activities, support cases and campaigns (``work``). Thin controllers: request structs in, the services'
typed inputs, ``representations`` out."""

from nexo.modules.crm.api.contacts import CompaniesApi, ContactsApi
from nexo.modules.crm.api.pipeline import LeadsApi, OpportunitiesApi, StagesApi
from nexo.modules.crm.api.work import ActivitiesApi, CampaignsApi, CasesApi

__all__ = [
    "ActivitiesApi",
    "CampaignsApi",
    "CasesApi",
    "CompaniesApi",
    "ContactsApi",
    "LeadsApi",
    "OpportunitiesApi",
    "StagesApi",
]
