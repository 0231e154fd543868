"""The REST API: tenant from the token, problems, cursor pages, filters, sorting, idempotency, rate limits,
switched-off modules."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.tests.factories import Workspace, make_workspace
from nexo.tests.integration.api.conftest import TokenFactory, switch_module

Client = AsyncTestClient[Litestar]
CRM = ("crm.read", "crm.write", "directory.read", "directory.write")


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha CRM", modules=("crm",))


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta CRM", modules=("crm",))


def problem_type(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def test_missing_and_unknown_tokens_are_problems(
    client: Client, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    missing = await client.get("/api/v1/directory/people")
    assert missing.status_code == 401 and problem_type(missing) == "missing-token"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    unknown = await client.get("/api/v1/directory/people", headers={"Authorization": "Bearer nxo_at_nope"})
    assert unknown.status_code == 401 and problem_type(unknown) == "invalid-token"


async def test_tenant_comes_from_the_token_only(
    client: Client, token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers_a, headers_b = await token_for(tenant_a), await token_for(tenant_b)
    made_a = await client.post(
        "/api/v1/directory/people", json={"first_name": "Ann", "last_name": "Alpha"}, headers=headers_a
    )
    made_b = await client.post(
        "/api/v1/directory/people", json={"first_name": "Bob", "last_name": "Beta"}, headers=headers_b
    )
    assert made_a.status_code == made_b.status_code == 201
    assert made_a.json()["id"] == made_b.json()["id"]  # same id, two schemas
    person_id = made_a.json()["id"]
    read_a = await client.get(f"/api/v1/directory/people/{person_id}", headers={**headers_a, "X-Tenant": tenant_b.slug})
    assert read_a.json()["last_name"] == "Alpha"
    listed = await client.get(f"/api/v1/directory/people?workspace={tenant_b.slug}", headers=headers_a)
    assert [p["last_name"] for p in listed.json()["data"]] == ["Alpha"]


async def test_validation_errors_list_the_fields(
    client: Client, token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers = await token_for(tenant_a)
    bad = await client.post(
        "/api/v1/directory/people", json={"first_name": "", "last_name": "x" * 101}, headers=headers
    )
    assert bad.status_code == 400 and problem_type(bad) == "validation-error"
    assert bad.json()["errors"] and "first_name" in str(bad.json()["errors"])
    email = await client.post(
        "/api/v1/directory/people", json={"first_name": "A", "last_name": "B", "email": "nope"}, headers=headers
    )
    assert problem_type(email) == "validation-error" and email.json()["errors"][0]["key"] == "email"
    org = await client.post(
        "/api/v1/directory/people", json={"first_name": "A", "last_name": "B", "organization_id": 999}, headers=headers
    )
    assert org.json()["errors"][0]["key"] == "organization_id"
    listed = await client.get("/api/v1/directory/people", headers=headers)
    assert listed.json()["data"] == []  # nothing half-written


async def test_cursor_pagination_filters_and_sorting(
    client: Client, token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers = await token_for(tenant_a)
    names = ["Zed", "Adams", "Moss", "Baker", "Kent", "Adams"]
    for index, last in enumerate(names):
        created = await client.post(
            "/api/v1/directory/people",
            headers=headers,
            json={"first_name": f"P{index}", "last_name": last, "email": f"p{index}@example.com"},
        )
        assert created.status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4, "sort": "last_name"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/directory/people", params=params, headers=headers)).json()
        seen += [p["last_name"] for p in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(names)
    descending = (await client.get("/api/v1/directory/people?sort=-id&limit=2", headers=headers)).json()
    assert [p["first_name"] for p in descending["data"]] == ["P5", "P4"]
    filtered = (await client.get("/api/v1/directory/people?q=adam", headers=headers)).json()
    assert [p["last_name"] for p in filtered["data"]] == ["Adams", "Adams"]
    by_email = (await client.get("/api/v1/directory/people?email=p2@example.com", headers=headers)).json()
    assert [p["last_name"] for p in by_email["data"]] == ["Moss"]
    bad_sort = await client.get("/api/v1/directory/people?sort=password", headers=headers)
    assert bad_sort.status_code == 400 and problem_type(bad_sort) == "invalid-sort"
    bad_cursor = await client.get("/api/v1/directory/people?cursor=garbage", headers=headers)
    assert bad_cursor.status_code == 400 and problem_type(bad_cursor) == "invalid-cursor"
    other_sort = await client.get(
        f"/api/v1/directory/people?sort=id&cursor={descending['next_cursor']}", headers=headers
    )
    assert problem_type(other_sort) == "invalid-cursor"
    too_big = await client.get("/api/v1/directory/people?limit=1000", headers=headers)
    assert too_big.status_code == 400


async def test_idempotency_key_replays_and_refuses_a_different_body(
    client: Client, token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers = {**await token_for(tenant_a), "Idempotency-Key": "create-ann-1"}
    body = {"first_name": "Ann", "last_name": "Once"}
    first = await client.post("/api/v1/directory/people", json=body, headers=headers)
    replay = await client.post("/api/v1/directory/people", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers["idempotent-replayed"] == "true"
    other = await client.post("/api/v1/directory/people", json={**body, "last_name": "Twice"}, headers=headers)
    assert other.status_code == 422 and problem_type(other) == "idempotency-key-reused"
    listed = (await client.get("/api/v1/directory/people", headers=headers)).json()["data"]
    assert [p["last_name"] for p in listed] == ["Once"]
    # keys are per installation: tenant B's integration may use the same key for its own create
    headers_b = {**await token_for(tenant_b), "Idempotency-Key": "create-ann-1"}
    other_tenant = await client.post("/api/v1/directory/people", json=body, headers=headers_b)
    assert other_tenant.status_code == 201 and "idempotent-replayed" not in other_tenant.headers


async def test_rate_limit_headers_and_429(
    client: Client, app: Litestar, token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    import dataclasses

    settings = app.state["nexo_settings"]
    headers = await token_for(tenant_a)
    app.state["nexo_settings"] = dataclasses.replace(
        settings, security=dataclasses.replace(settings.security, api_rate_per_minute=3)
    )
    try:
        answers = [await client.get("/api/v1/directory/people", headers=headers) for _ in range(4)]
    finally:
        app.state["nexo_settings"] = settings
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert [a.headers["ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["ratelimit-limit"] == "3" and int(answers[0].headers["ratelimit-reset"]) >= 1
    assert answers[3].status_code == 429 and problem_type(answers[3]) == "rate-limited"
    assert int(answers[3].headers["retry-after"]) >= 1
    other = await client.get("/api/v1/directory/people", headers=await token_for(tenant_b))
    assert other.status_code == 200  # per installation


async def test_crm_contacts_are_directory_people(
    client: Client, token_for: TokenFactory, crm_a: Workspace, crm_b: Workspace
) -> None:
    headers = await token_for(crm_a, CRM)
    company = await client.post("/api/v1/crm/companies", json={"name": "Acme", "industry": "Tools"}, headers=headers)
    assert company.status_code == 201, company.text
    contact = await client.post(
        "/api/v1/crm/contacts",
        headers=headers,
        json={
            "first_name": "Cora",
            "last_name": "Contact",
            "company_id": company.json()["id"],
            "lifecycle_stage": "customer",
            "tags": ["vip"],
        },
    )
    assert contact.status_code == 201, contact.text
    person = await client.get(f"/api/v1/directory/people/{contact.json()['id']}", headers=headers)
    assert person.json()["last_name"] == "Contact" and person.json()["organization_id"] == company.json()["id"]
    listed = (await client.get("/api/v1/crm/contacts?stage=customer&tag=vip", headers=headers)).json()["data"]
    assert [c["last_name"] for c in listed] == ["Contact"]
    changed = await client.patch(
        f"/api/v1/crm/contacts/{contact.json()['id']}", json={"lifecycle_stage": "former"}, headers=headers
    )
    assert changed.json()["lifecycle_stage"] == "former"
    other = await client.get(f"/api/v1/crm/contacts/{contact.json()['id']}", headers=await token_for(crm_b, CRM))
    assert other.status_code == 404


async def test_switched_off_module_refuses_calls_and_its_scopes_stop(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    headers = await token_for(crm_a, CRM)
    assert (await client.get("/api/v1/crm/contacts", headers=headers)).status_code == 200
    await switch_module(sessions, crm_a, "crm", False)
    off = await client.get("/api/v1/crm/contacts", headers=headers)  # same token, cached a moment ago
    assert off.status_code == 403 and problem_type(off) == "module-disabled"
    assert off.json()["context"]["module"] == "crm"
    assert (await client.get("/api/v1/directory/people", headers=headers)).status_code == 200  # the rest works
    assert (await client.get("/api/v1/crm/contacts", headers=await token_for(crm_b, CRM))).status_code == 200
    introspected = await client.get("/api/v1/webhooks/subscriptions", headers=headers)
    assert introspected.status_code == 200
    # a new token cannot get the scopes of the switched-off module either
    from nexo.tests.partner import make_integration

    integration = await make_integration(sessions, crm_a, CRM)
    refused = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "crm.read"},
        auth=(integration.client_id, integration.client_secret),
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    await switch_module(sessions, crm_a, "crm", True)
    assert (await client.get("/api/v1/crm/contacts", headers=headers)).status_code == 200  # data and scope are back


async def test_revoked_installation_stops_tokens_at_once(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    from sqlalchemy import select

    from nexo.platform.oauth.models import Installation
    from nexo.platform.oauth.pages import revoke_installation

    headers = await token_for(tenant_a)
    headers_b = await token_for(tenant_b)
    assert (await client.get("/api/v1/directory/people", headers=headers)).status_code == 200  # cached now
    async with sessions() as session:
        installation = await session.scalar(select(Installation).where(Installation.tenant_id == tenant_a.tenant.id))
        assert installation is not None and installation.last_used_at is not None
        await revoke_installation(session, installation)
        await session.commit()
    assert (await client.get("/api/v1/directory/people", headers=headers)).status_code == 401
    assert (await client.get("/api/v1/directory/people", headers=headers_b)).status_code == 200
