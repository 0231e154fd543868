"""Filtering, sorting and paging of the contacts and companies lists (shared by pages, export and the API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import BigInteger, DateTime, Integer, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from nexo.modules.crm.models import CompanyProfile, ContactProfile, LifecycleStage
from nexo.modules.directory.models import Organization, Person

PAGE_SIZES = (25, 50, 100)
CONTACT_SORTS = {
    "name": (Person.last_name, Person.first_name, Person.id),
    "email": (Person.email, Person.id),
    "created": (Person.created_at, Person.id),
}
COMPANY_SORTS = {
    "name": (Organization.name, Organization.id),
    "created": (Organization.created_at, Organization.id),
}


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class ListQuery:
    """What a list shows: search text, filters, sort and page. Built from query parameters, turned back into them."""

    q: str = ""
    tag: str = ""
    owner: str = ""  # a user id, "me" is resolved by the caller, "none" for unowned
    stage: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per_page: int = 25
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], sorts: Mapping[str, Any]) -> ListQuery:
        def text(name: str, limit: int = 200) -> str:
            return str(params.get(name) or "").strip()[:limit]

        try:
            page = max(1, int(params.get("page") or 1))
        except ValueError:
            page = 1
        try:
            per_page = int(params.get("per_page") or PAGE_SIZES[0])
        except ValueError:
            per_page = PAGE_SIZES[0]
        sort = text("sort") if text("sort") in sorts else "name"
        stage = text("stage") if text("stage") in {s.value for s in LifecycleStage} else ""
        owner = text("owner")
        if owner not in ("", "none") and not owner.isdigit():
            owner = ""
        return cls(
            q=text("q"),
            tag=text("tag", 60),
            owner=owner,
            stage=stage,
            sort=sort,
            desc=text("dir") == "desc",
            page=page,
            per_page=per_page if per_page in PAGE_SIZES else PAGE_SIZES[0],
        )

    def params(self, **changes: Any) -> dict[str, str]:
        query = replace(self, **changes)
        values = {
            "q": query.q,
            "tag": query.tag,
            "owner": query.owner,
            "stage": query.stage,
            "sort": query.sort if query.sort != "name" else "",
            "dir": "desc" if query.desc else "",
            "page": str(query.page) if query.page > 1 else "",
            "per_page": str(query.per_page) if query.per_page != PAGE_SIZES[0] else "",
        }
        return {k: v for k, v in values.items() if v}

    def url(self, **changes: Any) -> str:
        return "?" + urlencode(self.params(**changes))

    def sort_url(self, column: str) -> str:
        desc = not self.desc if column == self.sort else False
        return self.url(sort=column, desc=desc, page=1)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    total: int
    query: ListQuery

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def contact_search_clause(q: str) -> Any:
    """Prefix match on first name, last name, "first last" or e-mail, each served by a pattern index."""
    prefix = escape_like(q.lower()) + "%"
    full_name = func.lower(Person.first_name) + " " + func.lower(Person.last_name)
    return or_(
        func.lower(Person.first_name).like(prefix),
        func.lower(Person.last_name).like(prefix),
        full_name.like(prefix),
        func.lower(Person.email).like(prefix),
    )


def contacts_statement(query: ListQuery) -> Select[Any]:
    """People with their CRM stage, filtered (no order, no limit).

    The stage comes from a correlated subquery rather than a join: a page then looks up 25 profiles instead of
    hashing all of them, and a stage filter becomes a semi-join.
    """
    stage = (
        select(ContactProfile.lifecycle_stage)
        .where(ContactProfile.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
        .label("lifecycle_stage")
    )
    statement = select(Person, stage).options(noload(Person.emails), noload(Person.phones), noload(Person.addresses))
    conditions: list[Any] = []
    if query.q:
        conditions.append(contact_search_clause(query.q))
    if query.tag:
        conditions.append(Person.tags.contains([query.tag]))
    if query.owner == "none":
        conditions.append(Person.owner_id.is_(None))
    elif query.owner:
        conditions.append(Person.owner_id == int(query.owner))
    if query.stage:
        conditions.append(
            Person.id.in_(select(ContactProfile.person_id).where(ContactProfile.lifecycle_stage == query.stage))
        )
    return statement.where(and_(*conditions)) if conditions else statement


def companies_statement(query: ListQuery) -> Select[Any]:
    statement = (
        select(Organization, CompanyProfile.lifecycle_stage)
        .outerjoin(CompanyProfile, CompanyProfile.organization_id == Organization.id)
        .options(noload(Organization.emails), noload(Organization.phones), noload(Organization.addresses))
    )
    conditions: list[Any] = []
    if query.q:
        prefix = escape_like(query.q.lower()) + "%"
        conditions.append(or_(func.lower(Organization.name).like(prefix), func.lower(Organization.email).like(prefix)))
    if query.tag:
        conditions.append(Organization.tags.contains([query.tag]))
    if query.owner == "none":
        conditions.append(Organization.owner_id.is_(None))
    elif query.owner:
        conditions.append(Organization.owner_id == int(query.owner))
    if query.stage:
        conditions.append(CompanyProfile.lifecycle_stage == query.stage)
    return statement.where(and_(*conditions)) if conditions else statement


def _unindexed(column: Any) -> Any:
    """``column`` as an expression no index matches.

    With a search, the matching rows come fastest from the prefix indexes (a bitmap scan) and a top-N sort. Left to
    itself the planner may instead walk the sort-order index and filter every row until it finds a page of
    matches, which takes the whole table for a prefix late in the alphabet.
    """
    return column + 0 if isinstance(column.type, BigInteger | Integer) else func.concat(column, "")


async def _page(session: AsyncSession, statement: Select[Any], query: ListQuery, order: tuple[Any, ...]) -> Page:
    counted = statement.with_only_columns(func.count(), maintain_column_froms=True).options()
    total = await session.scalar(counted.order_by(None))
    if query.q:
        order = tuple(column if isinstance(column.type, DateTime) else _unindexed(column) for column in order)
    ordered = [column.desc() if query.desc else column for column in order]
    rows = (await session.execute(statement.order_by(*ordered).limit(query.per_page).offset(query.offset))).all()
    return Page(rows=[tuple(row) for row in rows], total=int(total or 0), query=query)


async def list_contacts(session: AsyncSession, query: ListQuery) -> Page:
    """One page of contacts: rows are ``(Person, lifecycle_stage | None)``."""
    return await _page(session, contacts_statement(query), query, CONTACT_SORTS[query.sort])


async def list_companies(session: AsyncSession, query: ListQuery) -> Page:
    """One page of companies: rows are ``(Organization, lifecycle_stage | None)``."""
    return await _page(session, companies_statement(query), query, COMPANY_SORTS[query.sort])


async def tags_in_use(session: AsyncSession, model: type[Person] | type[Organization]) -> list[str]:
    rows = await session.scalars(select(func.unnest(model.tags).label("tag")).distinct().order_by("tag").limit(200))
    return [str(row) for row in rows]
