"""Migrations build the schema the models describe, and can be undone and redone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from db import migrate
from db.base import Base
from db.engine import create_engine
from tests.conftest import POSTGRES_ADMIN_DSN, _admin


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Yield the URL of a database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('mig') / 'empty.db'}"
        return
    name = f"hubbot_mig_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


def test_upgrade_downgrade_upgrade_and_no_drift(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    assert asyncio.run(_tables(empty_database)) == set(Base.metadata.tables)
    migrate.check(empty_database)  # raises if the models changed without a migration
    migrate.downgrade(empty_database, "base")
    assert asyncio.run(_tables(empty_database)) == set()
    migrate.upgrade(empty_database)
    assert asyncio.run(_tables(empty_database)) == set(Base.metadata.tables)
