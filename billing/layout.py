"""How a tenant's set of paid modules maps onto provider objects: the one place that decides it.

The design bills a tenant through one subscription with one item per enabled paid module, changed with
proration. The Stripe-compatible server the tests run against, localstripe (1.15.10, its newest release), creates
and updates only single-item subscriptions (``items`` of any other length answers "Not implemented"), and its
``/v1/subscription_items`` routes store items that no subscription or invoice ever sees. Nexo's tests run against
a real endpoint and never a hand-written fake, so the layout here is **one subscription per paid module, holding
exactly that module's item**: switching a module on creates its subscription (inside the trial while the trial
runs), switching it off cancels it with a proration credit. The cost is one invoice per paid module instead of
one invoice per tenant.

Everything else in ``nexo.billing`` is layout-neutral: rows store ``(module, subscription, item, price)`` for each
billed module (several rows may share one subscription), state is derived from the statuses of the distinct
subscriptions, and the billing page previews each distinct subscription. Moving to one subscription with items
is a change to :func:`apply_module_set` only: create the tenant's subscription with the first added module's item
(or reuse the one the ``billed`` rows name), then ``subscription_items.create(subscription=…, price=…,
proration_behavior="create_prorations")`` for each other added module and ``subscription_items.delete(item,
proration_behavior="create_prorations")`` for each removed one, canceling the subscription when its last item goes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from nexo.billing.provider import BillingProvider


@dataclass(frozen=True)
class BilledModule:
    """A paid module as the provider bills it: which subscription and which item of it charge for the module."""

    module_key: str
    subscription_id: str
    item_id: str
    price_id: str
    status: str


@dataclass(frozen=True)
class ModuleSetChange:
    added: tuple[BilledModule, ...]
    removed: tuple[BilledModule, ...]


async def apply_module_set(
    provider: BillingProvider,
    *,
    customer_id: str,
    tenant_id: int,
    billed: Mapping[str, BilledModule],
    wanted: Mapping[str, str],
    trial_end: datetime.datetime | None,
) -> ModuleSetChange:
    """Make the provider bill exactly ``wanted`` (module key → price id), given what it bills now (``billed``).

    Returns what was added and removed; the caller records it. Layout: one subscription per paid module (see the
    module docstring for why, and for the change that moves to one subscription with items).
    """
    added = []
    for key in sorted(wanted.keys() - billed.keys()):
        subscription = await provider.create_subscription(
            customer_id=customer_id, price_id=wanted[key], tenant_id=tenant_id, module_key=key, trial_end=trial_end
        )
        item = subscription.items[0]
        added.append(BilledModule(key, subscription.id, item.id, item.price_id, subscription.status))
    removed = []
    for key in sorted(billed.keys() - wanted.keys()):
        await provider.cancel_subscription(billed[key].subscription_id)
        removed.append(billed[key])
    return ModuleSetChange(tuple(added), tuple(removed))
