"""The payment provider seam: ``stripe`` when a secret key is configured, ``off`` otherwise (self-hosted).

Everything else in ``nexo.billing`` talks to the provider through :class:`BillingProvider`, so the rest of the
code never imports the Stripe SDK. ``off`` means every module is free and no billing page exists.
"""

from __future__ import annotations

import asyncio
import datetime
import weakref
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import stripe

from nexo.platform.i18n.catalog import gettext
from nexo.platform.settings import BillingSettings, Settings

WEBHOOK_TOLERANCE_SECONDS = 300


class BillingOffError(RuntimeError):
    """A billing operation was asked for while billing is off."""


class WebhookSignatureError(ValueError):
    """The webhook's signature is missing, wrong or too old: the payload must not be trusted."""


@dataclass(frozen=True)
class ProviderItem:
    id: str
    price_id: str


@dataclass(frozen=True)
class ProviderSubscription:
    id: str
    items: tuple[ProviderItem, ...]
    status: str
    customer_id: str
    metadata: dict[str, str]
    trial_end: int | None


class BillingProvider(Protocol):
    name: str

    @property
    def enabled(self) -> bool: ...

    @property
    def publishable_key(self) -> str: ...

    @property
    def js_url(self) -> str: ...

    async def ensure_price(self, module_key: str, name: str, unit_amount: int, currency: str) -> tuple[str, str]:
        """Create or find the module's product and monthly price; return ``(product_id, price_id)``."""
        ...

    async def create_customer(self, *, tenant_id: int, name: str, email: str) -> str: ...

    async def create_subscription(
        self, *, customer_id: str, price_id: str, tenant_id: int, module_key: str, trial_end: datetime.datetime | None
    ) -> ProviderSubscription: ...

    async def cancel_subscription(self, subscription_id: str) -> None: ...

    async def retrieve_subscription(self, subscription_id: str) -> ProviderSubscription: ...

    async def list_subscriptions(self, customer_id: str) -> list[ProviderSubscription]: ...

    async def list_invoices(self, customer_id: str) -> list[dict[str, Any]]: ...

    async def preview_invoice(self, customer_id: str, subscription_id: str) -> dict[str, Any] | None: ...

    async def create_setup_intent(self, customer_id: str) -> str: ...

    async def set_default_card_from_setup_intent(self, customer_id: str, setup_intent_id: str) -> tuple[str, str]:
        """Attach the SetupIntent's card to the customer as default for invoices; ``(payment_method_id, label)``."""
        ...

    def verify_webhook(self, payload: bytes, signature: str | None) -> dict[str, Any]: ...


class OffProvider:
    """Self-hosted: no payment provider, every module free."""

    name = "off"
    enabled = False
    publishable_key = ""
    js_url = ""

    def __getattr__(self, attribute: str) -> Any:
        raise BillingOffError(f"billing is off (no NEXO_STRIPE_SECRET_KEY): {attribute} is unavailable")


