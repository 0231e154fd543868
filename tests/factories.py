"""Factories for tests: workspaces with owners, users, directory rows; and a web client that speaks CSRF."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.accounts.models import User
from nexo.platform.accounts.services import create_user
from nexo.platform.db.tenancy import bind_tenant
from nexo.platform.tenancy.context import Role
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.provisioning import provision_tenant

DEFAULT_PASSWORD = "Tr0ub4dor&3-horse"
_counter = itertools.count(1)


def unique_slug(prefix: str = "ws") -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}@example.com"


@dataclass
class Workspace:
    tenant: Tenant
    owner: User
    password: str = DEFAULT_PASSWORD

    @property
    def slug(self) -> str:
        return self.tenant.slug

    @property
    def schema(self) -> str:
        return self.tenant.schema_name


async def make_user(
    sessions: async_sessionmaker[AsyncSession],
    *,
    email: str | None = None,
    name: str = "Test User",
    password: str = DEFAULT_PASSWORD,
) -> User:
    async with sessions() as session:
        user = await create_user(session, email=email or unique_email(), full_name=name, password=password)
        await session.commit()
        return user


async def make_workspace(
    sessions: async_sessionmaker[AsyncSession],
    *,
    slug: str | None = None,
    name: str | None = None,
    owner: User | None = None,
    modules: tuple[str, ...] = (),
) -> Workspace:
    async with sessions() as session:
        if owner is None:
            owner = await create_user(
                session, email=unique_email("owner"), full_name="Owner", password=DEFAULT_PASSWORD
            )
        slug = slug or unique_slug()
        tenant = await provision_tenant(
            session, name=name or f"Company {slug}", slug=slug, owner=owner, modules=modules
        )
        await session.commit()
        return Workspace(tenant=tenant, owner=owner)


async def add_member(sessions: async_sessionmaker[AsyncSession], workspace: Workspace, user: User, role: Role) -> None:
    async with sessions() as session:
        session.add(Membership(tenant_id=workspace.tenant.id, user_id=user.id, role=role))
        await session.commit()


async def tenant_session(sessions: async_sessionmaker[AsyncSession], workspace: Workspace) -> AsyncSession:
    """A session bound to ``workspace``'s schema (close it yourself)."""
    session = sessions()
    await bind_tenant(session, workspace.schema)
    return session


CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


class WebClient:
    """A browser-like client: keeps cookies and sends the CSRF token on unsafe requests."""

    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.client = client

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("nexo_csrf") or ""

    async def ensure_csrf(self) -> str:
        if not self.csrf:
            await self.client.get("/login")
        return self.csrf

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf:
            headers["x-csrftoken"] = await self.ensure_csrf()
        kwargs.setdefault("follow_redirects", False)
        return await self.client.post(url, data=data or {}, headers=headers, **kwargs)

    async def login(self, email: str, password: str = DEFAULT_PASSWORD) -> Any:
        response = await self.post("/login", {"email": email, "password": password})
        assert response.status_code in (302, 303), response.text
        return response
