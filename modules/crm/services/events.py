"""The webhook events the CRM services emit, with the records as ``representations`` shows them.

The services emit the events (``emit`` writes the deliveries in the same
transaction; the delivery jobs are deferred after commit), so a change made in the pages, by a CSV import or
through the API sends the same event, and a rolled-back change sends nothing.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import (
    Activity,
    Campaign,
    CaseMessage,
    CompanyProfile,
    ContactProfile,
    Lead,
    Opportunity,
    SupportCase,
)
from nexo.modules.crm.representations import (
    activity_out,
    campaign_out,
    case_message_out,
    case_out,
    company_out,
    contact_out,
    lead_out,
    opportunity_out,
)
from nexo.modules.directory.models import Organization, Person
from nexo.platform.webhooks.events import emit, wants


async def publish(session: AsyncSession, event_type: str, record: msgspec.Struct | dict[str, Any]) -> None:
    """Emit ``event_type`` with ``record`` as its data. The ``*_event`` helpers below first ask whether anyone
    subscribed (one cached query per transaction), so a change nobody listens to costs no refresh."""
    data = record if isinstance(record, dict) else msgspec.to_builtins(record)
    await emit(session, event_type, data)


async def refreshed(session: AsyncSession, *records: Any) -> None:
    """Flush and reload server-set columns (ids, timestamps) so the event carries them."""
    await session.flush()
    for record in records:
        if record is not None:
            await session.refresh(record)


async def contact_event(session: AsyncSession, event_type: str, person: Person, profile: ContactProfile | None) -> None:
    directory_event = event_type.replace("crm.contact.", "directory.person.")  # a contact is a directory person
    if not await wants(session, event_type, directory_event):
        return
    await refreshed(session, person, profile)
    out = contact_out(person, profile)
    await publish(session, directory_event, out)
    await publish(session, event_type, out)


async def company_event(
    session: AsyncSession, event_type: str, org: Organization, profile: CompanyProfile | None
) -> None:
    directory_event = event_type.replace("crm.company.", "directory.organization.")  # a company is an organization
    if not await wants(session, event_type, directory_event):
        return
    await refreshed(session, org, profile)
    out = company_out(org, profile)
    await publish(session, directory_event, out)
    await publish(session, event_type, out)


async def lead_event(session: AsyncSession, event_type: str, lead: Lead) -> None:
    if not await wants(session, event_type):
        return
    await refreshed(session, lead)
    await publish(session, event_type, lead_out(lead))


async def opportunity_event(session: AsyncSession, event_type: str, deal: Opportunity) -> None:
    if not await wants(session, event_type):
        return
    await refreshed(session, deal)
    await publish(session, event_type, opportunity_out(deal))


async def activity_event(session: AsyncSession, event_type: str, activity: Activity) -> None:
    if not await wants(session, event_type):
        return
    await refreshed(session, activity)
    await publish(session, event_type, activity_out(activity))


async def case_event(session: AsyncSession, event_type: str, support_case: SupportCase) -> None:
    if not await wants(session, event_type):
        return
    await refreshed(session, support_case)
    await publish(session, event_type, case_out(support_case))


async def case_message_event(session: AsyncSession, message: CaseMessage) -> None:
    if not await wants(session, "crm.case.message_added"):
        return
    await refreshed(session, message)
    await publish(session, "crm.case.message_added", case_message_out(message))


async def campaign_event(session: AsyncSession, event_type: str, campaign: Campaign) -> None:
    if not await wants(session, event_type):
        return
    await refreshed(session, campaign)
    await publish(session, event_type, campaign_out(campaign))


async def deleted_event(session: AsyncSession, event_type: str, record_id: int) -> None:
    directory_event = event_type.replace("crm.contact.", "directory.person.").replace(
        "crm.company.", "directory.organization."
    )
    if directory_event != event_type:  # a deleted contact or company is a person or organization gone
        await publish(session, directory_event, {"id": record_id})
    await publish(session, event_type, {"id": record_id})


async def imported_events(session: AsyncSession, entity: str, ids: list[int]) -> None:
    """A CSV import writes with COPY (no ORM objects): it sends the same ``created`` events, read back in chunks,
    and only when someone subscribed (one cached query otherwise)."""
    from sqlalchemy import select
    from sqlalchemy.orm import noload

    plain = session
    contacts = entity == "contacts"
    event_type = "crm.contact.created" if contacts else "crm.company.created"
    directory_event = "directory.person.created" if contacts else "directory.organization.created"
    if not ids or not await wants(plain, event_type, directory_event):
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        if contacts:
            rows = await plain.execute(
                select(Person, ContactProfile)
                .outerjoin(ContactProfile, ContactProfile.person_id == Person.id)
                .where(Person.id.in_(chunk))
                .options(
                    noload(Person.emails), noload(Person.phones), noload(Person.addresses), noload(Person.organization)
                )
            )
            outs: list[msgspec.Struct] = [contact_out(p, profile) for p, profile in rows]
        else:
            rows = await plain.execute(
                select(Organization, CompanyProfile)
                .outerjoin(CompanyProfile, CompanyProfile.organization_id == Organization.id)
                .where(Organization.id.in_(chunk))
                .options(noload(Organization.emails), noload(Organization.phones), noload(Organization.addresses))
            )
            outs = [company_out(org, profile) for org, profile in rows]
        for out in outs:
            await publish(plain, directory_event, out)
            await publish(plain, event_type, out)
