"""Contacts and companies: directory rows plus the CRM's profile of them."""

from __future__ import annotations

from typing import Any, cast

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import CompanyProfile, ContactProfile, LifecycleStage
from nexo.modules.crm.services.events import company_event, contact_event, deleted_event
from nexo.modules.directory.models import Organization, Person
from nexo.modules.directory.services import apply_organization, apply_person


class ContactProfileRepository(SQLAlchemyAsyncRepository[ContactProfile]):
    model_type = ContactProfile


class CompanyProfileRepository(SQLAlchemyAsyncRepository[CompanyProfile]):
    model_type = CompanyProfile


class ContactService(SQLAlchemyAsyncRepositoryService[ContactProfile, ContactProfileRepository]):
    """Create and change contacts: the directory person and its CRM profile, together."""

    repository_type = ContactProfileRepository

    @property
    def session(self) -> AsyncSession:
        return cast("AsyncSession", self.repository.session)

    async def get_person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def profile_of(self, person_id: int) -> ContactProfile | None:
        profile: ContactProfile | None = await self.session.scalar(
            select(ContactProfile).where(ContactProfile.person_id == person_id)
        )
        return profile

    async def create_contact(self, values: dict[str, Any]) -> Person:
        """``values`` are ``schemas.contact_form`` output (already validated)."""
        person = apply_person(Person(), values)
        self.session.add(person)
        await self.session.flush()
        profile = ContactProfile(
            person_id=person.id,
            lifecycle_stage=values.get("lifecycle_stage") or LifecycleStage.LEAD,
            source=values.get("source"),
        )
        self.session.add(profile)
        await self.session.flush()
        await contact_event(self.session, "crm.contact.created", person, profile)
        return person

    async def update_contact(self, person: Person, values: dict[str, Any]) -> Person:
        apply_person(person, values)
        profile = await self.profile_of(person.id) or ContactProfile(person_id=person.id)
        profile.lifecycle_stage = values.get("lifecycle_stage") or profile.lifecycle_stage or LifecycleStage.LEAD
        profile.source = values.get("source")
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


class CompanyService(SQLAlchemyAsyncRepositoryService[CompanyProfile, CompanyProfileRepository]):
    repository_type = CompanyProfileRepository

    @property
    def session(self) -> AsyncSession:
        return cast("AsyncSession", self.repository.session)

    async def get_organization(self, organization_id: int) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    async def profile_of(self, organization_id: int) -> CompanyProfile | None:
        profile: CompanyProfile | None = await self.session.scalar(
            select(CompanyProfile).where(CompanyProfile.organization_id == organization_id)
        )
        return profile

    async def create_company(self, values: dict[str, Any]) -> Organization:
        organization = apply_organization(Organization(), values)
        self.session.add(organization)
        await self.session.flush()
        profile = CompanyProfile(
            organization_id=organization.id,
            lifecycle_stage=values.get("lifecycle_stage") or LifecycleStage.LEAD,
            industry=values.get("industry"),
        )
        self.session.add(profile)
        await self.session.flush()
        await company_event(self.session, "crm.company.created", organization, profile)
        return organization

    async def update_company(self, organization: Organization, values: dict[str, Any]) -> Organization:
        apply_organization(organization, values)
        profile = await self.profile_of(organization.id) or CompanyProfile(organization_id=organization.id)
        profile.lifecycle_stage = values.get("lifecycle_stage") or profile.lifecycle_stage or LifecycleStage.LEAD
        profile.industry = values.get("industry")
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
