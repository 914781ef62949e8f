"""Residents, broadcasts and workers for the outbox tests, straight in the database."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcasting import compose, outbox
from bot.config import Settings
from bot.i18n import Catalogue
from bot.worker import Worker, build_bot
from db.models import Broadcast, BroadcastText, Hub, Resident, Subscription
from tests.bot.conftest import make_settings

_user_ids = itertools.count(7_200_000_001)
STAFF_USER_ID = 899_999


@dataclass(frozen=True)
class Person:
    """A resident as the outbox sees them."""

    user_id: int
    language: str
    hub: str
    topics: tuple[str, ...] = ()


def person(language: str = "de", hub: str = "berlin", topics: Sequence[str] = ()) -> Person:
    """Return a new resident's description with a fresh Telegram id."""
    return Person(next(_user_ids), language, hub, tuple(topics))


async def add_residents(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    people: Sequence[Person],
) -> None:
    """Store residents (onboarded, subscribed) and open their chats in the sandbox."""
    async with sessionmaker() as session:
        hubs = {hub.slug: hub.id for hub in (await session.scalars(select(Hub))).all()}
        for entry in people:
            resident = Resident(
                telegram_user_id=entry.user_id,
                chat_id=entry.user_id,
                language=entry.language,
                hub_id=hubs[entry.hub],
                consent_decision="declined",
            )
            session.add(resident)
            await session.flush()
            for topic in entry.topics:
                session.add(Subscription(resident_id=resident.id, topic=topic))
        await session.commit()
    ids = [entry.user_id for entry in people] + [STAFF_USER_ID]
    response = await client.post("/sandbox/api/users", json={"user_ids": ids})
    response.raise_for_status()


async def confirmed_broadcast(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    hub: str | None = "berlin",
    topics: Sequence[str] = (),
    texts: dict[str, str] | None = None,
    machine: Sequence[str] = (),
    critical: bool = False,
    urgent: bool = False,
    send_after: datetime | None = None,
) -> int:
    """Create and confirm a broadcast (German original, a text per language); return its id."""
    texts = texts or {"de": "Sommerfest am Samstag", "ar": "حفلة صيفية يوم السبت"}
    async with sessionmaker() as session:
        hub_id = await session.scalar(select(Hub.id).where(Hub.slug == hub)) if hub else None
        broadcast = Broadcast(
            staff_user_id=STAFF_USER_ID,
            staff_chat_id=STAFF_USER_ID,
            source_language="de",
            text=texts["de"],
            hub_id=hub_id,
            topics=list(topics),
            languages=[],
            critical=critical,
            urgent=urgent,
            send_after=send_after,
            texts=[
                BroadcastText(
                    language=language,
                    text=text,
                    machine=language in machine,
                    reviewed=language not in machine,
                )
                for language, text in texts.items()
            ],
        )
        session.add(broadcast)
        await session.flush()
        await compose.confirm(session, broadcast)
        await session.commit()
        return broadcast.id


def worker_settings(database_url: str, sandbox_url: str, **overrides: Any) -> Settings:
    """Return settings for a worker: no quiet hours unless asked, a short idle pause."""
    values: dict[str, Any] = {
        "quiet_hours_start": time(0, 0),
        "quiet_hours_end": time(0, 0),
        "worker_poll_s": 0.05,
        "broadcast_rate_per_s": 30.0,
    }
    values.update(overrides)
    return make_settings(database_url, sandbox_url, **values)


@asynccontextmanager
async def running_worker(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], name: str | None = None
) -> AsyncIterator[Worker]:
    """Run a worker in this event loop until the block ends."""
    stop = asyncio.Event()
    bot = build_bot(settings)
    async with bot:
        worker = Worker(
            settings, sessionmaker, bot, Catalogue.load(settings.locales_dir), name=name
        )
        task = asyncio.create_task(worker.run(stop))
        try:
            yield worker
        finally:
            stop.set()
            await task


async def progress(
    sessionmaker: async_sessionmaker[AsyncSession], broadcast_id: int
) -> outbox.Progress:
    """Return the broadcast's recipients by state."""
    async with sessionmaker() as session:
        return (await outbox.progress(session, [broadcast_id]))[broadcast_id]


async def until_settled(
    sessionmaker: async_sessionmaker[AsyncSession], broadcast_id: int, timeout_s: float = 30.0
) -> outbox.Progress:
    """Wait until nothing of the broadcast is pending; return its progress."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        current = await progress(sessionmaker, broadcast_id)
        if current.pending == 0:
            return current
        assert asyncio.get_running_loop().time() < deadline, f"still pending: {current}"
        await asyncio.sleep(0.05)


async def received(client: httpx.AsyncClient, user_id: int) -> list[str]:
    """Return the texts a chat received from the bot."""
    response = await client.get("/sandbox/api/messages", params={"user_id": user_id})
    response.raise_for_status()
    return [message["text"] for message in response.json()]


async def delivered_per_chat(client: httpx.AsyncClient) -> dict[int, int]:
    """Return how many messages each chat received, as the sandbox counted them."""
    stats = (await client.get("/sandbox/api/stats")).json()
    return {int(chat): count for chat, count in stats["delivered_per_chat"].items()}
