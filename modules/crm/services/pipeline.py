"""The pipeline: the tenant's own stages, opportunities on the board, moves, won/lost, forecast per stage."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from nexo.modules.crm.models import Opportunity, OpportunityStatus, Stage, StageKind
from nexo.modules.crm.services.base import CrmService
from nexo.modules.crm.services.events import deleted_event, opportunity_event
from nexo.modules.crm.services.integrations import quote_provider
from nexo.platform.db.base import utcnow
from nexo.platform.i18n.catalog import N_, gettext, use_language, workspace_language
from nexo.platform.refusals import ConflictError

# Seeded in the workspace's language (the names are then the workspace's own data, renamed at will).
DEFAULT_STAGES = (
    (N_("Qualification"), 10, StageKind.OPEN),
    (N_("Needs analysis"), 25, StageKind.OPEN),
    (N_("Proposal"), 50, StageKind.OPEN),
    (N_("Negotiation"), 75, StageKind.OPEN),
    (N_("Won"), 100, StageKind.WON),
    (N_("Lost"), 0, StageKind.LOST),
)


class PipelineError(ConflictError):
    """A move or change the pipeline refuses (409 ``conflict`` on the API, an inline error on the pages); the
    message is for people."""


@dataclass(frozen=True)
class StageInput:
    name: str
    probability: int
    kind: str


@dataclass(frozen=True)
class OpportunityInput:
    """A deal as the pages, the API and lead qualification write it (values already validated)."""

    title: str
    stage_id: int
    amount: Decimal = Decimal(0)
    expected_close_date: datetime.date | None = None
    probability: int | None = None  # None: the stage's
    owner_id: int | None = None  # None on create: the member (or the token's user) creating it
    person_id: int | None = None
    organization_id: int | None = None
    campaign_id: int | None = None  # set on create only (a deal from a campaign's lead)
    notes: str | None = None


@dataclass(frozen=True)
class Column:
    stage: Stage
    cards: list[Opportunity]

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.cards), Decimal(0))

    @property
    def weighted(self) -> Decimal:
        return sum((c.weighted_amount for c in self.cards), Decimal(0))


class StageService(CrmService):
    async def stages(self) -> list[Stage]:
        """The tenant's stages in board order; a new CRM gets the defaults on first use."""
        session = self.session
        stages = list(await session.scalars(select(Stage).order_by(Stage.position, Stage.id)))
        if stages:
            return stages
        with use_language(workspace_language()):
            for position, (name, probability, kind) in enumerate(DEFAULT_STAGES):
                session.add(Stage(name=gettext(name), probability=probability, kind=kind, position=position))
        await session.flush()
        return list(await session.scalars(select(Stage).order_by(Stage.position, Stage.id)))

    async def save_stage(self, stage: Stage | None, values: StageInput) -> Stage:
        session = self.session
        if stage is None:
            last = await session.scalar(select(func.max(Stage.position)))
            stage = Stage(position=(last or 0) + 1)
            session.add(stage)
        stage.name, stage.probability, stage.kind = values.name, values.probability, values.kind
        await session.flush()
        return stage

    async def move_stage(self, stage: Stage, direction: int) -> None:
        """Swap ``stage`` with its neighbour (``-1`` left, ``+1`` right)."""
        stages = await self.stages()
        index = next(i for i, s in enumerate(stages) if s.id == stage.id)
        other = index + direction
        if 0 <= other < len(stages):
            stages[index], stages[other] = stages[other], stages[index]
            for position, item in enumerate(stages):
                item.position = position
            await self.session.flush()

    async def delete_stage(self, stage: Stage) -> None:
        session = self.session
        used = await session.scalar(select(func.count()).where(Opportunity.stage_id == stage.id))
        if used:
            raise PipelineError(
                gettext(
                    "%(count)s opportunities are in “%(stage)s”: move them before deleting the stage.",
                    count=used,
                    stage=stage.name,
                )
            )
        if len(await self.stages()) <= 1:
            raise PipelineError(gettext("A pipeline needs at least one stage."))
        await session.delete(stage)
        await session.flush()


