"""The CRM module: the front office on the shared directory."""

from decimal import Decimal
from pathlib import Path

from nexo.platform.i18n.catalog import N_
from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="crm",
    name=N_("CRM"),
    description=(
        N_(
            "Contacts and companies, leads and a sales pipeline, activities and tasks, support cases, campaigns, "
            "CSV import and export, duplicate detection and merge."
        )
    ),
    models="nexo.modules.crm.models",
    home="nexo.modules.crm.home:cards",
    migrations=Path(__file__).parent / "migrations",
    dependencies=("directory",),
    scopes=(
        Scope("crm.read", N_("See your contacts, companies, leads, deals, activities, support cases and campaigns")),
        Scope(
            "crm.write",
            N_(
                "Create, change and delete your contacts, companies, leads, deals, activities, support cases "
                "and campaigns"
            ),
        ),
    ),
    navigation=(
        NavEntry(N_("Contacts"), "crm/contacts"),
        NavEntry(N_("Companies"), "crm/companies"),
        NavEntry(N_("Leads"), "crm/leads"),
        NavEntry(N_("Pipeline"), "crm/pipeline"),
        NavEntry(N_("My tasks"), "crm/tasks"),
        NavEntry(N_("Cases"), "crm/cases"),
        NavEntry(N_("Campaigns"), "crm/campaigns"),
        NavEntry(N_("Import"), "crm/import/"),
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
