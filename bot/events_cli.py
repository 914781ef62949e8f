"""`hubbot events add`: an event from the command line, until the dashboard has a form."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import select

from bot.config import Settings
from db.content import ContentError, upsert_event
from db.content_schema import EventFile
from db.engine import one_session
from db.models import Hub


def slug_for(hub: str, title: str, starts: datetime) -> str:
    """Return a readable, unique-enough slug: hub, date, title words."""
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "event"
    return f"{hub}-{starts:%Y-%m-%d-%H%M}-{words}"


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
    try:
        data = EventFile.model_validate(
            {
                "slug": slug_for(hub, title, starts),
                "hub": hub,
                "starts": starts,
                "ends": ends,
                "room": room,
                "capacity": capacity,
                "topics": topics,
                "source_language": language,
                "titles": {language: title},
                "descriptions": {language: description} if description else {},
            }
        )
    except ValueError as error:
        problems = "; ".join(str(item["msg"]) for item in getattr(error, "errors", lambda: [])())
        raise ContentError(problems or str(error)) from error
    async with one_session(settings.database_url) as session:
        hubs = {row.slug: row for row in (await session.scalars(select(Hub))).all()}
        event = await upsert_event(session, data, hubs)
        await session.commit()
        return event.slug
