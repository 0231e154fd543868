"""Directory search takes what is typed literally: ``%`` and ``_`` are not wildcards, and the length is bounded."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from nexo.platform.db.search import MAX_SEARCH_LENGTH
from nexo.tests.factories import Workspace
from nexo.tests.integration.api.conftest import TokenFactory


async def test_percent_and_underscore_are_matched_literally(
    client: AsyncTestClient[Litestar], token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers = await token_for(tenant_a)
    for first, last in (("Ana", "100% Cotton"), ("Bea", "1000 Cottons"), ("Cai", "snake_case"), ("Dan", "snakeXcase")):
        answer = await client.post(
            "/api/v1/directory/people", json={"first_name": first, "last_name": last}, headers=headers
        )
        assert answer.status_code == 201
    for name in ("50% Off Ltd", "5000 Ltd"):
        assert (
            await client.post("/api/v1/directory/organizations", json={"name": name}, headers=headers)
        ).status_code == 201

    async def people(q: str) -> list[str]:
        answer = await client.get("/api/v1/directory/people", params={"q": q}, headers=headers)
        assert answer.status_code == 200, answer.text
        return [p["last_name"] for p in answer.json()["data"]]

    assert await people("0%") == ["100% Cotton"]
    assert await people("%") == ["100% Cotton"]
    assert await people("e_c") == ["snake_case"]
    organizations = await client.get("/api/v1/directory/organizations", params={"q": "50%"}, headers=headers)
    assert [o["name"] for o in organizations.json()["data"]] == ["50% Off Ltd"]
    too_long = await client.get(
        "/api/v1/directory/people", params={"q": "x" * (MAX_SEARCH_LENGTH + 1)}, headers=headers
    )
    assert too_long.status_code == 400
    # tenant B sees none of it
    other = await client.get("/api/v1/directory/people", params={"q": "Cotton"}, headers=await token_for(tenant_b))
    assert other.json()["data"] == []
