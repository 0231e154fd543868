"""The catalog: each paid module's product and monthly price, synced to the provider by ``nexo billing sync``."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.billing.models import ModulePrice
from nexo.billing.provider import get_provider
from nexo.platform.modules.manifest import Manifest
from nexo.platform.modules.registry import get_registry

BILLING_CURRENCY = "eur"  # the currency manifests state ``monthly_price`` in


def paid_modules() -> list[Manifest]:
    return [manifest for manifest in get_registry() if manifest.is_paid]


def minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def price_for(module_key: str) -> Decimal | None:
    """The monthly price a workspace pays for ``module_key``, or ``None`` when it is free (or billing is off).

    The modules page shows this before an admin switches a module on.
    """
    if not get_provider().enabled or module_key not in get_registry():
        return None
    manifest = get_registry().get(module_key)
    return manifest.monthly_price if manifest.is_paid else None


def paid_module_keys(module_keys: frozenset[str] | set[str]) -> set[str]:
    """The subset of ``module_keys`` that costs money (empty when billing is off)."""
    if not get_provider().enabled:
        return set()
    return {key for key in module_keys if price_for(key) is not None}


async def sync_catalog(session: AsyncSession) -> list[ModulePrice]:
    """Create or update every paid module's product and price at the provider, and record the mapping."""
    provider = get_provider()
    for manifest in paid_modules():
        amount = minor_units(manifest.monthly_price)
        product_id, price_id = await provider.ensure_price(manifest.key, manifest.name, amount, BILLING_CURRENCY)
        values = {"product_id": product_id, "price_id": price_id, "unit_amount": amount, "currency": BILLING_CURRENCY}
        await session.execute(
            insert(ModulePrice)
            .values(module_key=manifest.key, **values)
            .on_conflict_do_update(index_elements=[ModulePrice.module_key], set_=values)
        )
    await session.flush()
    return list(await session.scalars(select(ModulePrice).order_by(ModulePrice.module_key)))


async def price_id_for(session: AsyncSession, module_key: str) -> str:
    price_id = await session.scalar(select(ModulePrice.price_id).where(ModulePrice.module_key == module_key))
    if price_id is None:
        raise LookupError(f"module {module_key!r} has no price: run `nexo billing sync`")
    return price_id
