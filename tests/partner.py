"""Partner-platform test helpers: a live uvicorn server, a signed-in browser session, apps and installations."""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.oauth.models import ClientKind, Installation, OAuthClient
from nexo.platform.oauth.secrets import SECRET_PREFIX, digest, new_secret
from nexo.platform.settings import Settings
from nexo.tests.factories import DEFAULT_PASSWORD, Workspace

CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    settings: Settings


def run_live_server(settings: Settings) -> Iterator[LiveServer]:
    """Serve a fresh Nexo app (its own engine and loop) with uvicorn on 127.0.0.1 in a thread."""
    from nexo.platform.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    live_settings = dataclasses.replace(settings, app=dataclasses.replace(settings.app, base_url=url))
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(live_settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url, live_settings)
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def browser_login(base_url: str, email: str, password: str = DEFAULT_PASSWORD) -> requests.Session:
    """A requests session signed in through the login form (the 'browser' of the OAuth flows)."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/login")
    token = browser.cookies.get("nexo_csrf") or CSRF_META.search(page.text).group(1)  # type: ignore[union-attr]
    response = browser.post(
        f"{base_url}/login",
        data={"email": email, "password": password},
        headers={"x-csrftoken": token},
        allow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    return browser


def consent(
    browser: requests.Session, authorize_url: str, workspace: Workspace | None, decision: str = "approve"
) -> requests.Response:
    """Open the consent page, pick ``workspace`` and approve or deny; returns the redirect (not followed)."""
    page = browser.get(authorize_url, allow_redirects=False)
    assert page.status_code == 200, page.text
    token = CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]
    data = {"_csrf_token": token, "decision": decision}
    if workspace is not None:
        data["workspace"] = workspace.slug
    return browser.post(authorize_url, data=data, allow_redirects=False)


@dataclass
class PartnerApp:
    pk: int
    client_id: str
    client_secret: str
    redirect_uri: str


async def make_partner_app(
    sessions: async_sessionmaker[AsyncSession],
    owner_id: int,
    *,
    scopes: tuple[str, ...] = ("directory.read", "directory.write"),
    redirect_uri: str = "http://127.0.0.1:9/callback",
) -> PartnerApp:
    secret = new_secret(SECRET_PREFIX)
    async with sessions() as session:
        client = OAuthClient(
            client_id="nxo_test_" + secret[-12:],
            secret_hash=digest(secret),
            name="Partner App",
            homepage="https://partner.example",
            redirect_uris=[redirect_uri],
            scopes=list(scopes),
            kind=ClientKind.PARTNER,
            owner_user_id=owner_id,
        )
        session.add(client)
        await session.commit()
        return PartnerApp(client.id, client.client_id, secret, redirect_uri)


async def make_integration(
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    scopes: tuple[str, ...] = ("directory.read", "directory.write"),
) -> PartnerApp:
    """A tenant's own client-credentials integration (what the integrations page creates)."""
    secret = new_secret(SECRET_PREFIX)
    async with sessions() as session:
        client = OAuthClient(
            client_id="nxo_int_" + secret[-12:],
            secret_hash=digest(secret),
            name="Own integration",
            redirect_uris=[],
            scopes=list(scopes),
            kind=ClientKind.PRIVATE,
            owner_user_id=workspace.owner.id,
            tenant_id=workspace.tenant.id,
        )
        session.add(client)
        await session.flush()
        session.add(Installation(client_pk=client.id, tenant_id=workspace.tenant.id, scopes=list(scopes)))
        await session.commit()
        return PartnerApp(client.id, client.client_id, secret, "")


class Receiver:
    """A real local HTTP server that records webhook posts and answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
