"""What the authorization server refuses: every deviation from the registered, PKCE-protected code flow."""

# ruff: noqa: ASYNC210, S113 -- the live server runs in its own thread; the independent clients block

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from requests_oauthlib import OAuth2Session
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.tests.factories import DEFAULT_PASSWORD, Workspace
from nexo.tests.partner import LiveServer, PartnerApp, browser_login, consent, make_partner_app


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorize_url(live: LiveServer, app: PartnerApp, **overrides: str | None) -> str:
    verifier = "v" * 50
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": "directory.read",
        "state": "st-123",
        "code_challenge": challenge_of(verifier),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return f"{live.url}/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


async def get_code(live: LiveServer, app: PartnerApp, ws: Workspace, verifier: str) -> str:
    browser = browser_login(live.url, ws.owner.email)
    answer = consent(browser, authorize_url(live, app, code_challenge=challenge_of(verifier)), ws)
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


def exchange(
    live: LiveServer, app: PartnerApp, code: str, verifier: str | None, redirect_uri: str | None = None
) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri or app.redirect_uri}
    if verifier is not None:
        data["code_verifier"] = verifier
    return requests.post(f"{live.url}/oauth/token", data=data, auth=(app.client_id, app.client_secret))


@pytest.fixture
async def app(sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace) -> PartnerApp:
    return await make_partner_app(sessions, tenant_a.owner.id)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:9/callback/",
        "http://127.0.0.1:9/Callback",
        "http://127.0.0.1:9/callback?x=1",
        "http://localhost:9/callback",
        "https://127.0.0.1:9/callback",
        "http://127.0.0.1:90/callback",
    ],
)
async def test_redirect_uri_that_differs_in_any_way_is_refused_without_redirect(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace, redirect_uri: str
) -> None:
    browser = browser_login(live_server.url, tenant_a.owner.email)
    page = browser.get(authorize_url(live_server, app, redirect_uri=redirect_uri), allow_redirects=False)
    assert page.status_code == 400
    assert "location" not in page.headers  # never sent to an unregistered address
    assert "invalid_request" in page.text or "invalid_client" in page.text


