"""The billing page of a workspace (owners only): items, next invoice, past invoices, the card."""

from __future__ import annotations

import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.billing.accounts import lock_account
from nexo.billing.catalog import price_for
from nexo.billing.models import BillingAccount, SubscriptionItem
from nexo.billing.provider import get_provider
from nexo.platform.modules.registry import get_registry
from nexo.platform.tenancy.context import Role, TenantContext, require_role
from nexo.platform.web.errors import ProblemError
from nexo.platform.web.kit import MultiFormData
from nexo.platform.web.rendering import render
from nexo.tenants import audit

OWNER_ONLY = {**require_role(Role.OWNER), "allow_when_read_only": True}


def _money(minor: int | None, currency: str | None) -> str:
    return f"{(minor or 0) / 100:.2f} {(currency or 'eur').upper()}"


def _date(timestamp: int | None) -> str:
    if not timestamp:
        return ""
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")


def _invoice_view(invoice: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": invoice.get("number") or invoice.get("id", ""),
        "date": _date(invoice.get("created") or invoice.get("date")),
        "total": _money(invoice.get("total"), invoice.get("currency")),
        "status": invoice.get("status", ""),
    }


def _modules_by_subscription(items: list[SubscriptionItem]) -> dict[str, list[str]]:
    """The module keys each distinct subscription bills (one upcoming invoice per subscription)."""
    grouped: dict[str, list[str]] = {}
    for item in items:
        grouped.setdefault(item.subscription_id, []).append(item.module_key)
    return grouped


async def _account(db_session: AsyncSession, tenant: TenantContext) -> BillingAccount:
    if not get_provider().enabled:
        raise NotFoundException("Billing is off on this server.")
    account = await db_session.scalar(select(BillingAccount).where(BillingAccount.tenant_id == tenant.tenant_id))
    if account is None:
        raise NotFoundException("This workspace has no billing account yet.")
    return account


class BillingPages(Controller):
    path = "/settings/billing"
    opt = OWNER_ONLY

    @get("/", name="billing.page")
    async def page(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        account = await _account(db_session, tenant)
        provider = get_provider()
        items = list(
            await db_session.scalars(
                select(SubscriptionItem)
                .where(SubscriptionItem.tenant_id == tenant.tenant_id)
                .order_by(SubscriptionItem.module_key)
            )
        )
        registry = get_registry()
        item_views = [
            {
                "module": registry.get(i.module_key).name if i.module_key in registry else i.module_key,
                "price": price_for(i.module_key),
                "status": i.status,
            }
            for i in items
        ]
        invoices, upcoming = [], []
        if account.customer_id:
            invoices = [_invoice_view(i) for i in await provider.list_invoices(account.customer_id)]
            for subscription_id, modules in _modules_by_subscription(items).items():
                preview = await provider.preview_invoice(account.customer_id, subscription_id)
                if preview:
                    upcoming.append(_invoice_view(preview) | {"module": ", ".join(modules)})
        context = {
            "account": account,
            "items": item_views,
            "invoices": invoices,
            "upcoming": upcoming,
            "publishable_key": provider.publishable_key,
            "stripe_js_url": provider.js_url,
        }
        return render(request, "billing/page.html", context)

    @post("/setup-intent", name="billing.setup_intent")
    async def setup_intent(self, tenant: TenantContext, db_session: AsyncSession) -> Response[dict[str, str]]:
        account = await _account(db_session, tenant)
        if not account.customer_id:
            raise ProblemError(409, "The billing account is still being set up; try again in a minute.", "not-ready")
        return Response({"client_secret": await get_provider().create_setup_intent(account.customer_id)})

    @post("/card", name="billing.card")
    async def save_card(self, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData) -> Redirect:
        account = await _account(db_session, tenant)
        locked = await lock_account(db_session, tenant.tenant_id)
        assert locked is not None and account.customer_id
        setup_intent = str(data.get("setup_intent", ""))
        if not setup_intent.startswith("seti_"):
            raise ProblemError(400, "The card form did not send a confirmed card setup.", "bad-card")
        try:
            method, label = await get_provider().set_default_card_from_setup_intent(account.customer_id, setup_intent)
        except ValueError as exc:
            raise ProblemError(400, str(exc), "bad-card") from exc
        locked.default_payment_method, locked.card_label = method, label
        await audit.record(db_session, "billing.card_changed", target=label, **tenant.actor)
        await db_session.commit()  # the request session commits 2xx responses only, and this one redirects
        return Redirect(f"/w/{tenant.slug}/settings/billing")
