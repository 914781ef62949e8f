"""The PostgreSQL connection pool: sized for the work at once, safe after a lost connection."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from db import engine as engine_module
from db.engine import create_engine


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the connection pings the pool makes."""
    made: list[int] = []
    connection_class: Any = asyncpg_dialect.AsyncAdapt_asyncpg_connection
    original = connection_class.ping

    def counting(self: Any) -> None:
        made.append(1)
        original(self)

    monkeypatch.setattr(connection_class, "ping", counting)
    return made


async def test_a_connection_the_server_dropped_while_idle_is_replaced(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch, pings: list[int]
) -> None:
    engine = create_engine(postgresql_url, pool_size=2)
    try:
        async with engine.connect() as connection:
            first = await connection.scalar(text("SELECT pg_backend_pid()"))
        # The server ends the pooled, idle connection, as a restart would.
        admin = await asyncpg.connect(postgresql_url.replace("+asyncpg", "", 1))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)
        for _ in range(3):
            async with engine.connect() as connection:
                assert await connection.scalar(text("SELECT 1")) == 1
        assert pings
    finally:
        await engine.dispose()


async def test_connections_in_use_are_kept_and_not_pinged(
    postgresql_url: str, pings: list[int]
) -> None:
    engine = create_engine(postgresql_url, pool_size=8)

    async def backend() -> int:
        async with engine.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            await asyncio.sleep(0.01)
            return int(pid)

    try:
        pids = set()
        for _ in range(3):
            pids.update(await asyncio.gather(*(backend() for _ in range(8))))
        # Eight at once, three times: the same eight connections, none closed and reopened.
        assert len(pids) == 8
        assert not pings
    finally:
        await engine.dispose()
