"""/mydata hands over everything stored; /delete leaves nothing that identifies the resident."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import Base
from tests.bot.harness import SandboxResident
from tests.bot.test_first_conversation import onboard, stored_resident


async def test_mydata_sends_a_json_file_of_everything_stored(
    resident: Callable[..., SandboxResident],
    sandbox_client: httpx.AsyncClient,
) -> None:
    person = resident("ru")
    await onboard(person, "ru")
    await person.send("Нужна помощь с письмом из Jobcenter")
    await person.reply()
    await person.send("/mydata")
    document_message = await person.reply()
    document = document_message["document"]
    assert document["file_name"] == "hubbot-my-data.json"
    download = await sandbox_client.get(document["url"])
    data = json.loads(download.content.decode("utf-8"))
    assert data["resident"]["telegram_user_id"] == person.user_id
    assert data["resident"]["language"] == "ru"
    assert data["resident"]["hub"] == "berlin"
    assert data["resident"]["consent"]["decision"] == "accepted"
    assert "Нужна помощь с письмом из Jobcenter" in [m["text"] for m in data["messages"]]


async def rows_mentioning(
    sessionmaker: async_sessionmaker[AsyncSession], needles: list[int | str]
) -> list[str]:
    """Return every row in any table holding one of the ids (whole values) or words (in text)."""
    found = []
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                for needle in needles:
                    if any(
                        value == needle
                        if isinstance(needle, int)
                        else isinstance(value, str) and needle in value
                        for value in row
                    ):
                        found.append(f"{table.name}: {row}")
    return found


async def test_delete_erases_the_resident_and_every_message(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("uk")
    await onboard(person, "uk")
    secret = "Мене звати Оксана, мій телефон 0151 2345678"
    await person.send(secret)
    await person.reply()
    assert await rows_mentioning(sessionmaker, [person.user_id, "Оксана"])

    await person.send("/delete")
    question = await person.reply()
    assert "delete:yes" in [
        b["callback_data"] for row in question["reply_markup"]["inline_keyboard"] for b in row
    ]
    await person.press("delete:yes")
    await person.settled()
    confirmation = (await person.messages())[-1]
    assert confirmation["reply_markup"] is None and confirmation["text"]

    assert await stored_resident(sessionmaker, person) is None
    leftovers = await rows_mentioning(sessionmaker, [person.user_id, "Оксана", "0151 2345678"])
    assert leftovers == []


async def test_cancelling_delete_keeps_everything(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.send("/delete")
    await person.reply()
    await person.press("delete:no")
    await person.settled()
    assert await stored_resident(sessionmaker, person) is not None