class StripeProvider:
    """Stripe through its official SDK, optionally pointed at another endpoint (``NEXO_STRIPE_API_BASE``)."""

    name = "stripe"
    enabled = True

    def __init__(self, settings: BillingSettings) -> None:
        self.settings = settings
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, stripe.StripeClient] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def client(self) -> stripe.StripeClient:
        """A client per event loop: its async HTTP connections belong to the loop that opened them."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = stripe.StripeClient(
                self.settings.stripe_secret_key,
                base_addresses={"api": self.settings.stripe_api_base} if self.settings.stripe_api_base else {},
                http_client=stripe.HTTPXClient(),
                max_network_retries=2,
            )
            self._clients[loop] = client
        return client

    @property
    def publishable_key(self) -> str:
        return self.settings.stripe_publishable_key

    @property
    def js_url(self) -> str:
        return self.settings.stripe_js_url

    async def ensure_price(self, module_key: str, name: str, unit_amount: int, currency: str) -> tuple[str, str]:
        # Deterministic ids make the sync idempotent: a changed amount is a new price, the old one stays for
        # subscriptions that use it. Plans are prices in Stripe (and the only kind some test endpoints speak).
        product_id = f"nexo-module-{module_key.replace('.', '-')}"
        price_id = f"{product_id}-{unit_amount}-{currency.lower()}-month"
        try:
            await self.client.v1.products.retrieve_async(product_id)
            await self.client.v1.products.update_async(product_id, {"name": name, "metadata": {"module": module_key}})
        except stripe.InvalidRequestError:
            await self.client.v1.products.create_async(
                {"id": product_id, "name": name, "metadata": {"module": module_key}}
            )
        try:
            await self.client.v1.plans.retrieve_async(price_id)
        except stripe.InvalidRequestError:
            await self.client.v1.plans.create_async(
                {
                    "id": price_id,
                    "product": product_id,
                    "amount": unit_amount,
                    "currency": currency.lower(),
                    "interval": "month",
                    "metadata": {"module": module_key},
                }
            )
        return product_id, price_id

    async def create_customer(self, *, tenant_id: int, name: str, email: str) -> str:
        customer = await self.client.v1.customers.create_async(
            {"name": name, "email": email, "metadata": {"tenant_id": str(tenant_id)}},
            {"idempotency_key": f"nexo-customer-{tenant_id}"},
        )
        return str(customer.id)

    async def create_subscription(
        self, *, customer_id: str, price_id: str, tenant_id: int, module_key: str, trial_end: datetime.datetime | None
    ) -> ProviderSubscription:
        params: dict[str, Any] = {
            "customer": customer_id,
            "items": [{"plan": price_id}],
            "metadata": {"tenant_id": str(tenant_id), "module": module_key},
            "proration_behavior": "create_prorations",
        }
        if trial_end is not None:
            params["trial_end"] = int(trial_end.timestamp())
        subscription = await self.client.v1.subscriptions.create_async(params)  # type: ignore[arg-type]
        return _subscription(subscription)

    async def cancel_subscription(self, subscription_id: str) -> None:
        """Cancel now; the unused part of the paid period becomes a credit on the customer's next invoice."""
        try:
            await self.client.v1.subscriptions.cancel_async(subscription_id, {"prorate": True})
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise

    async def retrieve_subscription(self, subscription_id: str) -> ProviderSubscription:
        return _subscription(await self.client.v1.subscriptions.retrieve_async(subscription_id))

    async def list_subscriptions(self, customer_id: str) -> list[ProviderSubscription]:
        page = await self.client.v1.subscriptions.list_async({"customer": customer_id, "status": "all", "limit": 100})
        return [_subscription(s) for s in page.data]

    async def list_invoices(self, customer_id: str) -> list[dict[str, Any]]:
        page = await self.client.v1.invoices.list_async({"customer": customer_id, "limit": 24})
        return [invoice.to_dict() for invoice in page.data]

    async def preview_invoice(self, customer_id: str, subscription_id: str) -> dict[str, Any] | None:
        try:
            invoice = await self.client.v1.invoices.create_preview_async(
                {"customer": customer_id, "subscription": subscription_id}
            )
        except stripe.InvalidRequestError:
            return None
        return invoice.to_dict()

    async def create_setup_intent(self, customer_id: str) -> str:
        intent = await self.client.v1.setup_intents.create_async(
            {"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"]}  # type: ignore[arg-type]
        )
        return str(intent.client_secret)

    async def set_default_card_from_setup_intent(self, customer_id: str, setup_intent_id: str) -> tuple[str, str]:
        intent = await self.client.v1.setup_intents.retrieve_async(setup_intent_id)
        if intent.status != "succeeded" or not intent.payment_method:
            raise ValueError(gettext("The card was not confirmed."))
        if intent.customer not in (None, customer_id):
            raise ValueError(gettext("This card setup belongs to another customer."))
        payment_method_id = str(intent.payment_method)
        return await self.set_default_payment_method(customer_id, payment_method_id)

    async def set_default_payment_method(self, customer_id: str, payment_method_id: str) -> tuple[str, str]:
        method = await self.client.v1.payment_methods.attach_async(payment_method_id, {"customer": customer_id})
        await self.client.v1.customers.update_async(
            customer_id, {"invoice_settings": {"default_payment_method": payment_method_id}}
        )
        card = method.card
        label = f"{card.brand} •••• {card.last4}" if card else "card"
        return payment_method_id, label

    def verify_webhook(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self.settings.stripe_webhook_secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise WebhookSignatureError(str(exc)) from exc
        payload_dict: dict[str, Any] = event.to_dict()
        return payload_dict

    @property
    def js_origin(self) -> str:
        return stripe_js_origin(self.settings)


def _subscription(stripe_object: Any) -> ProviderSubscription:
    subscription: dict[str, Any] = stripe_object.to_dict()
    items = tuple(
        ProviderItem(id=str(item["id"]), price_id=str((item.get("price") or item.get("plan") or {}).get("id", "")))
        for item in subscription["items"]["data"]
    )
    return ProviderSubscription(
        id=str(subscription["id"]),
        items=items,
        status=str(subscription["status"]),
        customer_id=str(subscription["customer"]),
        metadata=dict(subscription.get("metadata") or {}),
        trial_end=subscription.get("trial_end"),
    )


def stripe_js_origin(settings: BillingSettings) -> str:
    parts = urlsplit(settings.stripe_js_url)
    return f"{parts.scheme}://{parts.netloc}"


_provider: BillingProvider = OffProvider()


def configure(settings: Settings) -> BillingProvider:
    """Select the provider from the settings (at app start, in the worker, in the CLI)."""
    global _provider
    _provider = StripeProvider(settings.billing) if settings.billing.provider == "stripe" else OffProvider()
    return _provider


def get_provider() -> BillingProvider:
    return _provider
