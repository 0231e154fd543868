"""In headless Chromium, as a partner's user: the partner's "Connect" link → sign in → consent → Allow (or Deny) →
the partner's callback, then the partner exchanges the code with an independent OAuth client (requests-oauthlib).

The partner is a real HTTP server on loopback, on another port than Nexo (so another origin): its page links to
the authorization URL and its callback records what it receives. Nothing is followed by hand: Chromium navigates
every step, so a page served with the wrong content type, a sign-in that loses the request or a CSP that blocks
the way back fails the test.
"""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from requests_oauthlib import OAuth2Session
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Person
from nexo.tests.factories import DEFAULT_PASSWORD, Workspace, make_workspace, tenant_session
from nexo.tests.partner import make_partner_app

pytestmark = pytest.mark.e2e
SCREENSHOTS = os.environ.get("NEXO_E2E_SCREENSHOTS")  # a folder to keep screenshots in while developing
if SCREENSHOTS:
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)


@dataclass
class PartnerSite:
    """The partner's web site: ``/`` shows a "Connect" link to ``authorize_url``; ``/callback`` records its query."""

    authorize_url: str = ""
    callbacks: list[dict[str, list[str]]] = field(default_factory=list)
    callback_urls: list[str] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def partner_site() -> Iterator[PartnerSite]:
    site = PartnerSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path)
            if path.path == "/callback":
                site.callbacks.append(parse_qs(path.query))
                site.callback_urls.append(site.url + self.path)
                body = "<!doctype html><title>Partner</title><h1>Back at the partner</h1>"
            else:
                link = html.escape(site.authorize_url, quote=True)
                body = f'<!doctype html><title>Partner</title><a id="connect" href="{link}">Connect to Nexo</a>'
            payload = body.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _insecure_transport_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the partner talks plain http to 127.0.0.1


async def _screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


async def _seed(sessions: async_sessionmaker[AsyncSession]) -> tuple[Workspace, Workspace]:
    own = await make_workspace(sessions, name="Partner Target")
    other = await make_workspace(sessions, name="Someone Else")
    for workspace, last_name in ((own, "Own-person"), (other, "Foreign-person")):
        session = await tenant_session(sessions, workspace)
        async with session:
            session.add(Person(first_name="Pat", last_name=last_name))
            await session.commit()
    return own, other


async def _sign_in_from_the_partner_link(page: Any, site: PartnerSite, workspace: Workspace) -> None:
    """Start signed out at the partner's page, follow its link, and sign in on Nexo's login page."""
    from playwright.async_api import expect

    await page.goto(site.url + "/")
    await page.locator("#connect").click()
    await page.wait_for_url(re.compile(r"/login\?next=/oauth/authorize%3F"))
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("E-mail").fill(workspace.owner.email)
    await page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/oauth/authorize\?"))
    await expect(page.get_by_role("heading", name="Connect Partner App to a workspace")).to_be_visible()


def _watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


async def test_a_partner_connects_through_the_browser_from_a_signed_out_start(
    browser_page: object, live_server: str, sessions: async_sessionmaker[AsyncSession], partner_site: PartnerSite
) -> None:
    from playwright.async_api import Page, expect

    page = browser_page
    assert isinstance(page, Page)
    errors = _watch_errors(page)
    own, _other = await _seed(sessions)
    app = await make_partner_app(sessions, own.owner.id, redirect_uri=partner_site.url + "/callback")
    oauth = OAuth2Session(app.client_id, redirect_uri=app.redirect_uri, scope=["directory.read"], pkce="S256")
    partner_site.authorize_url, state = oauth.authorization_url(f"{live_server}/oauth/authorize")

    await _sign_in_from_the_partner_link(page, partner_site, own)
    await expect(page.get_by_text("See organizations and people in the directory")).to_be_visible()
    await _screenshot(page, "consent-1280")
    await page.set_viewport_size({"width": 390, "height": 844})
    await _screenshot(page, "consent-390")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.get_by_label("Partner Target").check()
    await page.get_by_role("button", name="Allow").click()
    await page.wait_for_url(re.compile(re.escape(partner_site.url) + r"/callback\?"))
    await expect(page.get_by_role("heading", name="Back at the partner")).to_be_visible()

    [received] = partner_site.callbacks
    assert received["state"] == [state] and received["iss"] == [live_server] and received["code"][0]
    callback_url = partner_site.callback_urls[0]
    token = oauth.fetch_token(
        f"{live_server}/oauth/token", authorization_response=callback_url, client_secret=app.client_secret
    )
    assert token["scope"] == ["directory.read"] and token["refresh_token"]
    people = oauth.get(f"{live_server}/api/v1/directory/people")
    assert people.status_code == 200, people.text
    assert [p["last_name"] for p in people.json()["data"]] == ["Own-person"]  # never the other workspace's
    assert errors == []


async def test_a_partner_user_who_denies_is_sent_back_with_access_denied(
    browser_page: object, live_server: str, sessions: async_sessionmaker[AsyncSession], partner_site: PartnerSite
) -> None:
    from playwright.async_api import Page

    page = browser_page
    assert isinstance(page, Page)
    errors = _watch_errors(page)
    own, _ = await _seed(sessions)
    app = await make_partner_app(sessions, own.owner.id, redirect_uri=partner_site.url + "/callback")
    oauth = OAuth2Session(app.client_id, redirect_uri=app.redirect_uri, scope=["directory.read"], pkce="S256")
    partner_site.authorize_url, state = oauth.authorization_url(f"{live_server}/oauth/authorize")

    await _sign_in_from_the_partner_link(page, partner_site, own)
    await page.get_by_role("button", name="Deny").click()
    await page.wait_for_url(re.compile(re.escape(partner_site.url) + r"/callback\?"))

    [received] = partner_site.callbacks
    assert received["error"] == ["access_denied"]
    assert received["state"] == [state] and received["iss"] == [live_server] and "code" not in received
    assert errors == []


async def test_an_unregistered_return_address_gets_an_html_page_and_no_redirect(
    browser_page: object, live_server: str, sessions: async_sessionmaker[AsyncSession], partner_site: PartnerSite
) -> None:
    from playwright.async_api import Page, expect

    page = browser_page
    assert isinstance(page, Page)
    own, _ = await _seed(sessions)
    app = await make_partner_app(sessions, own.owner.id, redirect_uri=partner_site.url + "/callback")
    oauth = OAuth2Session(app.client_id, redirect_uri="https://attacker.example/cb", scope=["directory.read"])
    partner_site.authorize_url, _ = oauth.authorization_url(f"{live_server}/oauth/authorize")

    await page.goto(partner_site.url + "/")
    await page.locator("#connect").click()
    await page.get_by_label("E-mail").fill(own.owner.email)
    await page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="This authorization request cannot be completed")).to_be_visible()
    assert partner_site.callbacks == []
