"""Seams through which other modules (ERP) extend CRM pages without the CRM importing them.

A module registers providers here when its code is imported (the ERP does so from ``nexo.modules.erp.crm_links``);
each provider names the module that must be on in the workspace, and the CRM calls only the providers whose module
is on. So the CRM runs unchanged with the ERP switched off, and never imports ERP code itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import Opportunity
from nexo.platform.tenancy.context import TenantContext


class IntegrationError(ValueError):
    """A provider refused the request; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class DocumentLink:
    """A document of another module, with its address relative to the workspace root (``erp/sales/quotes/3``)."""

    label: str
    path: str


@dataclass(frozen=True)
class QuoteProvider:
    """Turns a won opportunity into a quote (``erp.sales``).

    ``existing`` finds the opportunity's quote; ``choices`` lists the products a quote line can use (id, label);
    ``create`` makes the quote from the opportunity and the form fields, or returns the existing one (idempotent),
    raising ``IntegrationError`` on bad input.
    """

    module: str
    existing: Callable[[AsyncSession, int], Awaitable[DocumentLink | None]]
    choices: Callable[[AsyncSession], Awaitable[list[tuple[int, str]]]]
    create: Callable[[AsyncSession, TenantContext, Opportunity, dict[str, str]], Awaitable[DocumentLink]]


@dataclass(frozen=True)
class BalanceProvider:
    """What a company owes the workspace (``erp.accounting``): ``balance(session, organization_id, currency)``,
    rounded to the currency's minor unit."""

    module: str
    balance: Callable[[AsyncSession, int, str], Awaitable[Decimal]]


QUOTE_PROVIDERS: list[QuoteProvider] = []
BALANCE_PROVIDERS: list[BalanceProvider] = []


def register_quote_provider(provider: QuoteProvider) -> None:
    if all(p.module != provider.module for p in QUOTE_PROVIDERS):
        QUOTE_PROVIDERS.append(provider)


def register_balance_provider(provider: BalanceProvider) -> None:
    if all(p.module != provider.module for p in BALANCE_PROVIDERS):
        BALANCE_PROVIDERS.append(provider)


def quote_provider(modules: frozenset[str]) -> QuoteProvider | None:
    """The quote provider whose module is on in the workspace, if any."""
    return next((p for p in QUOTE_PROVIDERS if p.module in modules), None)


def balance_provider(modules: frozenset[str]) -> BalanceProvider | None:
    return next((p for p in BALANCE_PROVIDERS if p.module in modules), None)
