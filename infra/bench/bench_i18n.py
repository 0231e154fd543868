"""``i18n_render``: the contacts page and the invoice list rendered in Spanish and in English, same data, one run.

One workspace (CRM and ERP accounting on, locale es-ES) with 2,000 contacts and 1,000 customer invoices (the list
shows the newest 200: 400 dates and 400 amounts formatted per page). Two members read it: one chose Spanish, one
English (so English formats: ``€1,234.56``). Requests alternate between the two languages, full page loads
through the real ASGI app in-process, so drift on a shared machine hits both alike. ``ratio`` is es rps / en rps
(target ≥ 0.95).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable
from typing import Any

from common import bench_database

CONTACTS = 2_000
INVOICES = 1_000
PAGES = ("crm/contacts/", "erp/accounting/invoices")


async def _seed(sessions: Any, workspace: Any) -> None:
    from sqlalchemy import text

    from nexo.tests.factories import tenant_session

    session = await tenant_session(sessions, workspace)
    async with session:
        await session.execute(
            text(
                "INSERT INTO people (first_name, last_name, email, phone, tags, created_at, updated_at) "
                "SELECT 'José ' || g, 'Peña ' || g, 'persona' || g || '@example.com', '+34 91 ' || g, "
                "ARRAY[]::varchar[], now() - (g || ' minutes')::interval, now() FROM generate_series(1, :n) g"
            ),
            {"n": CONTACTS},
        )
        await session.execute(
            text(
                "INSERT INTO crm_contact_profiles (person_id, lifecycle_stage, created_at, updated_at) "
                "SELECT id, (ARRAY['lead','prospect','customer'])[1 + id % 3], now(), now() FROM people"
            )
        )
        await session.execute(
            text(
                "INSERT INTO organizations (name, created_at, updated_at) "
                "SELECT 'Cliente ' || g, now(), now() FROM generate_series(1, 100) g"
            )
        )
        await session.execute(
            text(
                "INSERT INTO erp_invoices (kind, sequence_number, status, partner_org_id, issue_date, due_date, "
                "currency, subtotal, tax_total, total, amount_paid, created_at, updated_at) "
                "SELECT 'customer_invoice', g, 'open', 1 + g % 100, DATE '2025-01-01' + (g % 700), "
                "DATE '2025-01-31' + (g % 700), 'EUR', 1000 + g, 210 + g, 1210.55 + g, g % 3, now(), now() "
                "FROM generate_series(1, :n) g"
            ),
            {"n": INVOICES},
        )
        await session.commit()


async def bench_i18n_render(args: argparse.Namespace) -> list[dict[str, Any]]:
    import httpx
    from litestar.testing import AsyncTestClient
    from sqlalchemy import update

    from nexo.platform.accounts.models import User
    from nexo.platform.app import create_app
    from nexo.platform.tenancy.context import Role
    from nexo.tenants.models import Tenant
    from nexo.tests.factories import WebClient, add_member, make_user, make_workspace

    rounds = int(getattr(args, "samples", None) or 150)
    async with bench_database() as db:
        workspace = await make_workspace(db.sessions, name="Bench i18n", modules=("crm", "erp.accounting"))
        reader = await make_user(db.sessions, name="English reader")
        await add_member(db.sessions, workspace, reader, Role.MEMBER)
        async with db.sessions() as session:
            await session.execute(update(Tenant).where(Tenant.id == workspace.tenant.id).values(locale="es-ES"))
            await session.execute(update(User).where(User.id == workspace.owner.id).values(language="es"))
            await session.execute(update(User).where(User.id == reader.id).values(language="en"))
            await session.commit()
        await _seed(db.sessions, workspace)
        app = create_app(db.settings)
        seconds = {"es": 0.0, "en": 0.0}
        counts = {"es": 0, "en": 0}
        async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
            # One client (one event loop), two signed-in cookie jars: the Spanish owner's and the English member's.
            jars = {}
            for language, email in (("es", workspace.owner.email), ("en", reader.email)):
                client.cookies = httpx.Cookies()
                await WebClient(client).login(email)
                jars[language] = client.cookies
            expected = {"es": ("Contactos", "Facturas"), "en": ("Contacts", "Invoices")}
            for index in range(rounds + 5):
                for language in ("es", "en") if index % 2 == 0 else ("en", "es"):
                    client.cookies = jars[language]
                    for page, word in zip(PAGES, expected[language], strict=True):
                        started = time.perf_counter()
                        response = await client.get(f"/w/{workspace.slug}/{page}")
                        elapsed = time.perf_counter() - started
                        assert response.status_code == 200 and word in response.text, response.text[:300]
                        if index >= 5:  # warm-up: template compilation, catalogs, the pool
                            seconds[language] += elapsed
                            counts[language] += 1
        await app.state["nexo_engine"].dispose()
    rps = {language: counts[language] / seconds[language] for language in seconds}
    return [
        {
            "requests_per_language": counts["es"],
            "es_rps": round(rps["es"], 1),
            "en_rps": round(rps["en"], 1),
            "ratio": round(rps["es"] / rps["en"], 3),
            "target_ratio": 0.95,
        }
    ]


BENCHMARKS: dict[str, Callable[[argparse.Namespace], Awaitable[list[dict[str, Any]]]]] = {
    "i18n_render": bench_i18n_render,
}
