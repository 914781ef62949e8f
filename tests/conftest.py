"""Fixtures: a migrated database on SQLite and on PostgreSQL, and hubbot on the sandbox."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import PROJECT_ROOT
from db import migrate
from db.base import Base
from db.content import import_content
from db.engine import create_engine, create_sessionmaker

POSTGRES_ADMIN_DSN = os.environ.get(
    "HUBBOT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return a fresh, migrated SQLite database."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'hubbot.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """Create a fresh PostgreSQL database for this run, migrate it, drop it afterwards."""
    name = f"hubbot_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Yield a session factory on an empty database; empty it again afterwards."""
    engine = create_engine(database_url)
    factory = create_sessionmaker(engine)
    await _empty(factory)
    try:
        yield factory
    finally:
        await _empty(factory)
        await engine.dispose()


async def _empty(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))
        await session.commit()


@pytest.fixture
def content_dir() -> Path:
    """Return the demo content folder."""
    return PROJECT_ROOT / "content"


@pytest.fixture
async def demo_hubs(sessionmaker: async_sessionmaker[AsyncSession], content_dir: Path) -> None:
    """Load the demo hubs."""
    async with sessionmaker() as session:
        await import_content(session, content_dir)
        await session.commit()
