"""`hubbot staff add` reads the password from stdin; `hubbot retention run` deletes old texts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from db import migrate
from db.engine import create_engine, create_sessionmaker
from db.models import AuditEntry, Staff, StaffAccount


async def _staff(url: str) -> list[tuple[str | None, str, int | None, str]]:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        rows = await session.execute(
            select(
                Staff.email, Staff.role, Staff.telegram_user_id, StaffAccount.password_hash
            ).join(StaffAccount, StaffAccount.staff_id == Staff.id)
        )
        result = [(email, role, telegram, hashed) for email, role, telegram, hashed in rows]
        actions = list(await session.scalars(select(AuditEntry.action)))
    await engine.dispose()
    assert "staff.add" in actions
    return result


def test_staff_add_and_retention_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hubbot.db'}"
    migrate.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["staff", "add", "Coord@Hub.Example", "--role", "coordinator", "--telegram-id", "99"],
        input="a very good password\n",
    )
    assert added.exit_code == 0, added.output
    assert "coord@hub.example (coordinator)" in added.output
    [(email, role, telegram, hashed)] = asyncio.run(_staff(url))
    assert (email, role, telegram) == ("coord@hub.example", "coordinator", 99)
    assert hashed.startswith("$argon2id$")

    short = runner.invoke(app, ["staff", "add", "x@hub.example"], input="short\n")
    assert short.exit_code == 1 and "at least 12" in short.output
    unknown = runner.invoke(app, ["staff", "add", "x@hub.example", "--role", "boss"], input="")
    assert unknown.exit_code == 2

    retention = runner.invoke(app, ["retention", "run"])
    assert retention.exit_code == 0, retention.output
    assert "Deleted 0 message texts older than 180 days." in retention.output
