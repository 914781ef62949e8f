"""`hubbot staff add-telegram` lets a Telegram user send broadcasts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcasting.cli import add_staff
from bot.config import Settings
from db.models import Hub, Staff


@pytest.mark.usefixtures("demo_hubs")
async def test_staff_are_added_once_and_updated(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    assert "may now use /broadcast" in await add_staff(
        settings, 4242, name="Lena", hub="berlin", role="staff"
    )
    await add_staff(settings, 4242, name="Lena K.", hub="", role="coordinator")
    assert "No hub" in await add_staff(settings, 4343, name="X", hub="nowhere", role="staff")
    assert "Unknown role" in await add_staff(settings, 4343, name="X", hub="", role="boss")
    async with sessionmaker() as session:
        [staff] = (await session.scalars(select(Staff))).all()
        assert (staff.telegram_user_id, staff.name, staff.role, staff.hub_id) == (
            4242,
            "Lena K.",
            "coordinator",
            None,
        )
        assert await session.scalar(select(Hub.id).where(Hub.slug == "berlin")) is not None
