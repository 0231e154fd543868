"""Login sessions: Litestar's server-side session middleware storing in PostgreSQL (advanced-alchemy's backend).

The session id is rotated at login (``rotate_session``): the old id is deleted and a fresh one is issued, so an id
planted before login is worthless after it. Anonymous requests that put nothing in the session create no row and
set no cookie (a health check or a login page view must not write to the database).

An ordinary page view costs one round trip: a single SELECT on an autocommit connection (no BEGIN/COMMIT). The row
is written back only when the session data changed, or when its expiry was last pushed forward more than
``refresh_interval`` seconds ago (so idle expiry still works to within that interval); otherwise the response
carries no session cookie and nothing is written. The cookie is re-sent exactly when the row is written, so the
browser's cookie and the server-side row expire together. Writes go in the request's own transaction when it is
about to commit (see ``_write``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from advanced_alchemy.extensions.litestar._utils import get_aa_scope_state
from advanced_alchemy.extensions.litestar.plugins.init import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.session import SESSION_ID_MAX_LENGTH, SQLAlchemyAsyncSessionBackend
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items
from sqlalchemy import Executable, Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from nexo.platform.accounts.models import UserSession

ROTATE_FLAG = "nexo_rotate_session"
LOADED_KEY = "_nexo_session_loaded"
ROTATED_ID_KEY = "_nexo_session_id"
REFRESH_INTERVAL_SECONDS = 60


class LoadedSession(NamedTuple):
    """What the request's one SELECT found: compared with the outgoing session to decide whether to write."""

    session_id: str
    data: bytes
    expires_at: datetime.datetime


