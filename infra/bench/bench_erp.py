"""ERP benchmarks.

* ``erp_profitability``: the profitability report (by product, customer and month) over 100,000 posted invoice
  lines; figure ``p95_ms`` per report (target ≤ 200 ms), for a period of whole months and for one cut mid-month.
* ``erp_post``: customer invoices posted per second, each from a 5-line sales order delivered out of stock, so
  every invoice writes the order, the delivery, 5 stock moves, on-hand levels, the invoice, its gapless number, its
  journal entry and the profitability rollups (target ≥ 200/s). ``--concurrency`` workers post in parallel. Two
  figures: ``path: batch`` (the services' batch methods, ``BATCH`` orders per transaction: how a bulk posting run
  goes) and ``path: single`` (one order per transaction through the one-order methods, as the pages do).

Runnable through ``infra/bench/run.py NAME`` or alone: ``python infra/bench/bench_erp.py [NAME]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import embedded_pgdata
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.models import profit_rollup_statements
from nexo.modules.erp.accounting.reports import Period, profitability
from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.inventory.services import (
    InventoryService,
    MoveRequest,
    ProductInput,
    StockService,
    WarehouseInput,
)
from nexo.modules.erp.sales.services import OrderInput, OrderLineInput, SalesService
from nexo.platform.accounts.services import create_user
from nexo.platform.db.engine import create_engine, create_session_maker, normalize_url
from nexo.platform.db.tenancy import bind_tenant
from nexo.platform.migrations.runner import upgrade_public
from nexo.platform.settings import Settings
from nexo.tenants.provisioning import provision_tenant
from nexo.tests.database import temporary_database

ERP_MODULES = ("erp.inventory", "erp.purchasing", "erp.sales", "erp.accounting")
LINES = 100_000
BATCH = 50  # orders per transaction on the batch path


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Bench:
    """A temporary database with one ERP tenant; ``sessions`` are bound to it with ``tenant_session``."""

    def __init__(self, url: str) -> None:
        os.environ.setdefault("NEXO_SECRET_KEY", "bench-only-secret-key-bench-only-secret-key")
        os.environ["NEXO_DATABASE_URL"] = normalize_url(url)
        os.environ.setdefault("NEXO_ENV", "test")
        self.settings = Settings.from_env()
        self.engine = create_engine(self.settings)
        self.sessions: async_sessionmaker[AsyncSession] = create_session_maker(self.engine)
        self.schema = ""

    async def setup(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(upgrade_public)
        async with self.sessions() as session:
            owner = await create_user(session, email="bench@example.com", full_name="Bench", password="x" * 16)
            tenant = await provision_tenant(session, name="Bench", slug="bench", owner=owner, modules=ERP_MODULES)
            await session.commit()
            self.schema = tenant.schema_name

    async def tenant_session(self) -> AsyncSession:
        session = self.sessions()
        await bind_tenant(session, self.schema)
        return session


async def _seed_invoice_lines(bench: Bench, lines: int) -> None:
    """100,000 posted invoice lines over two years, 200 products, 500 customers (bulk SQL: seeding only).

    Documents are numbered gaplessly per kind (every 50th is a credit note), and the profitability rollups are
    built from them with the statements the migration runs for documents posted before the rollups existed."""
    invoices = lines // 5
    session = await bench.tenant_session()
    async with session:
        await session.execute(
            text(
                "INSERT INTO organizations (name, created_at, updated_at) "
                "SELECT 'Customer ' || g, now(), now() FROM generate_series(1, 500) g"
            )
        )
        await session.execute(
            text(
                "INSERT INTO erp_invoices (kind, sequence_number, status, partner_org_id, issue_date, due_date, "
                "currency, subtotal, tax_total, total, amount_paid, created_at, updated_at) "
                "SELECT CASE WHEN g % 50 = 0 THEN 'customer_credit_note' ELSE 'customer_invoice' END, "
                "CASE WHEN g % 50 = 0 THEN g / 50 ELSE g - g / 50 END, 'open', "
                "1 + g % 500, DATE '2025-01-01' + (g % 700), DATE '2025-01-31' + (g % 700), 'EUR', 0, 0, 0, 0, "
                "now(), now() FROM generate_series(1, :n) g"
            ),
            {"n": invoices},
        )
        await session.execute(
            text(
                "INSERT INTO erp_invoice_lines (invoice_id, product_id, description, quantity, unit_price, tax_rate, "
                "net_amount, tax_amount, cost_amount, created_at, updated_at) "
                "SELECT 1 + (g - 1) / 5, 1 + g % 200, 'Product ' || (1 + g % 200), 1 + g % 7, 10 + g % 90, 0.2, "
                "(1 + g % 7) * (10 + g % 90), (1 + g % 7) * (10 + g % 90) * 0.2, (1 + g % 7) * (6 + g % 50), "
                "now(), now() FROM generate_series(1, :n) g"
            ),
            {"n": invoices * 5},
        )
        for statement in profit_rollup_statements():
            await session.execute(text(statement))
        await session.commit()
    async with bench.engine.begin() as connection:
        await connection.execute(text(f'ANALYZE "{bench.schema}".erp_invoices'))
        await connection.execute(text(f'ANALYZE "{bench.schema}".erp_invoice_lines'))


async def bench_profitability(args: argparse.Namespace) -> list[dict[str, Any]]:
    samples = getattr(args, "samples", None) or 50
    with temporary_database(embedded_pgdata()) as url:
        bench = Bench(url)
        try:
            await bench.setup()
            await _seed_invoice_lines(bench, LINES)
            # Whole months are read from the rollups; a period cut mid-month also reads its two partial months' lines.
            periods = {
                "whole_months": Period(datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)),
                "mid_month": Period(datetime.date(2025, 1, 15), datetime.date(2026, 11, 20)),
            }
            results = []
            for period_name, period in periods.items():
                for group_by in ("product", "customer", "month"):
                    timings = []
                    for _ in range(samples):
                        session = await bench.tenant_session()
                        async with session:
                            started = time.perf_counter()
                            rows = await profitability(session, period, group_by)  # type: ignore[arg-type]
                            timings.append((time.perf_counter() - started) * 1000)
                    assert rows
                    results.append(
                        {
                            "name": "erp_profitability",
                            "group_by": group_by,
                            "period": period_name,
                            "lines": LINES,
                            "samples": samples,
                            "p50_ms": round(statistics.median(timings), 1),
                            "p95_ms": round(_percentile(timings, 0.95), 1),
                            "target_p95_ms": 200,
                        }
                    )
            return results
        finally:
            await bench.engine.dispose()


SEEDING = ErpContext(currency="EUR", modules=frozenset())  # seeding posts nothing to the books


async def _seed_catalog(bench: Bench, workers: int) -> tuple[int, int, list[int]]:
    session = await bench.tenant_session()
    async with session:
        customer = Organization(name="Bench customer")
        session.add(customer)
        warehouse = await InventoryService(session, SEEDING).create_warehouse(WarehouseInput(code="MAIN", name="Main"))
        products = []
        for n in range(5 * workers):
            product = await InventoryService(session, SEEDING).create_product(
                ProductInput(
                    sku=f"P-{n}",
                    name=f"Product {n}",
                    cost=Decimal("3.5"),
                    sale_price=Decimal("9.99"),
                    tax_rate=Decimal("0.2"),
                )
            )
            products.append(product.id)
        await StockService(session).move(
            [
                MoveRequest("receipt", p, Decimal(1_000_000), to_warehouse_id=warehouse.id, unit_cost=Decimal("3.5"))
                for p in products
            ]
        )
        await session.commit()
        return customer.id, warehouse.id, products


async def bench_post(args: argparse.Namespace) -> list[dict[str, Any]]:
    invoices = getattr(args, "samples", None) or 2000
    workers = getattr(args, "concurrency", None) or 4
    context = ErpContext(currency="EUR", modules=frozenset(ERP_MODULES))
    with temporary_database(embedded_pgdata()) as url:
        bench = Bench(url)
        try:
            await bench.setup()
            customer, warehouse, products = await _seed_catalog(bench, workers)

            async def post_batch(worker: int, count: int) -> None:
                # Each worker sells its own 5 products: workers contend on the database, not on product locks.
                own = products[5 * worker : 5 * worker + 5]
                lines = [OrderLineInput(p, Decimal(1 + i)) for i, p in enumerate(own)]
                session = await bench.tenant_session()
                async with session:
                    sales = SalesService(session, context)
                    if count == 1:  # the one-order methods, as the pages call them
                        order = await sales.create_order(customer, warehouse, lines)
                        await sales.deliver(order.id)
                        await sales.invoice(order.id)
                    else:
                        orders = await sales.create_orders([OrderInput(customer, warehouse, lines)] * count)
                        ids = [order.id for order in orders]
                        await sales.deliver_many(ids)
                        await sales.invoice_many(ids)
                    await session.commit()

            async def run(path: str, batch: int, total: int) -> dict[str, Any]:
                per_worker = max(1, total // (workers * batch))

                async def worker_loop(worker: int) -> None:
                    for _ in range(per_worker):
                        await post_batch(worker, batch)

                await asyncio.gather(*(post_batch(w, batch) for w in range(workers)))  # warm-up
                started = time.perf_counter()
                await asyncio.gather(*(worker_loop(w) for w in range(workers)))
                elapsed = time.perf_counter() - started
                posted = per_worker * workers * batch
                return {
                    "name": "erp_post",
                    "path": path,
                    "orders_per_transaction": batch,
                    "invoices": posted,
                    "lines_per_invoice": 5,
                    "concurrency": workers,
                    "seconds": round(elapsed, 2),
                    "per_second": round(posted / elapsed, 1),
                    "target_per_second": 200,
                }

            batch = await run("batch", BATCH, invoices)
            single = await run("single", 1, max(workers, invoices // 5))
            return [batch, single]
        finally:
            await bench.engine.dispose()


BENCHMARKS = {"erp_profitability": bench_profitability, "erp_post": bench_post}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", nargs="?", default="all", choices=["all", *BENCHMARKS])
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=None)
    namespace = parser.parse_args()
    for name, benchmark in BENCHMARKS.items():
        if namespace.name in ("all", name):
            for figure in asyncio.run(benchmark(namespace)):
                print(json.dumps(figure), flush=True)
    sys.exit(0)
