"""What partners see of directory records: the REST API answers with these structs and the ``directory.*``
webhook events carry them as ``data``.

No ``from __future__ import annotations`` here: the structs' annotations are evaluated at import, so they resolve
wherever ``published_from`` says the structs live.
"""

import datetime

import msgspec

from nexo.modules.directory.models import Organization, Person
from nexo.platform.api.resource import published_from

FIRST_PUBLISHED = "nexo.modules.directory.api"  # the OpenAPI names of the structs below (see published_from)


class PersonOut(msgspec.Struct):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    organization_id: int | None
    notes: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OrganizationOut(msgspec.Struct):
    id: int
    name: str
    email: str | None
    phone: str | None
    website: str | None
    notes: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


def person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
        organization_id=person.organization_id,
        notes=person.notes,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


def organization_out(org: Organization) -> OrganizationOut:
    return OrganizationOut(
        id=org.id,
        name=org.name,
        email=org.email,
        phone=org.phone,
        website=org.website,
        notes=org.notes,
        created_at=org.created_at,
        updated_at=org.updated_at,
    )


published_from(FIRST_PUBLISHED, PersonOut, OrganizationOut)