def rotate_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Ask the session middleware to issue a new session id when this response is sent."""
    connection.scope[ROTATE_FLAG] = True  # type: ignore[literal-required]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class RotatingSessionBackend(SQLAlchemyAsyncSessionBackend):
    """advanced-alchemy's PostgreSQL session backend with rotation, lazy expiry refresh and write-on-change."""

    _autocommit: AsyncEngine | None = None

    @property
    def table(self) -> Table:
        return cast("Table", UserSession.__table__)

    @property
    def refresh_interval(self) -> datetime.timedelta:
        config = self.config
        assert isinstance(config, DatabaseSessionConfig)
        return datetime.timedelta(seconds=config.effective_refresh_interval)

    def _connect(self) -> AsyncConnection:
        """A pooled connection in autocommit mode: each statement is one round trip, with no BEGIN or COMMIT."""
        if self._autocommit is None:
            self._autocommit = self.alchemy.get_engine().execution_options(isolation_level="AUTOCOMMIT")
        return self._autocommit.connect()

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if not session_id or len(session_id) > SESSION_ID_MAX_LENGTH:
            return {}
        loaded = await self._fetch(session_id)
        if loaded is None:
            return {}  # unknown or expired: the empty session makes ``store_in_message`` delete the row and cookie
        connection.scope[LOADED_KEY] = loaded  # type: ignore[literal-required]
        return self.deserialize_data(loaded.data)

    async def _fetch(self, session_id: str) -> LoadedSession | None:
        """The live session under ``session_id`` (one SELECT, autocommit), or ``None`` when unknown or expired."""
        statement = select(self.table.c.data, self.table.c.expires_at).where(self.table.c.session_id == session_id)
        async with self._connect() as db:
            row = (await db.execute(statement)).one_or_none()
        if row is None or row.expires_at <= _now():
            return None
        return LoadedSession(session_id, row.data, row.expires_at)

    async def get(self, /, session_id: str, store: Store) -> bytes | None:
        loaded = await self._fetch(session_id)
        return None if loaded is None else loaded.data

    def _upsert(self, session_id: str, data: bytes) -> Executable:
        """Insert or replace the row in one statement, with a fresh expiry."""
        expires_at = _now() + datetime.timedelta(seconds=self.config.max_age)
        statement = insert(self.table).values(session_id=session_id, data=data, expires_at=expires_at)
        return statement.on_conflict_do_update(
            index_elements=[self.table.c.session_id], set_={"data": data, "expires_at": expires_at}
        )

    def _delete(self, session_id: str) -> Executable:
        return delete(self.table).where(self.table.c.session_id == session_id)

    def _refresh(self, session_id: str) -> Executable:
        """Push the expiry forward without rewriting the data (a row deleted meanwhile stays deleted)."""
        expires_at = _now() + datetime.timedelta(seconds=self.config.max_age)
        return update(self.table).where(self.table.c.session_id == session_id).values(expires_at=expires_at)

    async def _run(self, *statements: Executable) -> None:
        async with self._connect() as db:
            for statement in statements:
                await db.execute(statement)

    async def _write(
        self, statements: list[Executable], message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        """Run the writes in the request's own transaction when it is about to be committed, else on their own.

        The session middleware sends the response headers before Litestar's ``before_send`` commits the request's
        database session, so a write on a connection of its own would hold a second connection (and, behind
        PgBouncer, a second server connection) while the request's is still checked out. Riding along with the
        request's commit (``autocommit_include_redirects``: 2xx and 3xx) needs none, and a login's new session row
        commits with the login itself.
        """
        request_session = get_aa_scope_state(connection.scope, self.alchemy.session_scope_key)
        status = message.get("status", 500) if message["type"] == "http.response.start" else 500
        if isinstance(request_session, AsyncSession) and 200 <= int(status) < 400:
            try:
                async with request_session.begin_nested():  # a savepoint: a failure leaves the request's work alone
                    for statement in statements:
                        await request_session.execute(statement)
                return
            except SQLAlchemyError:
                pass  # the request's transaction cannot take it (already failed): write on a connection of its own
        await self._run(*statements)

    async def set(self, /, session_id: str, data: bytes, store: Store) -> None:
        await self._run(self._upsert(session_id, data))

    async def delete(self, /, session_id: str, store: Store) -> None:
        await self._run(self._delete(session_id))

    def _kept(
        self, scope_session: ScopeSession, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> LoadedSession | None:
        """The loaded session if the outgoing one is the same id with the same bytes, else ``None``."""
        loaded = connection.scope.get(LOADED_KEY)
        if not isinstance(loaded, LoadedSession) or not scope_session or scope_session is Empty:
            return None
        if loaded.session_id != connection.cookies.get(self.config.key):
            return None
        return loaded if self.serialize_data(scope_session, connection.scope) == loaded.data else None

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        cookie = connection.cookies.get(self.config.key)
        statements: list[Executable] = []
        if connection.scope.get(ROTATE_FLAG):
            if cookie:
                statements.append(self._delete(cookie))
            connection.scope[ROTATED_ID_KEY] = self.generate_session_id()  # type: ignore[literal-required]
        elif not scope_session and cast("object", scope_session) is not Empty and not cookie:
            return  # an anonymous visitor with nothing to keep: no row, no cookie
        elif (kept := self._kept(scope_session, connection)) is not None:
            last_refresh = kept.expires_at - datetime.timedelta(seconds=self.config.max_age)
            if _now() - last_refresh >= self.refresh_interval:
                await self._write([self._refresh(kept.session_id)], message, connection)
                self._add_cookie(kept.session_id, message)
            return  # unchanged: at most an expiry refresh, never a rewrite of the data
        session_id = self.get_session_id(connection)
        if scope_session is Empty or not scope_session:  # cleared, expired or unknown: the row and the cookie go
            statements.append(self._delete(session_id))
            self._add_cookie("null", message, expires=0)
        else:
            statements.append(self._upsert(session_id, self.serialize_data(scope_session, connection.scope)))
            self._add_cookie(session_id, message)
        await self._write(statements, message, connection)

    def _add_cookie(self, value: str, message: Message, **extra: Any) -> None:
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie", Cookie(value=value, key=self.config.key, **params, **extra).to_header(header="")
        )

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        rotated = connection.scope.get(ROTATED_ID_KEY)
        if isinstance(rotated, str):
            return rotated
        return super().get_session_id(connection)


@dataclass
class DatabaseSessionConfig(ServerSideSessionConfig):
    """``ServerSideSessionConfig`` whose backend is the PostgreSQL-backed, rotating one.

    ``refresh_interval``: how long an unchanged session's expiry may go without being pushed forward (seconds);
    by default a minute, or a tenth of ``max_age`` when that is shorter.
    """

    alchemy_config: SQLAlchemyAsyncConfig | None = field(default=None)
    refresh_interval: int | None = field(default=None)

    @property
    def effective_refresh_interval(self) -> int:
        if self.refresh_interval is not None:
            return self.refresh_interval
        return min(REFRESH_INTERVAL_SECONDS, self.max_age // 10)

    def _make_backend(self) -> RotatingSessionBackend:
        assert self.alchemy_config is not None
        return RotatingSessionBackend(config=self, alchemy_config=self.alchemy_config, model=UserSession)

    @property
    def _backend_class(self) -> Any:  # type: ignore[override]
        config = self

        def factory(config: DatabaseSessionConfig = config) -> RotatingSessionBackend:
            return config._make_backend()

        return factory
