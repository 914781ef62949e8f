"""Events through the sandbox: the list, "I'll come" with a waiting list, calendar files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.content import upsert_event
from db.content_schema import EventFile
from db.models import Event, Hub
from tests.bot.harness import SandboxResident, button_data, visible
from tests.bot.test_first_conversation import onboard

BERLIN = ZoneInfo("Europe/Berlin")


async def add_event(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    slug: str = "repair-cafe",
    starts_in: timedelta = timedelta(hours=2),
    capacity: int | None = 20,
    titles: dict[str, str] | None = None,
) -> int:
    """Store an event at the Berlin hub, starting some time from now (Berlin time).

    Soon by default, so that it comes before any demo event in the list.
    """
    starts = (datetime.now(BERLIN) + starts_in).replace(second=0, microsecond=0, tzinfo=None)
    data = EventFile(
        slug=slug,
        hub="berlin",
        starts=starts,
        ends=starts + timedelta(hours=2),
        room="Werkstatt",
        capacity=capacity,
        titles=titles or {"de": "Reparatur-Café", "en": "Repair café", "ar": "مقهى التصليح"},
        descriptions={"de": "Bring kaputte Sachen mit.", "en": "Bring broken things."},
    )
    async with sessionmaker() as session:
        hubs = {hub.slug: hub for hub in (await session.scalars(select(Hub))).all()}
        event = await upsert_event(session, data, hubs)
        await session.commit()
        return event.id


async def stored_event(sessionmaker: async_sessionmaker[AsyncSession], event_id: int) -> Event:
    async with sessionmaker() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event


async def test_the_events_menu_lists_whats_on_with_dates_in_the_residents_language(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await add_event(sessionmaker)
    person = resident("de")
    await onboard(person, "de")
    await person.press("menu:events")
    messages = await person.replies()
    listed = next(m for m in messages if "Reparatur-Café" in m["text"])
    event = await stored_event(sessionmaker, event_id)
    local = event.starts_at.astimezone(BERLIN)
    hours = f"{local:%H:%M}–{local + timedelta(hours=2):%H:%M}"
    assert hours in listed["text"] and "Werkstatt" in listed["text"]
    assert "20 Plätze frei" in listed["text"], listed["text"]
    weekday = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
    assert str(local.year) in listed["text"]
    assert any(day in listed["text"] for day in weekday), "dates are German"
    assert button_data(listed) == [f"ev:{action}:{event_id}" for action in ("come", "info", "ics")]


async def test_rsvp_fills_the_places_then_the_waiting_list_moves_up(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await add_event(sessionmaker, capacity=1)
    first, second = resident("de"), resident("ar")
    await onboard(first, "de")
    await onboard(second, "ar")
    await first.press("menu:events")
    await first.replies()
    await first.press(f"ev:come:{event_id}")
    booked = await first.reply()
    assert "gebucht" in booked["text"] or "Platz" in booked["text"]
    assert f"ev:cancel:{event_id}" in button_data(booked)

    await second.press("menu:events")
    listed = [m for m in await second.replies() if "مقهى التصليح" in visible(m["text"])]
    assert listed, "the Arabic title is shown"
    await second.press(f"ev:come:{event_id}")
    waiting = await second.reply()
    assert f"ev:cancel:{event_id}" in button_data(waiting)

    await first.press(f"ev:cancel:{event_id}")
    await first.replies()
    await second.settled()
    moved_up = (await second.replies())[-1]
    assert "مقهى التصليح" in visible(moved_up["text"]), "the first on the list is told"
    await first.press("menu:events")
    again = [m for m in await first.replies() if "Reparatur-Café" in m["text"]]
    assert "Voll" in again[0]["text"] or "Warteliste" in again[0]["text"]


async def test_add_to_calendar_sends_an_ics_file(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    event_id = await add_event(sessionmaker)
    person = resident("en")
    await onboard(person, "en")
    await person.press("menu:events")
    await person.replies()
    await person.press(f"ev:ics:{event_id}")
    document = (await person.reply())["document"]
    assert document["file_name"].endswith(".ics")
    calendar = Calendar.from_ical((await sandbox_client.get(document["url"])).content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Repair café"
    assert entry.decoded("DTSTART") == (await stored_event(sessionmaker, event_id)).starts_at


async def test_an_event_that_has_ended_is_not_listed(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_event(
        sessionmaker, slug="yesterday", starts_in=timedelta(days=-1), titles={"de": "Gestern"}
    )
    person = resident("de")
    await onboard(person, "de")
    await person.send("/events")
    listed = await person.replies()
    assert listed and not any("Gestern" in message["text"] for message in listed)


@pytest.fixture
def translation_provider() -> None:
    """No machine translation here: a missing language shows the original."""
    return None


async def test_an_event_without_the_residents_language_shows_the_original(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_event(sessionmaker, titles={"de": "Gartenplanung im Hof"})
    person = resident("uk")
    await onboard(person, "uk")
    await person.press("menu:events")
    assert any("Gartenplanung im Hof" in m["text"] for m in await person.replies())
