"""The webhook event types and the scope each needs: a registry with no dependencies, so the delivery rules
(``access``) and the worker can use it without importing the event recording (which defers worker jobs)."""

from __future__ import annotations

EVENT_TYPES: dict[str, str] = {
    "directory.person.created": "A person was added to the directory",
    "directory.person.updated": "A person in the directory changed",
    "directory.person.deleted": "A person was removed from the directory",
    "directory.organization.created": "An organization was added to the directory",
    "directory.organization.updated": "An organization in the directory changed",
    "directory.organization.deleted": "An organization was removed from the directory",
    "crm.contact.created": "A CRM contact was created",
    "crm.contact.updated": "A CRM contact changed",
    "crm.contact.deleted": "A CRM contact was deleted",
    "crm.company.created": "A CRM company was created",
    "crm.company.updated": "A CRM company changed",
    "crm.company.deleted": "A CRM company was deleted",
    "crm.lead.created": "A lead was captured",
    "crm.lead.qualified": "A lead was qualified into an opportunity",
    "crm.lead.disqualified": "A lead was disqualified",
    "crm.lead.deleted": "A lead was deleted",
    "crm.opportunity.created": "An opportunity was created",
    "crm.opportunity.updated": "An opportunity changed",
    "crm.opportunity.stage_changed": "An opportunity moved to another pipeline stage",
    "crm.opportunity.won": "An opportunity was won",
    "crm.opportunity.lost": "An opportunity was lost",
    "crm.opportunity.reopened": "A closed opportunity was reopened",
    "crm.opportunity.deleted": "An opportunity was deleted (with its activities)",
    "crm.activity.created": "An activity (call, meeting, e-mail, note, task) was logged",
    "crm.activity.completed": "An activity was marked done",
    "crm.activity.deleted": "An activity was deleted",
    "crm.case.created": "A support case was opened",
    "crm.case.updated": "A support case changed (status, priority, assignee)",
    "crm.case.message_added": "A reply or internal note was added to a support case",
    "crm.case.deleted": "A support case was deleted (with its messages and activities)",
    "crm.campaign.created": "A campaign was created",
    "crm.campaign.updated": "A campaign changed",
}
# Event types whose scope is not ``<first part>.read`` (``erp.invoice.paid`` needs ``erp.accounting.read``).
EVENT_SCOPES: dict[str, str] = {}


def register_event_types(types: dict[str, tuple[str, str]]) -> None:
    """Modules add their event types: ``{event_type: (description, scope needed to receive it)}``."""
    for event_type, (description, scope) in types.items():
        EVENT_TYPES[event_type] = description
        EVENT_SCOPES[event_type] = scope


def event_scope(event_type: str) -> str:
    """The scope needed to receive an event: ``<module>.read`` (``crm.contact.created`` → ``crm.read``)."""
    return EVENT_SCOPES.get(event_type) or event_type.split(".", 1)[0] + ".read"
