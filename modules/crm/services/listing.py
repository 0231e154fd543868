"""Filtering, sorting and paging of the contacts and companies lists (shared by pages, export and the API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import BigInteger, DateTime, Integer, Select, and_, func, literal_column, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from nexo.modules.crm.models import CompanyProfile, ContactProfile, LifecycleStage
from nexo.modules.directory.models import Organization, Person

PAGE_SIZES = (25, 50, 100)
# Lists count their matches up to this many and then say "1,000+": an exact count of a broad search in a big
# workspace costs more than the page itself, and nobody pages through a thousand contacts.
COUNT_CAP = 1000
WALK_ROWS = 1000  # how far a broad search may walk the sort-order index before it sorts its matches instead
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
    """One page of a list. ``total`` is exact unless ``capped``: then at least ``total`` rows match."""

    rows: list[Any]
    total: int
    query: ListQuery
    capped: bool = False
    has_next: bool = False

    @property
    def pages(self) -> int:
        """The number of pages (a lower bound when ``capped``)."""
        known = max(1, -(-self.total // self.query.per_page))
        return max(known, self.query.page + 1) if self.has_next else max(known, self.query.page if self.rows else 1)

    @property
    def total_label(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    @property
    def pages_label(self) -> str:
        return f"{self.pages}+" if self.capped else str(self.pages)


def prefix_pattern(q: str) -> str:
    """``q`` as a LIKE prefix pattern (a bound parameter: the workspace guard makes page requests plan each
    statement for its parameters, so the prefix indexes serve it; see ``nexo.tenants.resolution.CUSTOM_PLANS``)."""
    return escape_like(q.lower()) + "%"


def contact_search_clause(q: str) -> Any:
    """Prefix match on first name, last name, "first last" or e-mail, each served by a pattern index.

    A first-name prefix is also a prefix of "first last", so that one pattern answers both: a fourth arm would only
    double the planner's estimate of the matches and push it to a sequential scan.
    """
    prefix = prefix_pattern(q)
    full_name = func.lower(Person.first_name) + " " + func.lower(Person.last_name)
    return or_(
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
        prefix = prefix_pattern(query.q)
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
    """``column`` as an expression no index matches (see ``_page``)."""
    return column + 0 if isinstance(column.type, BigInteger | Integer) else func.concat(column, "")


def _capped_count_column(statement: Select[Any]) -> Any:
    """How many rows ``statement`` returns, counting at most ``COUNT_CAP + 1``, as a column to add to a query
    (an uncorrelated subquery: PostgreSQL computes it once, before the rows)."""
    matches: Select[Any] = statement.with_only_columns(literal_column("1"), maintain_column_froms=True).options()
    limited = matches.order_by(None).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(limited).scalar_subquery().label("capped_total")


async def capped_count(session: AsyncSession, statement: Select[Any]) -> int:
    """How many rows ``statement`` returns, counting at most ``COUNT_CAP + 1``."""
    return int(await session.scalar(select(_capped_count_column(statement))) or 0)


async def _page(
    session: AsyncSession, statement: Select[Any], query: ListQuery, order: tuple[Any, ...], *, walkable: bool = False
) -> Page:
    """One page plus one row (which tells whether a next page exists), with the capped count riding along.

    With a search, the matching rows come fastest from the pattern indexes (a bitmap scan) and a sort, as long as
    there are not too many: the sort columns are hidden from the planner, which may otherwise walk the sort-order
    index and filter every row until it finds a page (the whole table for a prefix late in the alphabet). A broad
    search (thousands of matches) makes that sort slow; when ``walkable`` (``order`` is served by an index, with no
    NULLs) a bounded walk of that index is tried first (see ``_walk``). A page costs one query when the walk finds
    it or there is no search, two otherwise.
    """
    counted = statement.add_columns(_capped_count_column(statement))
    rows: list[tuple[Any, ...]] | None = None
    if query.q and walkable:
        rows = await _walk(session, counted, query, order)
    if not rows:
        if query.q:
            order = tuple(column if isinstance(column.type, DateTime) else _unindexed(column) for column in order)
        rows = await _fetch(session, counted, query, order)
    if rows:
        total, rows = int(rows[0][-1]), [row[:-1] for row in rows]
    else:
        total = await capped_count(session, statement) if query.offset else 0
    capped = total > COUNT_CAP
    has_next = len(rows) > query.per_page
    if capped and rows and not has_next:  # the last page of a long list: now the total is known
        total, capped = query.offset + len(rows), False
    elif capped:
        total = COUNT_CAP
    return Page(rows=rows[: query.per_page], total=total, query=query, capped=capped, has_next=has_next)


async def _fetch(
    session: AsyncSession, statement: Select[Any], query: ListQuery, order: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    ordered = [column.desc() if query.desc else column for column in order]
    paged = statement.order_by(*ordered).limit(query.per_page + 1).offset(query.offset)
    return [tuple(row) for row in (await session.execute(paged)).all()]


async def _walk(
    session: AsyncSession, statement: Select[Any], query: ListQuery, order: tuple[Any, ...]
) -> list[tuple[Any, ...]] | None:
    """The page from a walk of the sort-order index bounded to its first ``WALK_ROWS``-odd entries, or ``None``.

    Broad matches are usually spread through the sort order and the walk finds a page in a few hundred rows; when
    they cluster (every "Lovelace" sits in one stretch of the name order) or are few, the bound stops the walk, the
    page comes up short and the caller sorts instead. The bound (the sort key that many rows in) is a subquery of
    the same statement, computed once before the walk; in a smaller table it is NULL and the walk finds nothing.
    """
    wanted = query.offset + query.per_page + 1
    ordered = [column.desc() if query.desc else column for column in order]
    reach = max(WALK_ROWS, 20 * wanted)
    bound = select(*order).order_by(*ordered).offset(reach - 1).limit(1).correlate(None).scalar_subquery()
    keys = tuple_(*order)
    rows = await _fetch(session, statement.where(keys >= bound if query.desc else keys <= bound), query, order)
    return rows if len(rows) > query.per_page else None


async def list_contacts(session: AsyncSession, query: ListQuery) -> Page:
    """One page of contacts: rows are ``(Person, lifecycle_stage | None)``."""
    return await _page(
        session, contacts_statement(query), query, CONTACT_SORTS[query.sort], walkable=query.sort == "name"
    )


async def list_companies(session: AsyncSession, query: ListQuery) -> Page:
    """One page of companies: rows are ``(Organization, lifecycle_stage | None)``."""
    return await _page(session, companies_statement(query), query, COMPANY_SORTS[query.sort])


async def tags_in_use(session: AsyncSession, model: type[Person] | type[Organization]) -> list[str]:
    rows = await session.scalars(select(func.unnest(model.tags).label("tag")).distinct().order_by("tag").limit(200))
    return [str(row) for row in rows]
