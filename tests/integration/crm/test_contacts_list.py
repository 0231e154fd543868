"""The contacts list: search, filters, sorting, paging, htmx partials, tenant isolation, module off."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.services import listing
from nexo.tests.factories import WebClient, Workspace, make_workspace, tenant_session
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


async def _bulk_people(sessions: async_sessionmaker[AsyncSession], ws: Workspace, count: int) -> None:
    """``count`` people: first names cycle through Ada/Alan/Zoe, last names "Name0000".. (sorted = inserted)."""
    session = await tenant_session(sessions, ws)
    async with session:
        await session.execute(
            text(
                "INSERT INTO people (first_name, last_name, tags, created_at, updated_at) "
                "SELECT (ARRAY['Ada','Alan','Zoe'])[1 + g % 3], 'Name' || lpad(g::text, 4, '0'), '{}', now(), now() "
                "FROM generate_series(0, CAST(:n AS integer) - 1) AS g"
            ),
            {"n": count},
        )
        await session.commit()


def _names(html: str) -> list[str]:
    return re.findall(r">((?:Ada|Alan|Zoe) Name\d{4})</a>", html)


async def test_broad_searches_count_up_to_the_cap_and_page_honestly(
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    crm_a: Workspace,
    crm_b: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past ``COUNT_CAP`` matches the count says "N+", the pages go on while rows remain, and every way of fetching
    a page (the bounded index walk, the sort it falls back to) gives the rows in the same order."""
    monkeypatch.setattr(listing, "COUNT_CAP", 20)
    monkeypatch.setattr(listing, "WALK_ROWS", 100)
    await _bulk_people(sessions, crm_a, 600)
    await add_person(sessions, crm_b, "Ada", "Elsewhere")
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm/contacts/"
    everyone = [f"{('Ada', 'Alan', 'Zoe')[g % 3]} Name{g:04d}" for g in range(600)]

    def expected(prefix: str, page: int) -> list[str]:
        matches = [n for n in everyone if n.lower().startswith(prefix)]
        return matches[(page - 1) * 25 : page * 25]

    for q, page in (("a", 1), ("a", 3), ("zoe", 1), ("zoe", 8), ("ada", 2), ("zoe name05", 1), ("zoe name05", 2)):
        response = await web.get(base, params={"q": q, "page": str(page)}, headers=HTMX)
        assert response.status_code == 200
        assert _names(response.text) == expected(q, page), (q, page)
        assert "Elsewhere" not in response.text
    first = await web.get(base, params={"q": "zoe"}, headers=HTMX)
    assert "20+ contacts" in first.text and "Page 1 of 2+" in first.text and 'rel="next"' in first.text
    last = await web.get(base, params={"q": "zoe", "page": "8"}, headers=HTMX)  # 200 Zoes: the 8th page is the last
    assert "200 contacts" in last.text and "Page 8 of 8" in last.text and 'rel="next"' not in last.text
    narrow = await web.get(base, params={"q": "ada name000"}, headers=HTMX)
    assert _names(narrow.text) == ["Ada Name0000", "Ada Name0003", "Ada Name0006", "Ada Name0009"]
    assert "4 contacts" in narrow.text and "Pages" not in narrow.text


async def test_a_search_term_is_escaped_into_the_sql(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    """Quotes, backslashes and LIKE wildcards in a search are only text."""
    await add_person(sessions, crm_a, "O'Brien", "Test", email="ob@x.test")
    await add_person(sessions, crm_a, "100%", "Sure")
    await add_person(sessions, crm_a, "Back\\slash", "Name")
    await add_person(sessions, crm_a, "Plain", "Person")
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm/contacts/"
    for q, found in (
        ("o'b", "Brien"),
        ("100%", "Sure"),
        ("back\\", "slash"),
        ("%", None),
        ("_", None),
        ("'; drop table people; --", None),
    ):
        response = await web.get(base, params={"q": q}, headers=HTMX)
        assert response.status_code == 200, q
        assert ("Plain Person" in response.text) is False, q
        if found:
            assert found in response.text, q
    assert "Plain Person" in (await web.get(base, headers=HTMX)).text
