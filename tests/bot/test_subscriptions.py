"""/subscribe and /unsubscribe: topic toggles, stored per resident, shown and erased."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Subscription
from tests.bot.broadcasting.support import confirmed_broadcast
from tests.bot.harness import SandboxResident, button_data, buttons
from tests.bot.test_first_conversation import onboard
from tests.bot.test_personal_data import rows_mentioning


async def _topics(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return sorted((await session.scalars(select(Subscription.topic))).all())


async def test_a_resident_switches_topics_on_and_off(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.send("/subscribe")
    offer = await person.reply()
    assert {"sub:events", "sub:programmes", "sub:jobs", "sub:language_courses"} <= set(
        button_data(offer)
    )
    await person.press("sub:events")
    await person.settled()
    await person.press("sub:jobs")
    await person.settled()
    toggled = (await person.messages())[-1]
    assert "✅ Events" in buttons(toggled) and "✅ Jobs" in buttons(toggled)
    assert "▫️ Programmes" in buttons(toggled)
    assert await _topics(sessionmaker) == ["events", "jobs"]
    await person.press("sub:done")
    await person.settled()
    summary = (await person.messages())[-1]["text"]
    assert "Events" in summary and "Jobs" in summary

    await person.send("/mydata")
    document = (await person.reply())["document"]
    data = json.loads((await sandbox_client.get(document["url"])).content)
    assert data["subscriptions"] == ["events", "jobs"]

    await person.send("/unsubscribe")
    await person.reply()
    await person.press("sub:none")
    await person.settled()
    assert await _topics(sessionmaker) == []


async def test_delete_erases_the_subscriptions_and_queued_broadcasts(
    resident: Callable[..., SandboxResident], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    person = resident("tr")
    await onboard(person, "tr")
    await person.send("/subscribe")
    await person.reply()
    await person.press("sub:language_courses")
    await person.settled()
    assert await _topics(sessionmaker) == ["language_courses"]
    await confirmed_broadcast(sessionmaker, topics=["language_courses"])
    assert await rows_mentioning(sessionmaker, [person.user_id])
    await person.send("/delete")
    await person.reply()
    await person.press("delete:yes")
    await person.settled()
    assert await _topics(sessionmaker) == []
    assert await rows_mentioning(sessionmaker, [person.user_id]) == []


async def test_subscribing_before_choosing_a_hub_continues_the_start(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("uk")
    await person.send("/subscribe")
    reply = await person.reply()
    assert any(data.startswith("lang:") for data in button_data(reply))
