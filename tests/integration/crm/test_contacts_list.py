"""The contacts list: search, filters, sorting, paging, htmx partials, tenant isolation, module off."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.tests.factories import WebClient, Workspace, make_workspace
from nexo.tests.integration.crm.helpers import add_organization, add_person, crm_workspace

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Alpha CRM")


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Beta CRM")


async def test_list_shows_only_own_tenant_with_search_and_partial(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    acme = await add_organization(sessions, crm_a, "Acme")
    await add_person(sessions, crm_a, "Ada", "Lovelace", email="ada@acme.test", organization_id=acme, tags=["vip"])
    await add_person(sessions, crm_a, "Alan", "Turing", email="alan@bletchley.test")
    await add_person(sessions, crm_b, "Grace", "Hopper", email="grace@navy.test")
    await web.login(crm_a.owner.email)

    full = await web.get(f"/w/{crm_a.slug}/crm/contacts/")
    assert full.status_code == 200
    assert "Lovelace" in full.text and "Turing" in full.text and "Hopper" not in full.text
    assert "<html" in full.text and 'id="contacts-table"' in full.text

    partial = await web.get(f"/w/{crm_a.slug}/crm/contacts/?q=lov", headers=HTMX)
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert "Lovelace" in partial.text and "Turing" not in partial.text

    by_email = await web.get(f"/w/{crm_a.slug}/crm/contacts/?q=ALAN@", headers=HTMX)
    assert "Turing" in by_email.text and "Lovelace" not in by_email.text

    full_name = await web.get(f"/w/{crm_a.slug}/crm/contacts/?q=ada%20lo", headers=HTMX)
    assert "Lovelace" in full_name.text and "Turing" not in full_name.text

    tagged = await web.get(f"/w/{crm_a.slug}/crm/contacts/?tag=vip", headers=HTMX)
    assert "Lovelace" in tagged.text and "Turing" not in tagged.text

    foreign = await web.get(f"/w/{crm_b.slug}/crm/contacts/")
    assert foreign.status_code == 404


async def test_sorting_and_paging(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    for index in range(30):
        await add_person(sessions, crm_a, "P", f"Person{index:02d}")
    await add_person(sessions, crm_b, "Other", "Tenant")
    await web.login(crm_a.owner.email)

    first = await web.get(f"/w/{crm_a.slug}/crm/contacts/", headers=HTMX)
    assert "Person00" in first.text and "Person24" in first.text and "Person25" not in first.text
    assert "30 contacts" in first.text and "Page 1 of 2" in first.text

    second = await web.get(f"/w/{crm_a.slug}/crm/contacts/?page=2", headers=HTMX)
    assert "Person25" in second.text and "Person00" not in second.text

    descending = await web.get(f"/w/{crm_a.slug}/crm/contacts/?sort=name&dir=desc", headers=HTMX)
    assert descending.text.index("Person29") < descending.text.index("Person28")
    assert "Tenant" not in descending.text


async def test_pages_answer_403_while_crm_is_off(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace
) -> None:
    without_crm = await make_workspace(sessions, owner=crm_a.owner, name="No CRM")
    await web.login(crm_a.owner.email)
    response = await web.get(f"/w/{without_crm.slug}/crm/contacts/")
    assert response.status_code == 403
    assert "module is off" in response.text
