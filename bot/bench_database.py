"""A throw-away database for a benchmark: PostgreSQL when one answers, else SQLite."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator

import asyncpg

CONNECT_TIMEOUT_S = 3.0


async def _admin(dsn: str, sql: str) -> None:
    connection = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def postgres_reachable(admin_dsn: str) -> bool:
    """Tell whether the PostgreSQL server of an admin DSN accepts a connection."""
    try:
        await _admin(admin_dsn, "SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError):
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
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        await _admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