class OpportunityService(CrmService):
    async def create_opportunity(self, values: OpportunityInput) -> Opportunity:
        session = self.session
        stage = await session.get(Stage, values.stage_id)
        if stage is None:
            raise PipelineError(gettext("Choose a stage."))
        last = await session.scalar(select(func.max(Opportunity.position)).where(Opportunity.stage_id == stage.id))
        opportunity = Opportunity(
            title=values.title,
            stage_id=stage.id,
            position=(last if last is not None else -1) + 1,
            amount=values.amount or Decimal(0),
            expected_close_date=values.expected_close_date,
            probability=stage.probability if values.probability is None else values.probability,
            owner_id=values.owner_id or self.context.user_id,
            person_id=values.person_id,
            organization_id=values.organization_id,
            campaign_id=values.campaign_id,
            notes=values.notes,
        )
        self._apply_stage_kind(opportunity, stage, reason=None)
        session.add(opportunity)
        await session.flush()
        await opportunity_event(session, "crm.opportunity.created", opportunity)
        return opportunity

    async def update_opportunity(self, opportunity: Opportunity, values: OpportunityInput) -> Opportunity:
        """Change the deal; a new stage moves it (to the end of that column)."""
        opportunity.title, opportunity.amount = values.title, values.amount
        opportunity.expected_close_date, opportunity.owner_id = values.expected_close_date, values.owner_id
        opportunity.person_id, opportunity.organization_id = values.person_id, values.organization_id
        opportunity.notes = values.notes
        if values.probability is not None:
            opportunity.probability = values.probability
        if values.stage_id and values.stage_id != opportunity.stage_id:
            await self.move(opportunity, values.stage_id, None)
        await self.session.flush()
        await opportunity_event(self.session, "crm.opportunity.updated", opportunity)
        return opportunity

    async def delete_opportunity(self, opportunity: Opportunity) -> None:
        """Delete the deal and its activities; a lead qualified into it keeps its history without the link.

        Refused while another module's document was made from it (an ERP quote, when the module is on in the
        context's modules): the quote names the deal as its origin, so deleting it would quietly break that chain.
        """
        session = self.session
        quotes = quote_provider(self.context.modules)
        quote = await quotes.existing(session, opportunity.id) if quotes is not None else None
        if quote is not None:
            raise PipelineError(
                gettext(
                    "Quote %(quote)s was made from this opportunity: it stays as the deal's record.", quote=quote.label
                )
            )
        opportunity_id = opportunity.id
        await session.delete(opportunity)
        await session.flush()
        await deleted_event(session, "crm.opportunity.deleted", opportunity_id)

    async def move(
        self, opportunity: Opportunity, stage_id: int, position: int | None, *, reason: str | None = None
    ) -> Opportunity:
        """Put the card in ``stage_id`` at ``position`` (end when ``None``), renumbering both columns.

        Moving into a won or lost stage closes the deal (a lost deal needs a reason); moving back to an open stage
        reopens it.
        """
        session = self.session
        stage = await session.get(Stage, stage_id)
        if stage is None:
            raise PipelineError(gettext("There is no such stage in this pipeline."))
        if stage.kind == StageKind.LOST and not (reason or opportunity.close_reason):
            raise PipelineError(gettext("Say why the deal was lost."))
        old_stage_id, old_status = opportunity.stage_id, opportunity.status
        cards = [c for c in await self._column(stage.id) if c.id != opportunity.id]
        index = len(cards) if position is None else max(0, min(position, len(cards)))
        cards.insert(index, opportunity)
        opportunity.stage_id = stage.id
        opportunity.stage = stage
        for number, card in enumerate(cards):
            card.position = number
        if old_stage_id != stage.id:
            for number, card in enumerate(c for c in await self._column(old_stage_id) if c.id != opportunity.id):
                card.position = number
            opportunity.probability = stage.probability
        self._apply_stage_kind(opportunity, stage, reason=reason)
        await session.flush()
        await self._transition_events(opportunity, old_stage_id, old_status)
        return opportunity

    async def _transition_events(self, opportunity: Opportunity, old_stage_id: int | None, old_status: str) -> None:
        """``crm.opportunity.stage_changed`` and, when the status changed, ``won`` / ``lost`` / ``reopened``."""
        session = self.session
        if old_stage_id != opportunity.stage_id:
            await opportunity_event(session, "crm.opportunity.stage_changed", opportunity)
        if old_status != opportunity.status:
            kind = {OpportunityStatus.WON: "won", OpportunityStatus.LOST: "lost"}.get(
                OpportunityStatus(opportunity.status), "reopened"
            )
            await opportunity_event(session, f"crm.opportunity.{kind}", opportunity)

    async def step(self, opportunity: Opportunity, direction: int, stages: list[Stage]) -> Opportunity:
        """The keyboard move: to the previous (``-1``) or next (``+1``) stage, at the end of its column."""
        index = next(i for i, s in enumerate(stages) if s.id == opportunity.stage_id)
        target = index + direction
        if not 0 <= target < len(stages):
            raise PipelineError(gettext("The card is already at the edge of the board."))
        return await self.move(opportunity, stages[target].id, None)

    async def close(self, opportunity: Opportunity, *, won: bool, reason: str, stages: list[Stage]) -> Opportunity:
        kind = StageKind.WON if won else StageKind.LOST
        stage = next((s for s in stages if s.kind == kind), None)
        if not won and not reason.strip():
            raise PipelineError(gettext("Say why the deal was lost."))
        if stage is None:
            old_status = opportunity.status
            opportunity.close_reason = reason.strip() or None
            self._close(opportunity, OpportunityStatus.WON if won else OpportunityStatus.LOST)
            await self.session.flush()
            await self._transition_events(opportunity, opportunity.stage_id, old_status)
            return opportunity
        return await self.move(opportunity, stage.id, None, reason=reason.strip() or None)

    async def board(self, stages: list[Stage]) -> list[Column]:
        cards = await self.session.scalars(
            select(Opportunity).order_by(Opportunity.stage_id, Opportunity.position, Opportunity.id)
        )
        by_stage: dict[int, list[Opportunity]] = {s.id: [] for s in stages}
        for card in cards:
            by_stage.setdefault(card.stage_id, []).append(card)
        return [Column(stage=s, cards=by_stage[s.id]) for s in stages]

    async def forecast(self) -> dict[int, tuple[Decimal, Decimal]]:
        """Per stage id: (total amount, probability-weighted amount) of its open deals, computed in SQL."""
        rows = await self.session.execute(
            select(
                Opportunity.stage_id,
                func.coalesce(func.sum(Opportunity.amount), 0),
                func.coalesce(func.sum(Opportunity.amount * Opportunity.probability / 100), 0),
            )
            .where(Opportunity.status == OpportunityStatus.OPEN)
            .group_by(Opportunity.stage_id)
        )
        return {r[0]: (Decimal(r[1]), Decimal(r[2]).quantize(Decimal("0.01"))) for r in rows}

    async def _column(self, stage_id: int) -> list[Opportunity]:
        rows = await self.session.scalars(
            select(Opportunity).where(Opportunity.stage_id == stage_id).order_by(Opportunity.position, Opportunity.id)
        )
        return list(rows)

    def _apply_stage_kind(self, opportunity: Opportunity, stage: Stage, *, reason: str | None) -> None:
        if stage.kind == StageKind.WON:
            opportunity.close_reason = reason or opportunity.close_reason
            self._close(opportunity, OpportunityStatus.WON)
        elif stage.kind == StageKind.LOST:
            opportunity.close_reason = reason or opportunity.close_reason
            self._close(opportunity, OpportunityStatus.LOST)
        else:
            opportunity.status = OpportunityStatus.OPEN
            opportunity.closed_at = None
            opportunity.close_reason = None

    @staticmethod
    def _close(opportunity: Opportunity, status: OpportunityStatus) -> None:
        opportunity.status = status
        opportunity.closed_at = utcnow()
        opportunity.probability = 100 if status == OpportunityStatus.WON else 0


__all__ = [
    "DEFAULT_STAGES",
    "Column",
    "OpportunityInput",
    "OpportunityService",
    "PipelineError",
    "StageInput",
    "StageService",
]
