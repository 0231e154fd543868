"""The same ids in two tenants never cross, through pages and through service calls."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Person
from nexo.modules.directory.services import PersonService
from nexo.tests.factories import WebClient, Workspace, make_user, tenant_session


async def add_person(sessions: async_sessionmaker[AsyncSession], ws: Workspace, last_name: str) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        person = Person(first_name="Pat", last_name=last_name)
        session.add(person)
        await session.commit()
        return person.id


async def test_same_ids_in_two_tenants_do_not_cross_in_services(
    sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    id_a = await add_person(sessions, tenant_a, "Alpha-only")
    id_b = await add_person(sessions, tenant_b, "Beta-only")
    assert id_a == id_b == 1  # each schema has its own identity sequence: the ids collide on purpose

    for ws, expected in ((tenant_a, "Alpha-only"), (tenant_b, "Beta-only")):
        session = await tenant_session(sessions, ws)
        async with session:
            people, total = await PersonService(session).search("")
            assert [p.last_name for p in people] == [expected]
            assert total == 1
            assert (await session.get(Person, 1)).last_name == expected  # type: ignore[union-attr]


async def test_unbound_session_sees_no_tenant_table(
    sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace
) -> None:
    await add_person(sessions, tenant_a, "Hidden")
    async with sessions() as session:
        try:
            await session.execute(select(Person))
        except Exception as exc:  # fails closed: the table is not on the default search path
            assert "does not exist" in str(exc)
        else:
            raise AssertionError("an unbound session must not resolve tenant tables")


async def test_pages_show_only_own_tenant_and_hide_foreign_workspaces(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await add_person(sessions, tenant_a, "Anderson")
    await add_person(sessions, tenant_b, "Bertrand")
    await web.login(tenant_a.owner.email)

    own = await web.get(f"/w/{tenant_a.slug}/directory/people")
    assert own.status_code == 200
    assert "Anderson" in own.text and "Bertrand" not in own.text

    detail = await web.get(f"/w/{tenant_a.slug}/directory/people/1")
    assert "Anderson" in detail.text

    foreign = await web.get(f"/w/{tenant_b.slug}/directory/people/1")
    unknown = await web.get("/w/no-such-workspace/directory/people/1")
    assert foreign.status_code == unknown.status_code == 404
    assert "Bertrand" not in foreign.text
    assert foreign.text.replace(tenant_b.slug, "X") == unknown.text.replace("no-such-workspace", "X")


async def test_user_in_two_workspaces_sees_each_separately(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace
) -> None:
    from nexo.tests.factories import make_workspace

    second = await make_workspace(sessions, owner=tenant_a.owner, name="Second Co")
    await add_person(sessions, tenant_a, "InFirst")
    await add_person(sessions, second, "InSecond")
    await web.login(tenant_a.owner.email)
    listing = await web.get("/workspaces")
    assert tenant_a.slug in listing.text and second.slug in listing.text
    first_page = await web.get(f"/w/{tenant_a.slug}/directory/people")
    second_page = await web.get(f"/w/{second.slug}/directory/people")
    assert "InFirst" in first_page.text and "InSecond" not in first_page.text
    assert "InSecond" in second_page.text and "InFirst" not in second_page.text
    outsider = await make_user(sessions)
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})
    await web.login(outsider.email)
    assert (await web.get(f"/w/{tenant_a.slug}/")).status_code == 404
