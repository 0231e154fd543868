"""Login sessions: Litestar's server-side session middleware storing in PostgreSQL (advanced-alchemy's backend).

The session id is rotated at login (``rotate_session``): the old id is deleted and a fresh one is issued, so an id
planted before login is worthless after it. Anonymous requests that put nothing in the session create no row and
set no cookie (a health check or a login page view must not write to the database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advanced_alchemy.extensions.litestar.plugins.init import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.session import SQLAlchemyAsyncSessionBackend
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession

from nexo.platform.accounts.models import UserSession

ROTATE_FLAG = "nexo_rotate_session"


def rotate_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Ask the session middleware to issue a new session id when this response is sent."""
    connection.scope[ROTATE_FLAG] = True  # type: ignore[literal-required]


class RotatingSessionBackend(SQLAlchemyAsyncSessionBackend):
    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        cookie = connection.cookies.get(self.config.key)
        if connection.scope.get(ROTATE_FLAG):
            if cookie:
                await self.delete(cookie, store=None)  # type: ignore[arg-type]
            connection.scope["_nexo_session_id"] = self.generate_session_id()  # type: ignore[typeddict-unknown-key]
        elif not scope_session and scope_session is not Empty and not cookie:
            return  # an anonymous visitor with nothing to keep: no row, no cookie
        if not scope_session and scope_session is not Empty:
            scope_session = Empty  # an empty session (expired or unknown id) is removed, and its cookie with it
        await super().store_in_message(scope_session, message, connection)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        rotated = connection.scope.get("_nexo_session_id")
        if isinstance(rotated, str):
            return rotated
        return super().get_session_id(connection)


@dataclass
class DatabaseSessionConfig(ServerSideSessionConfig):
    """``ServerSideSessionConfig`` whose backend is the PostgreSQL-backed, rotating one."""

    alchemy_config: SQLAlchemyAsyncConfig | None = field(default=None)

    def _make_backend(self) -> RotatingSessionBackend:
        assert self.alchemy_config is not None
        return RotatingSessionBackend(config=self, alchemy_config=self.alchemy_config, model=UserSession)

    @property
    def _backend_class(self) -> Any:  # type: ignore[override]
        config = self

        def factory(config: DatabaseSessionConfig = config) -> RotatingSessionBackend:
            return config._make_backend()

        return factory
