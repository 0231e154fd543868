"""CRM API resources beyond contacts: leads (qualify), opportunities (move, won/lost), activities (done),
support cases with messages, campaigns; scopes, module-off, tenant boundaries, the CRM's own input rules."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.tests.days import days
from nexo.tests.factories import Workspace, make_workspace
from nexo.tests.integration.api.conftest import TokenFactory, switch_module

Client = AsyncTestClient[Litestar]
CRM = ("crm.read", "crm.write", "directory.read", "directory.write")


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha Sales", modules=("crm",))


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta Sales", modules=("crm",))


def problem_type(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def test_lead_is_qualified_into_an_opportunity(
    client: Client, token_for: TokenFactory, crm_a: Workspace, crm_b: Workspace
) -> None:
    headers = await token_for(crm_a, CRM)
    lead = await client.post(
        "/api/v1/crm/leads",
        headers=headers,
        json={
            "title": "Website redesign",
            "first_name": "Lea",
            "last_name": "Lind",
            "email": "LEA@Example.com",
            "company_name": "Lind & Co",
        },
    )
    assert lead.status_code == 201, lead.text
    assert lead.json()["status"] == "new" and lead.json()["email"] == "LEA@example.com"
    lead_id = lead.json()["id"]
    qualified = await client.post(f"/api/v1/crm/leads/{lead_id}/qualify", headers=headers, json={"amount": "1250.00"})
    assert qualified.status_code == 200, qualified.text
    body = qualified.json()
    assert body["lead"]["status"] == "qualified" and body["lead"]["opportunity_id"] == body["opportunity"]["id"]
    deal = body["opportunity"]
    assert deal["title"] == "Website redesign" and deal["amount"] == "1250.00" and deal["status"] == "open"
    company = await client.get(f"/api/v1/crm/companies/{deal['company_id']}", headers=headers)
    contact = await client.get(f"/api/v1/crm/contacts/{deal['contact_id']}", headers=headers)
    assert company.json()["name"] == "Lind & Co" and contact.json()["last_name"] == "Lind"
    again = await client.post(f"/api/v1/crm/leads/{lead_id}/qualify", headers=headers, json={})
    assert again.status_code == 409 and problem_type(again) == "conflict"
    assert "already qualified" in again.json()["detail"]
    # the rules of the CRM apply to API input: a lead must be reachable
    unreachable = await client.post("/api/v1/crm/leads", headers=headers, json={"title": "Nobody"})
    assert unreachable.status_code == 400 and problem_type(unreachable) == "validation-error"
    assert unreachable.json()["errors"][0]["key"] == "last_name"
    listed = await client.get("/api/v1/crm/leads?status=qualified", headers=headers)
    assert [item["id"] for item in listed.json()["data"]] == [lead_id]
    bad_qualify = await client.post(
        f"/api/v1/crm/leads/{lead_id}/qualify", headers=headers, json={"company_id": 987654}
    )
    assert bad_qualify.status_code == 400 and bad_qualify.json()["errors"][0]["key"] == "company_id"


async def test_lead_disqualified_with_a_reason(
    client: Client, token_for: TokenFactory, crm_a: Workspace, crm_b: Workspace
) -> None:
    headers = await token_for(crm_a, CRM)
    lead = (
        await client.post("/api/v1/crm/leads", headers=headers, json={"title": "Cold", "email": "cold@example.com"})
    ).json()
    no_reason = await client.post(f"/api/v1/crm/leads/{lead['id']}/disqualify", headers=headers, json={"reason": "  "})
    assert no_reason.status_code == 409 and "why" in no_reason.json()["detail"]
    nul = await client.post(
        f"/api/v1/crm/leads/{lead['id']}/disqualify", headers=headers, json={"reason": "bad\u0000byte"}
    )
    assert nul.status_code == 400 and problem_type(nul) == "validation-error"
    nul_query = await client.get("/api/v1/crm/contacts?q=a%00b", headers=headers)
    assert nul_query.status_code == 400
    done = await client.post(
        f"/api/v1/crm/leads/{lead['id']}/disqualify", headers=headers, json={"reason": "No budget"}
    )
    assert done.status_code == 200 and done.json()["status"] == "disqualified"
    assert done.json()["disqualified_reason"] == "No budget"


async def test_opportunity_moves_wins_and_loses(
    client: Client, token_for: TokenFactory, crm_a: Workspace, crm_b: Workspace
) -> None:
    headers = await token_for(crm_a, CRM)
    stages = (await client.get("/api/v1/crm/stages", headers=headers)).json()
    kinds = {s["kind"] for s in stages}
    assert kinds == {"open", "won", "lost"}
    open_stages = [s for s in stages if s["kind"] == "open"]
    lost_stage = next(s for s in stages if s["kind"] == "lost")
    created = await client.post(
        "/api/v1/crm/opportunities", headers=headers, json={"title": "Big deal", "amount": "5000"}
    )
    assert created.status_code == 201, created.text
    deal = created.json()
    assert deal["stage_id"] == open_stages[0]["id"] and deal["probability"] == open_stages[0]["probability"]
    moved = await client.post(
        f"/api/v1/crm/opportunities/{deal['id']}/move", headers=headers, json={"stage_id": open_stages[2]["id"]}
    )
    assert moved.status_code == 200 and moved.json()["stage_name"] == open_stages[2]["name"]
    lost_without_reason = await client.post(
        f"/api/v1/crm/opportunities/{deal['id']}/move", headers=headers, json={"stage_id": lost_stage["id"]}
    )
    assert lost_without_reason.status_code == 409 and problem_type(lost_without_reason) == "conflict"
    lost = await client.post(
        f"/api/v1/crm/opportunities/{deal['id']}/lost", headers=headers, json={"reason": "Chose a competitor"}
    )
    assert lost.status_code == 200
    assert lost.json()["status"] == "lost" and lost.json()["close_reason"] == "Chose a competitor"
    assert lost.json()["probability"] == 0
    reopened = await client.patch(
        f"/api/v1/crm/opportunities/{deal['id']}",
        headers=headers,
        json={"stage_id": open_stages[1]["id"], "amount": "7000.50"},
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "open" and reopened.json()["amount"] == "7000.50"
    won = await client.post(f"/api/v1/crm/opportunities/{deal['id']}/won", headers=headers, json={})
    assert won.json()["status"] == "won" and won.json()["probability"] == 100
    bad_amount = await client.patch(
        f"/api/v1/crm/opportunities/{deal['id']}", headers=headers, json={"amount": "12.345"}
    )
    assert bad_amount.status_code == 400 and bad_amount.json()["errors"][0]["key"] == "amount"
    filtered = await client.get("/api/v1/crm/opportunities?status=won", headers=headers)
    assert [d["id"] for d in filtered.json()["data"]] == [deal["id"]]
    unknown_stage = await client.post(
        f"/api/v1/crm/opportunities/{deal['id']}/move", headers=headers, json={"stage_id": 999999}
    )
    assert unknown_stage.status_code == 400 and unknown_stage.json()["errors"][0]["key"] == "stage_id"


async def test_activities_on_records_and_their_done_state(
    client: Client, token_for: TokenFactory, crm_a: Workspace, crm_b: Workspace
) -> None:
    headers = await token_for(crm_a, CRM)
    contact = (
        await client.post("/api/v1/crm/contacts", headers=headers, json={"first_name": "Tom", "last_name": "Task"})
    ).json()
    task = await client.post(
        "/api/v1/crm/activities",
        headers=headers,
        json={"kind": "task", "subject": "Call back", "due_date": str(days(11)), "contact_id": contact["id"]},
    )
    assert task.status_code == 201, task.text
    assert task.json()["done"] is False and task.json()["contact_id"] == contact["id"]
    note = await client.post(
        "/api/v1/crm/activities", headers=headers, json={"subject": "Met at the fair", "contact_id": contact["id"]}
    )
    assert note.json()["kind"] == "note"
    done = await client.patch(f"/api/v1/crm/activities/{task.json()['id']}", headers=headers, json={"done": True})
    assert done.status_code == 200 and done.json()["done"] is True and done.json()["done_at"]
    open_tasks = await client.get(f"/api/v1/crm/activities?contact_id={contact['id']}&done=false", headers=headers)
    assert [a["subject"] for a in open_tasks.json()["data"]] == ["Met at the fair"]
    two_subjects = await client.post(
        "/api/v1/crm/activities",
        headers=headers,
        json={"subject": "Where?", "contact_id": contact["id"], "company_id": 1},
    )
    assert two_subjects.status_code == 400 and problem_type(two_subjects) == "validation-error"
    nowhere = await client.post(
        "/api/v1/crm/activities", headers=headers, json={"subject": "Lost", "opportunity_id": 424242}
    )
    assert nowhere.status_code == 400 and nowhere.json()["errors"][0]["key"] == "opportunity_id"


async def test_support_cases_and_messages(
    client: Client, token_for: TokenFactory, crm_a: Workspace, crm_b: Workspace
) -> None:
    headers = await token_for(crm_a, CRM)
    company = (await client.post("/api/v1/crm/companies", headers=headers, json={"name": "Help Inc"})).json()
    no_customer = await client.post("/api/v1/crm/cases", headers=headers, json={"subject": "Broken"})
    assert no_customer.status_code == 400 and no_customer.json()["errors"][0]["key"] == "person_id"
    case = await client.post(
        "/api/v1/crm/cases",
        headers=headers,
        json={"subject": "Broken", "priority": "high", "company_id": company["id"]},
    )
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    reply = await client.post(f"/api/v1/crm/cases/{case_id}/messages", headers=headers, json={"body": "We are on it."})
    assert reply.status_code == 201 and reply.json()["internal"] is False
    note = await client.post(
        f"/api/v1/crm/cases/{case_id}/messages", headers=headers, json={"body": "Check the logs", "internal": True}
    )
    assert note.status_code == 201
    after = (await client.get(f"/api/v1/crm/cases/{case_id}", headers=headers)).json()
    assert after["status"] == "pending"  # answered: waiting for the customer
    messages = (await client.get(f"/api/v1/crm/cases/{case_id}/messages", headers=headers)).json()["data"]
    assert [m["body"] for m in messages] == ["We are on it.", "Check the logs"]
    closed = await client.patch(f"/api/v1/crm/cases/{case_id}", headers=headers, json={"status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["priority"] == "high"
    missing = await client.get("/api/v1/crm/cases/999999/messages", headers=headers)
    assert missing.status_code == 404 and problem_type(missing) == "not-found"


async def test_campaigns_read_and_create(
    client: Client, token_for: TokenFactory, crm_a: Workspace, crm_b: Workspace
) -> None:
    headers = await token_for(crm_a, CRM)
    created = await client.post(
        "/api/v1/crm/campaigns",
        headers=headers,
        json={
            "name": "Spring",
            "target_tags": ["vip", "Newsletter"],
            "starts_on": str(days(101)),
            "ends_on": str(days(131)),
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["target_tags"] == ["vip", "newsletter"] and created.json()["status"] == "planned"
    backwards = await client.post(
        "/api/v1/crm/campaigns",
        headers=headers,
        json={"name": "Odd", "starts_on": str(days(131)), "ends_on": str(days(101))},
    )
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["key"] == "ends_on"
    read = await client.get(f"/api/v1/crm/campaigns/{created.json()['id']}", headers=headers)
    assert read.json()["name"] == "Spring"
    listed = (await client.get("/api/v1/crm/campaigns", headers=headers)).json()["data"]
    assert [c["name"] for c in listed] == ["Spring"]


async def test_tenant_boundary_scopes_and_module_off(
    client: Client,
    token_for: TokenFactory,
    sessions: async_sessionmaker[AsyncSession],
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    headers_a, headers_b = await token_for(crm_a, CRM), await token_for(crm_b, CRM)
    lead = (
        await client.post("/api/v1/crm/leads", headers=headers_a, json={"title": "Mine", "email": "a@example.com"})
    ).json()
    deal = (await client.post("/api/v1/crm/opportunities", headers=headers_a, json={"title": "Mine"})).json()
    case_company = (await client.post("/api/v1/crm/companies", headers=headers_a, json={"name": "A Co"})).json()
    case = (
        await client.post(
            "/api/v1/crm/cases", headers=headers_a, json={"subject": "A", "company_id": case_company["id"]}
        )
    ).json()
    for path in (
        f"/api/v1/crm/leads/{lead['id']}",
        f"/api/v1/crm/opportunities/{deal['id']}",
        f"/api/v1/crm/cases/{case['id']}",
    ):
        answer = await client.get(path, headers=headers_b)
        assert answer.status_code == 404 and problem_type(answer) == "not-found", path
    stolen = await client.post(f"/api/v1/crm/leads/{lead['id']}/qualify", headers=headers_b, json={})
    assert stolen.status_code == 404
    moved = await client.post(f"/api/v1/crm/opportunities/{deal['id']}/won", headers=headers_b, json={})
    assert moved.status_code == 404
    assert (await client.get(f"/api/v1/crm/leads/{lead['id']}", headers=headers_a)).json()["status"] == "new"
    read_only = await token_for(crm_a, ("crm.read",))
    refused = await client.post("/api/v1/crm/leads", headers=read_only, json={"title": "X", "email": "x@e.com"})
    assert refused.status_code == 403 and problem_type(refused) == "insufficient-scope"
    assert (await client.get("/api/v1/crm/leads", headers=read_only)).status_code == 200
    unused = await token_for(crm_a, CRM)  # not cached yet: no race with the cache invalidation
    await switch_module(sessions, crm_a, "crm", False)
    off = await client.get("/api/v1/crm/opportunities", headers=unused)
    assert off.status_code == 403 and problem_type(off) == "module-disabled"
    assert (await client.get("/api/v1/crm/opportunities", headers=headers_b)).status_code == 200


async def test_deleting_a_contact_still_used_elsewhere_is_a_conflict(
    client: Client, token_for: TokenFactory, sessions: async_sessionmaker[AsyncSession], crm_b: Workspace
) -> None:
    from nexo.modules.erp.hr.models import Employee
    from nexo.tests.factories import tenant_session

    both = await make_workspace(sessions, name="Gamma Both", modules=("crm", "erp.hr"))
    headers = await token_for(both, CRM)
    contact = (
        await client.post("/api/v1/crm/contacts", headers=headers, json={"first_name": "Eve", "last_name": "Employee"})
    ).json()
    session = await tenant_session(sessions, both)
    async with session:
        session.add(Employee(person_id=contact["id"], job_title="Clerk"))
        await session.commit()
    refused = await client.delete(f"/api/v1/crm/contacts/{contact['id']}", headers=headers)
    assert refused.status_code == 409 and problem_type(refused) == "conflict"
    assert (await client.get(f"/api/v1/crm/contacts/{contact['id']}", headers=headers)).status_code == 200
    other = (
        await client.post("/api/v1/crm/contacts", headers=headers, json={"first_name": "Free", "last_name": "Agent"})
    ).json()
    assert (await client.delete(f"/api/v1/crm/contacts/{other['id']}", headers=headers)).status_code == 204


async def test_leads_opportunities_activities_and_cases_are_deleted(
    client: Client,
    token_for: TokenFactory,
    sessions: async_sessionmaker[AsyncSession],
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    from nexo.tests.integration.api.test_webhooks import deliveries, subscribe

    headers_a, headers_b = await token_for(crm_a, CRM), await token_for(crm_b, CRM)
    kinds = ("lead", "opportunity", "activity", "case")
    await subscribe(client, headers_a, "http://127.0.0.1:9/hook", *(f"crm.{k}.deleted" for k in kinds))
    company = (await client.post("/api/v1/crm/companies", headers=headers_a, json={"name": "Gone Co"})).json()
    lead = (
        await client.post("/api/v1/crm/leads", headers=headers_a, json={"title": "Maybe", "email": "maybe@example.com"})
    ).json()
    deal = (await client.post("/api/v1/crm/opportunities", headers=headers_a, json={"title": "Deal"})).json()
    on_deal = (
        await client.post(
            "/api/v1/crm/activities", headers=headers_a, json={"subject": "Pitch", "opportunity_id": deal["id"]}
        )
    ).json()
    note = (
        await client.post(
            "/api/v1/crm/activities", headers=headers_a, json={"subject": "Note", "company_id": company["id"]}
        )
    ).json()
    case = (
        await client.post("/api/v1/crm/cases", headers=headers_a, json={"subject": "Help", "company_id": company["id"]})
    ).json()
    await client.post(f"/api/v1/crm/cases/{case['id']}/messages", headers=headers_a, json={"body": "On it."})
    paths = {
        "lead": f"/api/v1/crm/leads/{lead['id']}",
        "opportunity": f"/api/v1/crm/opportunities/{deal['id']}",
        "activity": f"/api/v1/crm/activities/{note['id']}",
        "case": f"/api/v1/crm/cases/{case['id']}",
    }
    read_only = await token_for(crm_a, ("crm.read",))
    for kind, path in paths.items():
        other_tenant = await client.delete(path, headers=headers_b)
        assert other_tenant.status_code == 404 and problem_type(other_tenant) == "not-found", kind
        no_scope = await client.delete(path, headers=read_only)
        assert no_scope.status_code == 403 and problem_type(no_scope) == "insufficient-scope", kind
        assert (await client.get(path, headers=headers_a)).status_code == 200, kind
    for kind, path in paths.items():
        assert (await client.delete(path, headers=headers_a)).status_code == 204, kind
        assert (await client.get(path, headers=headers_a)).status_code == 404, kind
        again = await client.delete(path, headers=headers_a)
        assert again.status_code == 404 and problem_type(again) == "not-found", kind
    # the deal's activity and the case's messages went with them
    assert (await client.get(f"/api/v1/crm/activities/{on_deal['id']}", headers=headers_a)).status_code == 404
    assert (await client.get(f"/api/v1/crm/cases/{case['id']}/messages", headers=headers_a)).status_code == 404
    sent = [(d.event_type, d.payload["data"]) for d in await deliveries(sessions, crm_a.tenant.id)]
    assert sent == [
        ("crm.lead.deleted", {"id": lead["id"]}),
        ("crm.opportunity.deleted", {"id": deal["id"]}),
        ("crm.activity.deleted", {"id": note["id"]}),
        ("crm.case.deleted", {"id": case["id"]}),
    ]
    assert await deliveries(sessions, crm_b.tenant.id) == []


async def test_a_qualified_lead_and_a_quoted_opportunity_are_not_deleted(
    client: Client, token_for: TokenFactory, sessions: async_sessionmaker[AsyncSession], crm_b: Workspace
) -> None:

    from nexo.modules.erp.sales.models import Quote
    from nexo.tests.factories import tenant_session

    both = await make_workspace(sessions, name="Gamma Quotes", modules=("crm", "erp.sales"))
    headers = await token_for(both, CRM)
    lead = (
        await client.post(
            "/api/v1/crm/leads",
            headers=headers,
            json={"title": "Big one", "last_name": "Quinn", "company_name": "Quinn AG"},
        )
    ).json()
    qualified = (await client.post(f"/api/v1/crm/leads/{lead['id']}/qualify", headers=headers, json={})).json()
    deal = qualified["opportunity"]
    refused_lead = await client.delete(f"/api/v1/crm/leads/{lead['id']}", headers=headers)
    assert refused_lead.status_code == 409 and problem_type(refused_lead) == "conflict"
    assert "delete the opportunity first" in refused_lead.json()["detail"]
    session = await tenant_session(sessions, both)
    async with session:
        quote = Quote(
            customer_org_id=deal["company_id"],
            quote_date=days(-19),
            currency="EUR",
            opportunity_id=deal["id"],
        )
        session.add(quote)
        await session.commit()
        quote_id = quote.id
    refused_deal = await client.delete(f"/api/v1/crm/opportunities/{deal['id']}", headers=headers)
    assert refused_deal.status_code == 409 and problem_type(refused_deal) == "conflict"
    assert f"Q-{quote_id:06d}" in refused_deal.json()["detail"]
    assert (await client.get(f"/api/v1/crm/opportunities/{deal['id']}", headers=headers)).status_code == 200
    session = await tenant_session(sessions, both)
    async with session:
        await session.delete(await session.get(Quote, quote_id))
        await session.commit()
    assert (await client.delete(f"/api/v1/crm/opportunities/{deal['id']}", headers=headers)).status_code == 204
    # without its deal, the lead is plain history again and can go
    assert (await client.get(f"/api/v1/crm/leads/{lead['id']}", headers=headers)).json()["opportunity_id"] is None
    assert (await client.delete(f"/api/v1/crm/leads/{lead['id']}", headers=headers)).status_code == 204
