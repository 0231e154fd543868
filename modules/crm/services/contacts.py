"""Contacts and companies: directory rows plus the CRM's profile of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import CompanyProfile, ContactProfile, LifecycleStage
from nexo.modules.crm.services.base import CrmService
from nexo.modules.crm.services.events import company_event, contact_event, deleted_event
from nexo.modules.directory.models import Organization, Person
from nexo.modules.directory.services import ContactPoints, apply_contact_points


@dataclass(frozen=True)
class ContactInput:
    """A contact as the pages, the API and lead qualification write it (values already validated)."""

    first_name: str
    last_name: str
    job_title: str | None = None
    organization_id: int | None = None
    owner_id: int | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    lifecycle_stage: str | None = None  # None: a new contact is a lead, a changed one keeps its stage
    source: str | None = None
    points: ContactPoints = field(default_factory=ContactPoints)


@dataclass(frozen=True)
class CompanyInput:
    name: str
    website: str | None = None
    owner_id: int | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    lifecycle_stage: str | None = None
    industry: str | None = None
    points: ContactPoints = field(default_factory=ContactPoints)


async def contact_profile(session: AsyncSession, person_id: int) -> ContactProfile | None:
    """The CRM's profile of a directory person (``None`` for a person the CRM never saw)."""
    profile: ContactProfile | None = await session.scalar(
        select(ContactProfile).where(ContactProfile.person_id == person_id)
    )
    return profile


async def company_profile(session: AsyncSession, organization_id: int) -> CompanyProfile | None:
    profile: CompanyProfile | None = await session.scalar(
        select(CompanyProfile).where(CompanyProfile.organization_id == organization_id)
    )
    return profile


class ContactService(CrmService):
    """Create and change contacts: the directory person and its CRM profile, together."""

    async def get_person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def profile_of(self, person_id: int) -> ContactProfile | None:
        return await contact_profile(self.session, person_id)

    async def create_contact(self, values: ContactInput) -> Person:
        person = _set_person(Person(), values)
        self.session.add(person)
        await self.session.flush()
        profile = ContactProfile(
            person_id=person.id, lifecycle_stage=values.lifecycle_stage or LifecycleStage.LEAD, source=values.source
        )
        self.session.add(profile)
        await self.session.flush()
        await contact_event(self.session, "crm.contact.created", person, profile)
        return person

    async def update_contact(self, person: Person, values: ContactInput) -> Person:
        _set_person(person, values)
        profile = await self.profile_of(person.id) or ContactProfile(person_id=person.id)
        profile.lifecycle_stage = values.lifecycle_stage or profile.lifecycle_stage or LifecycleStage.LEAD
        profile.source = values.source
        self.session.add(profile)
        await self.session.flush()
        await contact_event(self.session, "crm.contact.updated", person, profile)
        return person

    async def delete_contact(self, person: Person) -> None:
        """Delete the person (its profile and timeline go with it)."""
        person_id = person.id
        await self.session.delete(person)
        await self.session.flush()
        await deleted_event(self.session, "crm.contact.deleted", person_id)


class CompanyService(CrmService):
    async def get_organization(self, organization_id: int) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    async def profile_of(self, organization_id: int) -> CompanyProfile | None:
        return await company_profile(self.session, organization_id)

    async def create_company(self, values: CompanyInput) -> Organization:
        organization = _set_organization(Organization(), values)
        self.session.add(organization)
        await self.session.flush()
        profile = CompanyProfile(
            organization_id=organization.id,
            lifecycle_stage=values.lifecycle_stage or LifecycleStage.LEAD,
            industry=values.industry,
        )
        self.session.add(profile)
        await self.session.flush()
        await company_event(self.session, "crm.company.created", organization, profile)
        return organization

    async def update_company(self, organization: Organization, values: CompanyInput) -> Organization:
        _set_organization(organization, values)
        profile = await self.profile_of(organization.id) or CompanyProfile(organization_id=organization.id)
        profile.lifecycle_stage = values.lifecycle_stage or profile.lifecycle_stage or LifecycleStage.LEAD
        profile.industry = values.industry
        self.session.add(profile)
        await self.session.flush()
        await company_event(self.session, "crm.company.updated", organization, profile)
        return organization

    async def delete_company(self, organization: Organization) -> None:
        organization_id = organization.id
        await self.session.delete(organization)
        await self.session.flush()
        await deleted_event(self.session, "crm.company.deleted", organization_id)

    async def organization_choices(self, limit: int = 500) -> list[tuple[int, str]]:
        rows = await self.session.execute(
            select(Organization.id, Organization.name).order_by(Organization.name).limit(limit)
        )
        return [(r[0], r[1]) for r in rows]

    async def people_of(self, organization_id: int) -> list[Person]:
        rows = await self.session.scalars(
            select(Person).where(Person.organization_id == organization_id).order_by(Person.last_name).limit(200)
        )
        return list(rows)


def _set_person(person: Person, values: ContactInput) -> Person:
    person.first_name, person.last_name, person.job_title = values.first_name, values.last_name, values.job_title
    person.organization_id, person.owner_id = values.organization_id, values.owner_id
    person.tags, person.notes = list(values.tags), values.notes
    apply_contact_points(person, values.points)
    return person


def _set_organization(organization: Organization, values: CompanyInput) -> Organization:
    organization.name, organization.website, organization.owner_id = values.name, values.website, values.owner_id
    organization.tags, organization.notes = list(values.tags), values.notes
    apply_contact_points(organization, values.points)
    return organization
