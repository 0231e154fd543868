"""Signup: one transaction for owner, workspace row, schema and membership; bad input creates nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.accounts.models import User
from nexo.platform.tenancy.context import Role
from nexo.tenants import provisioning
from nexo.tenants.models import Membership, SlugRedirect, Tenant
from nexo.tests.factories import WebClient, Workspace, unique_email, unique_slug

GOOD_PASSWORD = "Corr3ct-horse-battery"


def signup_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "company_name": "Gamma Works",
        "slug": unique_slug("gamma"),
        "owner_name": "Gina Gamma",
        "email": unique_email("gina"),
        "password": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


@dataclass(frozen=True)
class Counts:
    tenants: int
    users: int
    memberships: int
    schemas: int


async def counts(sessions: async_sessionmaker[AsyncSession]) -> Counts:
    async with sessions() as session:
        return Counts(
            tenants=int(await session.scalar(select(func.count()).select_from(Tenant)) or 0),
            users=int(await session.scalar(select(func.count()).select_from(User)) or 0),
            memberships=int(await session.scalar(select(func.count()).select_from(Membership)) or 0),
            schemas=int(
                await session.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'")) or 0
            ),
        )


async def test_signup_creates_workspace_schema_and_owner_and_signs_in(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    before = await counts(sessions)
    data = signup_data()
    response = await web.post("/signup", data)
    assert response.status_code == 303 and response.headers["location"] == f"/w/{data['slug']}/"
    assert await counts(sessions) == Counts(
        before.tenants + 1, before.users + 1, before.memberships + 1, before.schemas + 1
    )
    async with sessions() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == data["slug"]))
        assert tenant is not None and tenant.schema_name == f"tenant_{tenant.id}"
        role = await session.scalar(
            select(Membership.role).join(User).where(Membership.tenant_id == tenant.id, User.email == data["email"])
        )
        assert role is Role.OWNER
        versions = await session.scalar(text(f'SELECT count(*) FROM "{tenant.schema_name}".alembic_version'))  # noqa: S608 (schema name read from the tenant row)
        assert versions and versions >= 1  # built at head and stamped
    home = await web.get(f"/w/{data['slug']}/")
    assert home.status_code == 200 and "Welcome to Gamma Works" in home.text
    assert (await web.get(f"/w/{tenant_a.slug}/")).status_code == 404


BAD_INPUT = [
    (
        "empty fields",
        {"company_name": "", "slug": "", "owner_name": "", "email": "", "password": ""},
        {
            "company_name": "Enter your company name.",
            "slug": "Choose a workspace address.",
            "owner_name": "Enter your name.",
            "email": "Enter your e-mail address.",
            "password": "at least 10",
        },
    ),
    (
        "too long",
        {
            "company_name": "C" * 201,
            "slug": "s" * 64,
            "owner_name": "N" * 201,
            "email": "e" * 310 + "@example.com",
            "password": "P4ss-" * 60,
        },
        {
            "company_name": "at most 200",
            "slug": "at most 63",
            "owner_name": "at most 200",
            "email": "at most 320",
            "password": "at most 256",
        },
    ),
    ("reserved slug", {"slug": "admin"}, {"slug": "reserved"}),
    ("bad slug", {"slug": "Not_A-Slug!"}, {"slug": "lower-case letters"}),
    ("weak password", {"password": "password123"}, {"password": "too easy to guess"}),
    ("short password", {"password": "abc"}, {"password": "at least 10"}),
    ("bad e-mail", {"email": "not-an-email"}, {"email": "not valid"}),
    ("unknown module", {"modules": "no-such-module"}, {"modules": "Unknown module"}),
]


@pytest.mark.parametrize(("overrides", "expected"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
async def test_bad_input_is_shown_next_to_the_field_and_creates_nothing(
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
    overrides: dict[str, Any],
    expected: dict[str, str],
) -> None:
    before = await counts(sessions)
    response = await web.post("/signup", signup_data(**overrides))
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    for field, message in expected.items():
        error = f'id="{field}-error"' if field != "slug" else 'id="slug-status"'
        assert error in response.text, field
        assert message in response.text, field
    assert await counts(sessions) == before


async def test_duplicate_slug_and_email_create_nothing(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    before = await counts(sessions)
    taken = await web.post("/signup", signup_data(slug=tenant_a.slug))
    assert taken.status_code == 400 and "This address is taken" in taken.text
    existing = await web.post("/signup", signup_data(email=tenant_b.owner.email.upper()))
    assert existing.status_code == 400 and "An account with this e-mail exists" in existing.text
    assert await counts(sessions) == before


async def test_htmx_signup_error_returns_the_form_fragment(
    web: WebClient, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    response = await web.post("/signup", signup_data(slug=tenant_b.slug), headers={"hx-request": "true"})
    assert response.status_code == 400
    assert response.text.lstrip().startswith('<form method="post" action="/signup"')
    assert "This address is taken" in response.text


@pytest.fixture
async def failing_hook() -> AsyncIterator[None]:
    async def explode(session: AsyncSession, tenant: Tenant, module_keys: list[str]) -> None:
        raise RuntimeError("billing is down")

    provisioning.PROVISIONING_HOOKS.append(explode)
    try:
        yield
    finally:
        provisioning.PROVISIONING_HOOKS.remove(explode)


async def test_failure_during_provisioning_leaves_no_row_and_no_schema(
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
    failing_hook: None,
) -> None:
    before = await counts(sessions)
    data = signup_data()
    response = await web.post("/signup", data)
    assert response.status_code == 500 and "An unexpected error happened." in response.text
    assert "billing is down" not in response.text
    assert await counts(sessions) == before
    assert (await web.get(f"/w/{data['slug']}/", follow_redirects=False)).status_code == 302  # not signed in


async def test_signed_in_user_creates_another_workspace_without_owner_fields(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await web.login(tenant_a.owner.email)
    page = await web.get("/signup")
    assert f"The workspace will belong to {tenant_a.owner.email}" in page.text and 'name="password"' not in page.text
    before = await counts(sessions)
    slug = unique_slug("second")
    response = await web.post("/signup", {"company_name": "Alpha Second", "slug": slug})
    assert response.status_code == 303 and response.headers["location"] == f"/w/{slug}/"
    after = await counts(sessions)
    assert (after.tenants, after.users, after.schemas) == (before.tenants + 1, before.users, before.schemas + 1)
    home = await web.get(f"/w/{slug}/")
    assert home.status_code == 200 and 'id="workspace-switcher"' in home.text
    assert f'href="/w/{tenant_a.slug}/"' in home.text and f'href="/w/{slug}/"' in home.text
    assert f'href="/w/{tenant_b.slug}/"' not in home.text


async def test_concurrent_signups_for_one_slug_never_give_a_500(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    slug = unique_slug("race")
    await web.ensure_csrf()
    # Both pass the "is it free?" check, then race on the unique index: one wins, the other is told it is taken.
    responses = await asyncio.gather(*(web.post("/signup", signup_data(slug=slug)) for _ in range(2)))
    assert sorted(r.status_code for r in responses) == [303, 400]
    loser = next(r for r in responses if r.status_code == 400)
    assert "taken" in loser.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Tenant).where(Tenant.slug == slug)) == 1


async def test_live_slug_suggestion_and_check(web: WebClient, tenant_a: Workspace, tenant_b: Workspace) -> None:
    suggested = await web.get(
        "/signup/slug",
        params={"company_name": "Café Zürich GmbH"},
        headers={"hx-request": "true", "hx-trigger": "company_name"},
    )
    assert 'value="cafe-zurich-gmbh"' in suggested.text and "is free" in suggested.text
    # the visitor typed their own address: typing more in the company name keeps it
    kept = await web.get(
        "/signup/slug",
        params={"company_name": "Café Zürich AG", "slug": "my-own", "slug_auto": "cafe-zurich-gmbh"},
        headers={"hx-request": "true", "hx-trigger": "company_name"},
    )
    assert 'value="my-own"' in kept.text
    taken_name = await web.get(
        "/signup/slug",
        params={"company_name": tenant_a.slug},
        headers={"hx-request": "true", "hx-trigger": "company_name"},
    )
    assert f'value="{tenant_a.slug}-2"' in taken_name.text
    for typed, message in (
        (tenant_b.slug, "This address is taken"),
        ("login", "reserved"),
        ("Bad Slug", "lower-case letters"),
        ("free-slug-xyz", "is free"),
    ):
        status = await web.get(
            "/signup/slug", params={"slug": typed}, headers={"hx-request": "true", "hx-trigger": "slug"}
        )
        assert status.text.lstrip().startswith("<small") and 'id="slug-status"' in status.text
        assert message in status.text, typed


async def test_signup_refuses_an_address_that_still_redirects_to_another_workspace(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    """Tenant A moved from an old address, which still redirects its members: nobody may take it over."""
    former = unique_slug("moved")
    async with sessions() as session:
        session.add(SlugRedirect(old_slug=former, tenant_id=tenant_a.tenant.id))
        await session.commit()
    before = await counts(sessions)
    taken = await web.post("/signup", signup_data(slug=former))
    assert taken.status_code == 400 and "This address is taken" in taken.text
    assert await counts(sessions) == before
    check = await web.get("/signup/slug", params={"slug": former}, headers={"hx-request": "true", "hx-trigger": "slug"})
    assert "This address is taken" in check.text
