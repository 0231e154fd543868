"""The timeline of a contact, company, opportunity or case: activities, cases, deals and case messages by date.

Each source returns the entries of one record. The CRM's own sources are in ``TIMELINE_SOURCES``; other modules add
theirs with ``register_source(module_key, source)`` (the ERP does, from ``nexo.modules.erp.crm_links``), and a
registered source runs only while its module is on in the workspace.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import Activity, CaseMessage, Lead, Opportunity, SupportCase


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    kind: str  # call, meeting, email, note, task, case, reply, internal, opportunity, lead
    title: str
    body: str = ""
    link: str = ""  # relative to the workspace's CRM root, e.g. "opportunities/3"
    done: bool | None = None
    due_date: datetime.date | None = None
    activity_id: int | None = None
    area: str = "crm"  # the link is relative to /w/<workspace>/<area>/; "erp" for ERP documents


@dataclass(frozen=True)
class Subject:
    """Which record's timeline: exactly one of the ids is set."""

    person_id: int | None = None
    organization_id: int | None = None
    opportunity_id: int | None = None
    case_id: int | None = None


def _activity_filter(subject: Subject) -> ColumnElement[bool]:
    if subject.person_id is not None:
        return Activity.person_id == subject.person_id
    if subject.organization_id is not None:
        return Activity.organization_id == subject.organization_id
    if subject.opportunity_id is not None:
        return Activity.opportunity_id == subject.opportunity_id
    return Activity.case_id == subject.case_id


async def _activities(session: AsyncSession, subject: Subject) -> list[TimelineEntry]:
    rows = await session.scalars(select(Activity).where(_activity_filter(subject)).order_by(Activity.id.desc()))
    return [
        TimelineEntry(
            a.created_at, a.kind, a.subject, a.body or "", "", a.done if a.kind == "task" else None, a.due_date, a.id
        )
        for a in rows
    ]


async def _cases(session: AsyncSession, subject: Subject) -> list[TimelineEntry]:
    if subject.person_id is None and subject.organization_id is None:
        return []
    column = SupportCase.person_id if subject.person_id is not None else SupportCase.organization_id
    record_id = subject.person_id if subject.person_id is not None else subject.organization_id
    rows = await session.scalars(select(SupportCase).where(column == record_id))
    return [TimelineEntry(c.created_at, "case", f"Case opened: {c.subject}", c.status, f"cases/{c.id}") for c in rows]


async def _case_messages(session: AsyncSession, subject: Subject) -> list[TimelineEntry]:
    if subject.case_id is None:
        return []
    rows = await session.scalars(select(CaseMessage).where(CaseMessage.case_id == subject.case_id))
    return [
        TimelineEntry(
            m.created_at,
            "internal" if m.internal else "reply",
            ("Internal note by " if m.internal else "Reply by ") + (m.author_label or "someone"),
            m.body,
        )
        for m in rows
    ]


async def _deals(session: AsyncSession, subject: Subject) -> list[TimelineEntry]:
    if subject.person_id is None and subject.organization_id is None:
        return []
    conditions = []
    if subject.person_id is not None:
        conditions = [Opportunity.person_id == subject.person_id]
    else:
        conditions = [Opportunity.organization_id == subject.organization_id]
    rows = await session.scalars(select(Opportunity).where(or_(*conditions)))
    entries = [
        TimelineEntry(
            o.created_at, "opportunity", f"Opportunity: {o.title}", f"{o.status} · {o.amount}", f"opportunities/{o.id}"
        )
        for o in rows
    ]
    lead_column = Lead.person_id if subject.person_id is not None else Lead.organization_id
    record_id = subject.person_id if subject.person_id is not None else subject.organization_id
    leads = await session.scalars(select(Lead).where(lead_column == record_id))
    entries += [
        TimelineEntry(lead.created_at, "lead", f"Lead: {lead.title}", lead.status, f"leads/{lead.id}") for lead in leads
    ]
    return entries


TimelineSource = Callable[[AsyncSession, Subject], Awaitable[list[TimelineEntry]]]
TIMELINE_SOURCES: list[TimelineSource] = [_activities, _cases, _case_messages, _deals]
# (module key, source): sources of other modules, each run only while its module is on.
MODULE_TIMELINE_SOURCES: list[tuple[str, TimelineSource]] = []


def register_source(module_key: str, source: TimelineSource) -> None:
    """Add another module's source (once: registering the same source again changes nothing)."""
    if (module_key, source) not in MODULE_TIMELINE_SOURCES:
        MODULE_TIMELINE_SOURCES.append((module_key, source))


async def timeline(
    session: AsyncSession, subject: Subject, modules: frozenset[str] = frozenset()
) -> list[TimelineEntry]:
    """Every entry of every source, newest first; ``modules`` are the workspace's enabled modules."""
    entries: list[TimelineEntry] = []
    for source in TIMELINE_SOURCES:
        entries += await source(session, subject)
    for module_key, source in MODULE_TIMELINE_SOURCES:
        if module_key in modules:
            entries += await source(session, subject)
    return sorted(entries, key=lambda e: _aware(e.when), reverse=True)


def _aware(when: datetime.datetime) -> datetime.datetime:
    """Dates of documents (midnight, naive) sort together with the CRM's UTC timestamps."""
    return when if when.tzinfo is not None else when.replace(tzinfo=datetime.UTC)
