"""`hubbot events add`: staff add an event in one language from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events_cli import add_event, slug_for
from db.content import ContentError
from db.models import Event
from tests.bot.conftest import make_settings

pytestmark = pytest.mark.usefixtures("demo_hubs")


async def test_an_event_is_added_in_hub_time(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    settings = make_settings(database_url, "http://127.0.0.1:1")
    slug = await add_event(
        settings,
        hub="berlin",
        title="Nähcafé",
        starts=datetime(2027, 1, 14, 16, 0),
        ends=datetime(2027, 1, 14, 18, 0),
        language="de",
        description="Bring Stoff mit.",
        room="Werkstatt",
        capacity=8,
        topics=["events"],
    )
    assert slug == "berlin-2027-01-14-1600-nahcafe"
    async with sessionmaker() as session:
        event = (await session.scalars(select(Event).where(Event.slug == slug))).one()
    assert event.starts_at == datetime(2027, 1, 14, 15, 0, tzinfo=UTC), "16:00 in Berlin, winter"
    assert event.titles == {"de": "Nähcafé"} and event.capacity == 8


async def test_an_event_that_ends_before_it_starts_is_refused(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    settings = make_settings(database_url, "http://127.0.0.1:1")
    with pytest.raises(ContentError, match="ends before it starts"):
        await add_event(
            settings,
            hub="berlin",
            title="x",
            starts=datetime(2027, 1, 14, 16, 0),
            ends=datetime(2027, 1, 14, 15, 0),
            language="de",
            description="",
            room=None,
            capacity=None,
            topics=["events"],
        )


def test_slugs_are_plain_ascii() -> None:
    assert (
        slug_for("berlin", "مقهى اللغة", datetime(2027, 1, 1, 9)) == "berlin-2027-01-01-0900-event"
    )