@pytest.mark.parametrize(
    ("challenge", "method"), [(None, None), (challenge_of("v" * 50), None), ("v" * 50, "plain"), (None, "S256")]
)
async def test_missing_or_plain_code_challenge_is_refused(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace, challenge: str | None, method: str | None
) -> None:
    browser = browser_login(live_server.url, tenant_a.owner.email)
    page = browser.get(
        authorize_url(live_server, app, code_challenge=challenge, code_challenge_method=method), allow_redirects=False
    )
    assert page.status_code == 302
    query = parse_qs(urlsplit(page.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["st-123"]
    assert query["iss"] == [live_server.url]


async def test_wrong_verifier_is_refused(live_server: LiveServer, app: PartnerApp, tenant_a: Workspace) -> None:
    verifier = secrets.token_urlsafe(48)
    code = await get_code(live_server, app, tenant_a, verifier)
    assert exchange(live_server, app, code, None).json()["error"] == "invalid_request"
    wrong = exchange(live_server, app, code, secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange(live_server, app, code, verifier).status_code == 200  # the right one still works


async def test_token_redirect_uri_must_match_the_authorization_request(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = await get_code(live_server, app, tenant_a, verifier)
    other = exchange(live_server, app, code, verifier, redirect_uri=app.redirect_uri + "/")
    assert other.json()["error"] == "invalid_grant"


async def test_replayed_code_is_refused_and_revokes_what_it_issued(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = await get_code(live_server, app, tenant_a, verifier)
    first = exchange(live_server, app, code, verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    api = f"{live_server.url}/api/v1/directory/people"
    assert requests.get(api, headers={"Authorization": f"Bearer {access}"}).status_code == 200
    replay = exchange(live_server, app, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert requests.get(api, headers={"Authorization": f"Bearer {access}"}).status_code == 401
    refresh = requests.post(
        f"{live_server.url}/oauth/token",
        auth=(app.client_id, app.client_secret),
        data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]},
    )
    assert refresh.json()["error"] == "invalid_grant"


async def test_implicit_and_password_grants_do_not_exist(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace
) -> None:
    browser = browser_login(live_server.url, tenant_a.owner.email)
    implicit = browser.get(authorize_url(live_server, app, response_type="token"), allow_redirects=False)
    assert implicit.status_code == 302
    assert parse_qs(urlsplit(implicit.headers["location"]).query)["error"] == ["unsupported_response_type"]
    async with AsyncOAuth2Client(app.client_id, app.client_secret) as client:
        with pytest.raises(OAuthError) as password:
            await client.fetch_token(
                f"{live_server.url}/oauth/token",
                username=tenant_a.owner.email,
                password="Tr0ub4dor&3-horse",
                grant_type="password",
            )
    assert password.value.error == "unsupported_grant_type"
    # a partner app cannot use the client-credentials grant either (only a workspace's own integrations can)
    cc = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(app.client_id, app.client_secret),
    )
    assert cc.json()["error"] == "unauthorized_client"


async def test_wrong_client_secret_and_scope_beyond_registration(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace
) -> None:
    bad = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "authorization_code", "code": "x"},
        auth=(app.client_id, "nxo_cs_wrong"),
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    browser = browser_login(live_server.url, tenant_a.owner.email)
    page = browser.get(authorize_url(live_server, app, scope="directory.read billing.admin"), allow_redirects=False)
    assert parse_qs(urlsplit(page.headers["location"]).query)["error"] == ["invalid_scope"]


async def test_denied_consent_returns_access_denied_with_state_and_issuer(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace
) -> None:
    oauth = OAuth2Session(app.client_id, redirect_uri=app.redirect_uri, scope=["directory.read"], pkce="S256")
    url, state = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    answer = consent(browser_login(live_server.url, tenant_a.owner.email), url, tenant_a, decision="deny")
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == [state] and query["iss"] == [live_server.url]


async def test_consent_post_needs_the_csrf_token(live_server: LiveServer, app: PartnerApp, tenant_a: Workspace) -> None:
    browser = browser_login(live_server.url, tenant_a.owner.email)
    url = authorize_url(live_server, app)
    assert browser.get(url).status_code == 200
    forged = browser.post(url, data={"decision": "approve", "workspace": tenant_a.slug}, allow_redirects=False)
    assert forged.status_code == 403


async def test_token_of_tenant_a_never_reaches_tenant_b_ids(
    live_server: LiveServer,
    app: PartnerApp,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    from nexo.tests.integration.oauth.test_flows import add_person

    id_b = await add_person(sessions, tenant_b, "Only-in-B")
    verifier = secrets.token_urlsafe(48)
    token = exchange(live_server, app, await get_code(live_server, app, tenant_a, verifier), verifier).json()
    headers = {"Authorization": f"Bearer {token['access_token']}", "X-Tenant": tenant_b.slug}
    async with httpx.AsyncClient(base_url=live_server.url, headers=headers) as api:
        answer = await api.get(f"/api/v1/directory/people/{id_b}")
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("application/problem+json")
        listed = await api.get("/api/v1/directory/people", params={"workspace": tenant_b.slug})
        assert "Only-in-B" not in listed.text


def _csp(response: requests.Response) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in response.headers["content-security-policy"].split("; ")}


async def test_the_consent_flow_is_made_of_html_pages_a_browser_can_follow(
    live_server: LiveServer, app: PartnerApp, tenant_a: Workspace
) -> None:
    """Signed out, the authorization request sends the person to sign in and back; pages are HTML; the consent
    page's CSP lets its form end on the app's registered origin, and only there."""
    url = authorize_url(live_server, app)
    signed_out = requests.get(url, headers={"accept": "text/html"}, allow_redirects=False)
    assert signed_out.status_code in (302, 303)
    location = signed_out.headers["location"]
    assert location.startswith("/login?next=")
    assert parse_qs(urlsplit(location).query)["next"] == [url.removeprefix(live_server.url)]

    browser = requests.Session()
    login_page = browser.get(live_server.url + location)
    assert f'name="next" value="{url.removeprefix(live_server.url)}"' in login_page.text.replace("&amp;", "&")
    signed_in = browser.post(
        f"{live_server.url}/login",
        data={"email": tenant_a.owner.email, "password": DEFAULT_PASSWORD, "next": url.removeprefix(live_server.url)},
        headers={"x-csrftoken": browser.cookies["nexo_csrf"]},
        allow_redirects=False,
    )
    assert signed_in.status_code in (302, 303) and signed_in.headers["location"] == url.removeprefix(live_server.url)
    page = browser.get(url, allow_redirects=False)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = _csp(page)
    assert csp["form-action"] == ["'self'", "http://127.0.0.1:9"]
    assert csp["script-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert _csp(browser.get(f"{live_server.url}/workspaces"))["form-action"] == ["'self'"]  # only that page

    wrong = browser.get(authorize_url(live_server, app, redirect_uri="https://evil.example/cb"), allow_redirects=False)
    assert wrong.status_code == 400 and wrong.headers["content-type"].startswith("text/html")
    assert _csp(wrong)["form-action"] == ["'self'"]
