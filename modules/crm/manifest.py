"""The CRM module: the front office on the shared directory."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="crm",
    name="CRM",
    description=(
        "Contacts and companies, leads and a sales pipeline, activities and tasks, support cases, campaigns, "
        "CSV import and export, duplicate detection and merge."
    ),
    models="nexo.modules.crm.models",
    home="nexo.modules.crm.home:cards",
    migrations=Path(__file__).parent / "migrations",
    dependencies=("directory",),
    scopes=(
        Scope("crm.read", "See your contacts, companies, leads, deals, activities, support cases and campaigns"),
        Scope(
            "crm.write",
            "Create, change and delete your contacts, companies, leads, deals, activities, support cases and campaigns",
        ),
    ),
    navigation=(
        NavEntry("Contacts", "crm/contacts"),
        NavEntry("Companies", "crm/companies"),
        NavEntry("Leads", "crm/leads"),
        NavEntry("Pipeline", "crm/pipeline"),
        NavEntry("My tasks", "crm/tasks"),
        NavEntry("Cases", "crm/cases"),
        NavEntry("Campaigns", "crm/campaigns"),
        NavEntry("Import", "crm/import/"),
    ),
    monthly_price=Decimal("15"),
    controllers=(
        "nexo.modules.crm.pages:ContactPages",
        "nexo.modules.crm.pages:CompanyPages",
        "nexo.modules.crm.pages:ActivityPages",
        "nexo.modules.crm.pages:PipelinePages",
        "nexo.modules.crm.pages:LeadPages",
        "nexo.modules.crm.pages:ImportPages",
        "nexo.modules.crm.pages:DuplicatePages",
        "nexo.modules.crm.pages:CasePages",
        "nexo.modules.crm.pages:CampaignPages",
    ),
    api_controllers=(
        "nexo.modules.crm.api:ContactsApi",
        "nexo.modules.crm.api:CompaniesApi",
        "nexo.modules.crm.api:StagesApi",
        "nexo.modules.crm.api:LeadsApi",
        "nexo.modules.crm.api:OpportunitiesApi",
        "nexo.modules.crm.api:ActivitiesApi",
        "nexo.modules.crm.api:CasesApi",
        "nexo.modules.crm.api:CampaignsApi",
    ),
)
