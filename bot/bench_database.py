"""A throw-away database for a benchmark: PostgreSQL when one answers, else SQLite."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

CONNECT_TIMEOUT_S = 3.0


def _async_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _admin(dsn: str, sql: str) -> None:
    engine = create_async_engine(
        _async_url(dsn),
        isolation_level="AUTOCOMMIT",
        connect_args={"timeout": CONNECT_TIMEOUT_S},
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


async def postgres_reachable(admin_dsn: str) -> bool:
    """Tell whether the PostgreSQL server of an admin DSN accepts a connection."""
    try:
        await _admin(admin_dsn, "SELECT 1")
    except (OSError, SQLAlchemyError, TimeoutError):
        return False
    return True


@contextlib.asynccontextmanager
async def throwaway_database(admin_dsn: str | None) -> AsyncIterator[str]:
    """Yield the URL of an empty database, dropped afterwards; SQLite without `admin_dsn`."""
    if admin_dsn is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    name = f"hubbot_bench_{uuid.uuid4().hex[:12]}"
    await _admin(admin_dsn, f'CREATE DATABASE "{name}"')
    try:
        yield f"{_async_url(admin_dsn).rsplit('/', 1)[0]}/{name}"
    finally:
        await _admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
