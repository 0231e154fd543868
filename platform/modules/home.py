"""The workspace home: every enabled module contributes cards (figures, a chart, links into its filtered lists).

A module names its provider in its manifest (``home="nexo.modules.crm.home:cards"``), the same dotted form as its
controllers; the home page calls the providers of the workspace's enabled modules, so the home never imports a
module and a switched-off module's cards are gone with it. Providers only read, inside the request's tenant
transaction, and return plain values; the template lays them out.
"""

from __future__ import annotations

import datetime
import importlib
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.modules.manifest import Manifest


@dataclass(frozen=True)
class HomeContext:
    """Who is looking, where, and when (``today`` in the workspace's time zone)."""

    slug: str
    user_id: int
    currency: str
    today: datetime.date
    modules: frozenset[str]

    def url(self, path: str) -> str:
        return f"/w/{self.slug}/{path}"

    def money(self, amount: Decimal) -> str:
        return f"{amount.quantize(Decimal('0.01')):,.2f} {self.currency}"


@dataclass(frozen=True)
class Figure:
    """A labelled value, a link into the list behind it; ``alert`` marks what needs attention (overdue...)."""

    label: str
    value: str
    href: str = ""
    alert: bool = False


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A Chart.js chart, drawn by home.js from the JSON in a data attribute (no inline script: the CSP)."""

    kind: str  # "bar" or "line"
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    description: str  # what the chart shows, for screen readers (the figures carry the numbers too)

    def to_json(self) -> str:
        datasets = [{"label": s.label, "data": list(s.values)} for s in self.series]
        return json.dumps({"type": self.kind, "labels": list(self.labels), "datasets": datasets})


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    order: int  # cards are shown by ascending order, whatever module they come from
    figures: tuple[Figure, ...] = ()
    items: tuple[Figure, ...] = ()  # a short list (recent activity, tasks due), each a link
    chart: Chart | None = None
    empty: str = ""  # shown when there is nothing to list yet: what to do next
    links: tuple[Figure, ...] = field(default=())  # "see all" style links under the card


HomeProvider = Callable[[AsyncSession, HomeContext], Awaitable[list[Card]]]


def load_provider(dotted: str) -> HomeProvider:
    module_name, _, attribute = dotted.partition(":")
    provider: HomeProvider = getattr(importlib.import_module(module_name), attribute)
    return provider


async def home_cards(session: AsyncSession, context: HomeContext, manifests: Iterable[Manifest]) -> list[Card]:
    """The cards of the enabled modules with a home provider, in display order."""
    cards: list[Card] = []
    for manifest in manifests:
        if manifest.home and manifest.key in context.modules:
            cards.extend(await load_provider(manifest.home)(session, context))
    return sorted(cards, key=lambda card: (card.order, card.key))
