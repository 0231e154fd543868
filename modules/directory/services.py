"""Directory rules (tenant-bound sessions only)."""

from __future__ import annotations

from dataclasses import dataclass

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Organization, Person


class PersonRepository(SQLAlchemyAsyncRepository[Person]):
    model_type = Person


class OrganizationRepository(SQLAlchemyAsyncRepository[Organization]):
    model_type = Organization


class PersonService(SQLAlchemyAsyncRepositoryService[Person, PersonRepository]):
    repository_type = PersonRepository

    async def search(self, query: str, *, limit: int = 50, offset: int = 0) -> tuple[list[Person], int]:
        statement = select(Person)
        if query:
            like = f"%{query.strip()}%"
            statement = statement.where(
                or_(Person.first_name.ilike(like), Person.last_name.ilike(like), Person.email.ilike(like))
            )
        total = await self.repository.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.repository.session.scalars(
            statement.order_by(Person.last_name, Person.first_name, Person.id).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)


class OrganizationService(SQLAlchemyAsyncRepositoryService[Organization, OrganizationRepository]):
    repository_type = OrganizationRepository


@dataclass(frozen=True)
class DirectoryCounts:
    people: int
    organizations: int


async def directory_counts(session: AsyncSession) -> DirectoryCounts:
    people = await session.scalar(select(func.count()).select_from(Person))
    organizations = await session.scalar(select(func.count()).select_from(Organization))
    return DirectoryCounts(int(people or 0), int(organizations or 0))
