"""A machine-translated broadcast carries a button that shows what the staff wrote."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.bot.broadcasting.support import (
    confirmed_broadcast,
    running_worker,
    until_settled,
    worker_settings,
)
from tests.bot.harness import SandboxResident, button_data, visible
from tests.bot.test_first_conversation import onboard


async def test_a_machine_translated_broadcast_shows_its_original_on_request(
    database_url: str,
    sandbox_server: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    resident: Callable[..., SandboxResident],
) -> None:
    reader = resident("ar")
    await onboard(reader, "ar")
    machine = await confirmed_broadcast(sessionmaker, machine=["ar"])
    written = await confirmed_broadcast(
        sessionmaker, texts={"de": "Heute Kuchen", "ar": "كعك اليوم"}
    )
    async with running_worker(worker_settings(database_url, sandbox_server), sessionmaker):
        await until_settled(sessionmaker, machine)
        await until_settled(sessionmaker, written)

    received = await reader.replies()
    [translated] = [m for m in received if "حفلة صيفية" in visible(m["text"])]
    [by_staff] = [m for m in received if "كعك اليوم" in visible(m["text"])]
    assert button_data(translated) == [f"bcorig:{machine}"]
    assert button_data(by_staff) == [], "a text the staff wrote or reviewed has no button"

    await reader.press(f"bcorig:{machine}")
    assert visible((await reader.reply())["text"]) == "📢 Sommerfest am Samstag"
