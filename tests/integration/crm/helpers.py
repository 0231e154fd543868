"""Seeding helpers for the CRM tests (rows written through the services, in a tenant-bound session)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Organization, Person
from nexo.tests.factories import Workspace, make_workspace, tenant_session


async def crm_workspace(sessions: async_sessionmaker[AsyncSession], name: str) -> Workspace:
    """A workspace provisioned with the CRM module on."""
    return await make_workspace(sessions, name=name, modules=("crm",))


async def add_person(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, first: str, last: str, **fields: Any
) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        person = Person(first_name=first, last_name=last, **fields)
        session.add(person)
        await session.commit()
        return person.id


async def add_organization(sessions: async_sessionmaker[AsyncSession], ws: Workspace, name: str, **fields: Any) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        organization = Organization(name=name, **fields)
        session.add(organization)
        await session.commit()
        return organization.id
