"""`hubbot staff add` reads the password from stdin; `hubbot retention run` deletes old texts."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from db import migrate
from db.engine import create_engine, create_sessionmaker
from db.models import Annotation, AuditEntry, Staff, StaffAccount
from tests.dashboard.conftest import TINY_NLU


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


async def _annotate(url: str) -> None:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        session.add_all(
            [
                Annotation(text="wohnung in spandau gesucht", language="de", intent="housing"),
                Annotation(text="suche dringend eine wohnung", language="de", intent="housing"),
            ]
        )
        await session.commit()
    await engine.dispose()


def test_export_annotations_writes_the_new_ones_and_names_the_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hubbot.db'}"
    migrate.upgrade(url)
    nlu_dir = Path(shutil.copytree(TINY_NLU, tmp_path / "nlu_data"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NLU_DATA_DIR", str(nlu_dir))
    asyncio.run(_annotate(url))
    result = CliRunner().invoke(app, ["nlu", "export-annotations"])
    assert result.exit_code == 0, result.output
    # The second one is a held-out test sentence.
    assert "1 examples written, 0 already in the training data, 1 refused" in result.output
    assert "held-out" in result.output
    annotated = (nlu_dir / "data" / "de" / "annotated.yml").read_text("utf-8")
    assert "- wohnung in spandau gesucht" in annotated and "dringend" not in annotated
    again = CliRunner().invoke(app, ["nlu", "export-annotations"])
    assert "0 examples written, 0 already in the training data, 0 refused" in again.output
