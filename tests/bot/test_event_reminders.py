"""The reminder the day before: queued from the database, so it survives restarts, and once."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Catalogue
from bot.reminders import ReminderClock
from bot.services.events import EventService
from bot.services.translation import TermShield, TranslationService
from db.base import utcnow
from db.models import Broadcast, Event, EventRsvp, Resident, RsvpStatus
from tests.bot.broadcasting.support import (
    add_residents,
    person,
    received,
    running_worker,
    until_settled,
    worker_settings,
)
from tests.bot.harness import visible
from tests.bot.test_events import add_event

pytestmark = pytest.mark.usefixtures("demo_hubs")


def clock(sessionmaker: async_sessionmaker[AsyncSession], catalogue: Catalogue) -> ReminderClock:
    """Return a fresh reminder clock, as a newly started worker process has."""
    events = EventService(TranslationService(None, terms=TermShield([]), timeout_s=1.0))
    return ReminderClock(sessionmaker, events, catalogue, interval_s=60)


async def test_guests_get_one_reminder_the_day_before_even_after_a_restart(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    settings = worker_settings(database_url, sandbox_server)
    catalogue = Catalogue.load(settings.locales_dir)
    guest_de, guest_ar, not_coming = person("de"), person("ar"), person("de")
    await add_residents(sessionmaker, sandbox_client, [guest_de, guest_ar, not_coming])
    soon = await add_event(sessionmaker, slug="soon", starts_in=timedelta(days=1))
    later = await add_event(sessionmaker, slug="later", starts_in=timedelta(days=5))
    async with sessionmaker() as session:
        for guest in (guest_de, guest_ar):
            resident_id = await session.scalar(
                select(Resident.id).where(Resident.telegram_user_id == guest.user_id)
            )
            for event_id in (soon, later):
                session.add(
                    EventRsvp(event_id=event_id, resident_id=resident_id, status=RsvpStatus.GOING)
                )
        # "soon" starts tomorrow evening: move it into the next 24 hours.
        event = await session.get(Event, soon)
        assert event is not None
        event.starts_at = utcnow() + timedelta(hours=20)
        event.ends_at = event.starts_at + timedelta(hours=2)
        await session.commit()

    # The worker that took the RSVPs is gone; a new one finds the due reminder in the database.
    assert await clock(sessionmaker, catalogue).tick() == 1
    assert await clock(sessionmaker, catalogue).tick() == 0, "queued once, not once per worker"
    async with sessionmaker() as session:
        reminder_id = (await session.get(Event, soon)).reminder_broadcast_id  # type: ignore[union-attr]
        assert (await session.get(Event, later)).reminder_broadcast_id is None  # type: ignore[union-attr]
        reminder = await session.get(Broadcast, reminder_id)
        assert reminder is not None and reminder.event_id == soon
    assert reminder_id is not None
    async with running_worker(settings, sessionmaker):
        assert (await until_settled(sessionmaker, reminder_id)).sent == 2

    [german] = await received(sandbox_client, guest_de.user_id)
    assert "Reparatur-Café" in german and "Werkstatt" in german
    [arabic] = await received(sandbox_client, guest_ar.user_id)
    assert "مقهى التصليح" in visible(arabic)
    assert await received(sandbox_client, not_coming.user_id) == []
