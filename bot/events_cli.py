"""`hubbot events add`: an event from the command line, through the dashboard's own path."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.services import event_admin
from bot.services.event_admin import slug_for as slug_for
from db.engine import one_session


async def add_event(
    settings: Settings,
    *,
    hub: str,
    title: str,
    starts: datetime,
    ends: datetime,
    language: str,
    description: str,
    room: str | None,
    capacity: int | None,
    topics: list[str],
) -> str:
    """Store the event and return its slug; invalid input raises ContentError."""
    new = event_admin.NewEvent(
        hub=hub,
        language=language,
        title=title,
        description=description,
        details=event_admin.EventDetails(
            starts=starts, ends=ends, room=room, capacity=capacity, topics=tuple(topics)
        ),
    )
    async with one_session(settings.database_url) as session:
        event = await event_admin.create(session, new)
        await session.commit()
        return event.slug
