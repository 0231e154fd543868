"""The directory's card on the workspace home: how many people and organizations the workspace knows."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.services import directory_counts
from nexo.platform.modules.home import Card, Figure, HomeContext


async def cards(session: AsyncSession, context: HomeContext) -> list[Card]:
    counts = await directory_counts(session)
    people = context.url("directory/people")
    return [
        Card(
            key="directory",
            title="Directory",
            order=80,
            figures=(Figure("People", str(counts.people), people), Figure("Organizations", str(counts.organizations))),
        )
    ]
