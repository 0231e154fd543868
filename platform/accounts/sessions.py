"""Login sessions: Litestar's server-side session middleware storing in PostgreSQL (advanced-alchemy's backend).

The session id is rotated at login (``rotate_session``): the old id is deleted and a fresh one is issued, so an id
planted before login is worthless after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advanced_alchemy.extensions.litestar.plugins.init import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.session import SQLAlchemyAsyncSessionBackend
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.types import Message, ScopeSession

from nexo.platform.accounts.models import UserSession

ROTATE_FLAG = "nexo_rotate_session"


def rotate_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Ask the session middleware to issue a new session id when this response is sent."""
    connection.scope[ROTATE_FLAG] = True  # type: ignore[literal-required]


class RotatingSessionBackend(SQLAlchemyAsyncSessionBackend):
    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        if connection.scope.get(ROTATE_FLAG):
            old_id = connection.cookies.get(self.config.key)
            if old_id:
                await self.delete(old_id, store=None)  # type: ignore[arg-type]
            new_id = self.generate_session_id()
            connection.scope["_nexo_session_id"] = new_id  # type: ignore[typeddict-unknown-key]
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
