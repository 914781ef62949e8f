"""Build the async engine and session factory for SQLite or PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

# A connection used this recently is taken as alive. Pinging on every checkout (SQLAlchemy's
# pool_pre_ping) cost three round trips per update on asyncpg, which pings inside a
# transaction of its own: a fifth of all the bot's database traffic.
PING_AFTER_IDLE_S = 10.0
_IDLE_SINCE = "hubbot_idle_since"


def create_engine(
    database_url: str, *, echo: bool = False, pool_size: int | None = None
) -> AsyncEngine:
    """Create an async engine; on SQLite enforce foreign keys and wait for locks.

    On PostgreSQL `pool_size` connections are kept open (SQLAlchemy's default is 5): a
    process that runs more transactions at once would otherwise open and close a connection,
    and a server process behind it, for nearly every one of them.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        sizing = {} if pool_size is None else {"pool_size": pool_size, "max_overflow": 4}
        engine = create_async_engine(url, echo=echo, **sizing)
        event.listen(engine.sync_engine, "connect", _mark_idle)
        event.listen(engine.sync_engine, "checkin", _mark_idle)
        event.listen(engine.sync_engine, "checkout", _ping_if_idle)
        return engine
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    return engine


def _mark_idle(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Check a connection that sat idle, so one the server dropped is replaced, not used."""
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool discards the connection and checks out another (a fresh one if need be).
        raise DisconnectionError(f"connection lost while idle: {error}") from error


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Without foreign_keys=ON, deleting a resident would leave their messages behind.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory every service uses; objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def one_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """Yield a session on its own engine, for a command that runs once; the caller commits."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()
