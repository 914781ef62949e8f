"""An event's own text in a language is labelled machine-made while its review status says so."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.events import EventService
from bot.services.translation import TermShield, TranslationService
from db.base import utcnow
from db.models import Event, Hub, ReviewStatus


async def test_a_machine_translated_event_text_is_labelled_until_reviewed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    events = EventService(TranslationService(None, terms=TermShield([]), timeout_s=3))
    async with sessionmaker() as session:
        hub = Hub(slug="berlin", city="Berlin")
        session.add(hub)
        await session.flush()
        start = utcnow() + timedelta(days=1)
        event = Event(
            slug="garden",
            hub_id=hub.id,
            hub=hub,
            titles={"de": "Gartentag", "uk": "День саду"},
            statuses={"uk": ReviewStatus.MACHINE_TRANSLATED},
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        session.add(event)
        await session.flush()
        ukrainian = await events.text_in(session, event, "uk")
        german = await events.text_in(session, event, "de")
        event.statuses = {"uk": ReviewStatus.REVIEWED}
        reviewed = await events.text_in(session, event, "uk")
    assert ukrainian.title == "День саду" and ukrainian.machine
    assert german.title == "Gartentag" and not german.machine
    assert reviewed.title == "День саду" and not reviewed.machine
