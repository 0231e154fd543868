"""Duplicate suggestions and merges of contacts (people) and companies (organizations).

Suggestions: same e-mail (any of the typed ones), same phone (digits compared), or a similar name. Name similarity is
computed portably (no pg_trgm): candidates share the first letters of the name (an indexed prefix query), then
``difflib`` scores them. A merge keeps one record (the survivor), fills its empty fields from the other, unites
e-mails, phones, addresses and tags, moves every timeline entry (activities, deals, cases, leads) to it, deletes the
other and writes an audit entry with what was merged. Other modules re-key their rows through ``MERGE_HOOKS``.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.forms import normalize_phone
from nexo.modules.crm.models import Activity, CompanyProfile, ContactProfile, Lead, Opportunity, SupportCase
from nexo.modules.directory.models import EmailAddress, Organization, Person, PhoneNumber, PostalAddress
from nexo.platform.i18n.catalog import gettext
from nexo.tenants.audit import record

NAME_SIMILARITY = 0.82
Record = Person | Organization
MergeHook = Callable[[AsyncSession, str, int, int], Awaitable[None]]
# ``hook(session, "person" | "organization", loser_id, survivor_id)``: other modules move their rows to the survivor.
MERGE_HOOKS: list[MergeHook] = []
PERSON_FIELDS = ("first_name", "last_name", "job_title", "email", "phone", "organization_id", "owner_id", "notes")
ORGANIZATION_FIELDS = ("name", "email", "phone", "website", "owner_id", "notes")


class MergeError(ValueError):
    pass


@dataclass(frozen=True)
class Suggestion:
    record: Record
    reasons: tuple[str, ...]
    score: float


@dataclass
class MergePreview:
    survivor: Record
    other: Record
    fields: list[tuple[str, Any, Any, Any]] = field(default_factory=list)  # name, survivor's, other's, result
    tags: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # what moves to the survivor: timeline entries by kind


def _name(record: Record) -> str:
    return (record.full_name if isinstance(record, Person) else record.name).lower().strip()


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


async def suggestions(session: AsyncSession, target: Record, limit: int = 20) -> list[Suggestion]:
    model: Any = type(target)
    key = "person_id" if isinstance(target, Person) else "organization_id"
    emails = {e.address.lower() for e in target.emails} | ({target.email.lower()} if target.email else set())
    phones = {normalize_phone(p.number) for p in target.phones} | (
        {normalize_phone(target.phone)} if target.phone else set()
    )
    phones = {p for p in phones if len(p.lstrip("+")) >= 6}
    conditions: list[Any] = []
    if emails:
        email_owners = select(getattr(EmailAddress, key)).where(func.lower(EmailAddress.address).in_(emails))
        conditions += [func.lower(model.email).in_(emails), model.id.in_(email_owners)]
    if phones:
        conditions.append(model.id.in_(select(getattr(PhoneNumber, key)).where(PhoneNumber.normalized.in_(phones))))
    name_column = model.last_name if isinstance(target, Person) else model.name
    prefix_source = target.last_name if isinstance(target, Person) else target.name
    prefix = prefix_source.strip().lower()[:3]
    if prefix:
        conditions.append(func.lower(name_column).like(prefix.replace("%", r"\%").replace("_", r"\_") + "%"))
    if not conditions:
        return []
    candidates = await session.scalars(select(model).where(or_(*conditions), model.id != target.id).limit(500))
    found: list[Suggestion] = []
    own_name = _name(target)
    for candidate in candidates:
        reasons: list[str] = []
        candidate_emails = {e.address.lower() for e in candidate.emails} | (
            {candidate.email.lower()} if candidate.email else set()
        )
        if emails & candidate_emails:
            reasons.append("same e-mail")
        candidate_phones = {normalize_phone(p.number) for p in candidate.phones} | (
            {normalize_phone(candidate.phone)} if candidate.phone else set()
        )
        if phones & candidate_phones:
            reasons.append("same phone")
        score = _similar(own_name, _name(candidate))
        if score >= NAME_SIMILARITY:
            reasons.append("same name" if score == 1 else "similar name")
        if reasons:
            found.append(Suggestion(candidate, tuple(reasons), score + len(reasons)))
    return sorted(found, key=lambda s: -s.score)[:limit]


def _unique(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value.lower() not in {s.lower() for s in seen}:
            seen.append(value)
    return seen


async def _moved_counts(session: AsyncSession, key: str, other_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label, model in (
        ("activities", Activity),
        ("opportunities", Opportunity),
        ("cases", SupportCase),
        ("leads", Lead),
    ):
        counts[label] = int(await session.scalar(select(func.count()).where(getattr(model, key) == other_id)) or 0)
    if key == "organization_id":
        counts["people"] = int(
            await session.scalar(select(func.count()).where(Person.organization_id == other_id)) or 0
        )
    return counts


async def preview_merge(session: AsyncSession, survivor: Record, other: Record) -> MergePreview:
    if type(survivor) is not type(other):
        raise MergeError(gettext("Only two contacts or two companies can be merged."))
    if survivor.id == other.id:
        raise MergeError(gettext("Choose two different records."))
    names = PERSON_FIELDS if isinstance(survivor, Person) else ORGANIZATION_FIELDS
    preview = MergePreview(survivor=survivor, other=other)
    for name in names:
        mine, theirs = getattr(survivor, name), getattr(other, name)
        if name == "notes" and mine and theirs and mine != theirs:
            result: Any = f"{mine}\n\n{theirs}"
        else:
            result = mine if mine not in (None, "") else theirs
        preview.fields.append((name, mine, theirs, result))
    preview.tags = _unique([*survivor.tags, *other.tags])
    preview.emails = _unique([e.address for e in [*survivor.emails, *other.emails]])
    preview.phones = _unique([p.number for p in [*survivor.phones, *other.phones]])
    preview.addresses = _unique([a.one_line for a in [*survivor.addresses, *other.addresses]])
    key = "person_id" if isinstance(survivor, Person) else "organization_id"
    preview.moved = await _moved_counts(session, key, other.id)
    return preview


async def merge(session: AsyncSession, survivor: Record, other: Record, *, actor: dict[str, Any]) -> MergePreview:
    """Merge ``other`` into ``survivor`` in the caller's transaction; returns what was done."""
    preview = await preview_merge(session, survivor, other)
    is_person = isinstance(survivor, Person)
    key = "person_id" if is_person else "organization_id"
    snapshot = {name: _plain(getattr(other, name)) for name in (PERSON_FIELDS if is_person else ORGANIZATION_FIELDS)}
    for name, _mine, _theirs, result in preview.fields:
        setattr(survivor, name, result)
    survivor.tags = preview.tags
    known_emails = {e.address.lower() for e in survivor.emails}
    known_phones = {normalize_phone(p.number) for p in survivor.phones}
    known_addresses = {a.one_line.lower() for a in survivor.addresses}
    moving_emails = [e for e in other.emails if e.address.lower() not in known_emails]
    moving_phones = [p for p in other.phones if normalize_phone(p.number) not in known_phones]
    moving_addresses = [a for a in other.addresses if a.one_line.lower() not in known_addresses]
    for model, rows in ((EmailAddress, moving_emails), (PhoneNumber, moving_phones), (PostalAddress, moving_addresses)):
        ids = [row.id for row in rows]
        if ids:
            values: dict[str, Any] = {key: survivor.id}
            if model is not PostalAddress:
                values["is_primary"] = False
            await session.execute(update(model).where(model.id.in_(ids)).values(values))
    for timeline_model in (Activity, Opportunity, SupportCase, Lead):
        column = getattr(timeline_model, key)
        await session.execute(update(timeline_model).where(column == other.id).values({key: survivor.id}))
    if is_person:
        await _merge_profile(session, ContactProfile, "person_id", survivor.id, other.id)
    else:
        await _merge_profile(session, CompanyProfile, "organization_id", survivor.id, other.id)
        await session.execute(
            update(Person).where(Person.organization_id == other.id).values(organization_id=survivor.id)
        )
    for hook in MERGE_HOOKS:
        await hook(session, "person" if is_person else "organization", other.id, survivor.id)
    await session.flush()
    await session.refresh(other)
    await session.refresh(survivor)
    await session.delete(other)
    await session.flush()
    await record(
        session,
        "crm.merge",
        target=f"{'contact' if is_person else 'company'}:{survivor.id}",
        **actor,
        details={"merged_id": other.id, "merged": snapshot, "moved": preview.moved},
    )
    return preview


async def _merge_profile(session: AsyncSession, model: Any, key: str, survivor_id: int, other_id: int) -> None:
    mine = await session.scalar(select(model).where(getattr(model, key) == survivor_id))
    theirs = await session.scalar(select(model).where(getattr(model, key) == other_id))
    if mine is None and theirs is not None:
        setattr(theirs, key, survivor_id)
    elif theirs is not None:
        await session.delete(theirs)
    await session.flush()


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None) | list) else str(value)


__all__ = ["MERGE_HOOKS", "MergeError", "MergePreview", "Suggestion", "merge", "preview_merge", "suggestions"]
