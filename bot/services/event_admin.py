"""Staff add, change and cancel events: one path for `hubbot events add` and the dashboard.

Times come in the hub's local time and are stored in UTC. A cancelled event stays in the
database with its guests' answers (they are the record of who was told); its guests with a
place get a notice through the outbox, and a reminder already queued is stopped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasting import outbox
from bot.i18n import N_, Catalogue, Translator
from bot.services.events import EventService, when
from bot.services.problems import Problem
from db.base import utcnow
from db.content import ContentError, upsert_event
from db.content_schema import CONTENT_LANGUAGES, TOPICS, EventFile
from db.models import (
    Event,
    EventRsvp,
    Hub,
    RsvpStatus,
)
from db.versioning import bump_version

TITLE_MAX, DESCRIPTION_MAX, ROOM_MAX, CAPACITY_MAX = 200, 2000, 120, 10_000
# Times outside these years are typing mistakes (and year 1 cannot even be moved to UTC).
FIRST_YEAR, LAST_YEAR = 2000, 2100
SLUG_MAX = 76


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What an event is besides its texts; times in the hub's time zone, without one."""

    starts: datetime
    ends: datetime
    room: str | None = None
    capacity: int | None = None
    topics: tuple[str, ...] = ("events",)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event as staff first write it: texts in one language, the rest translated on show."""

    hub: str
    language: str
    title: str
    details: EventDetails
    description: str = ""


class CapacityTooLow(Exception):
    """More guests already have a place than the new capacity allows."""

    def __init__(self, going: int) -> None:
        super().__init__(going)
        self.going = going


@dataclass(frozen=True, slots=True)
class Cancelled:
    """What cancelling an event did: guests told (queued), guests waiting, reminder stopped."""

    notified: int
    waiting: int
    reminders_stopped: int


def slug_for(hub: str, title: str, starts: datetime) -> str:
    """Return a readable, unique-enough slug: hub, date, title words."""
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "event"
    # Room for a "-2"... within the 80 characters a slug may have.
    return f"{hub}-{starts:%Y-%m-%d-%H%M}-{words}"[:SLUG_MAX].rstrip("-")


def check_details(details: EventDetails) -> list[Problem]:
    """Return what is wrong with an event's times, room, places and topics."""
    problems = []
    if not all(FIRST_YEAR <= moment.year <= LAST_YEAR for moment in (details.starts, details.ends)):
        problems.append(Problem(N_("Give the start and the end as a date and a time.")))
    elif details.ends <= details.starts:
        problems.append(Problem(N_("The event ends before it starts.")))
    if details.capacity is not None and not 1 <= details.capacity <= CAPACITY_MAX:
        problems.append(
            Problem(
                N_("Places must be a number from 1 to {limit}, or empty for no limit."),
                {"limit": str(CAPACITY_MAX)},
            )
        )
    if details.room is not None and len(details.room) > ROOM_MAX:
        problems.append(
            Problem(N_("The room is longer than {limit} characters."), {"limit": str(ROOM_MAX)})
        )
    unknown = sorted(set(details.topics) - set(TOPICS))
    if unknown:
        problems.append(Problem(N_("Unknown topic: {topic}."), {"topic": unknown[0]}))
    return problems


def check_new(new: NewEvent, hub_slugs: set[str]) -> list[Problem]:
    """Return what is wrong with a new event (nothing when it may be stored)."""
    problems = []
    if new.hub not in hub_slugs:
        problems.append(Problem(N_("Unknown hub: {hub}."), {"hub": new.hub}))
    if new.language not in CONTENT_LANGUAGES:
        problems.append(Problem(N_("Unknown language: {language}."), {"language": new.language}))
    if not new.title.strip():
        problems.append(Problem(N_("The title is required.")))
    if len(new.title) > TITLE_MAX:
        problems.append(
            Problem(N_("The title is longer than {limit} characters."), {"limit": str(TITLE_MAX)})
        )
    if len(new.description) > DESCRIPTION_MAX:
        problems.append(
            Problem(
                N_("The description is longer than {limit} characters."),
                {"limit": str(DESCRIPTION_MAX)},
            )
        )
    return problems + check_details(new.details)


async def _free_slug(session: AsyncSession, base: str) -> str:
    taken = set(
        await session.scalars(
            select(Event.slug).where(Event.slug.startswith(base, autoescape=True))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def create(session: AsyncSession, new: NewEvent, *, version: int = 1) -> Event:
    """Store a new event (never replacing another); invalid input raises ContentError.

    The dashboard passes version 2: an item the dashboard made counts as edited there, so
    `hubbot content import` leaves it alone.
    """
    hubs = {hub.slug: hub for hub in (await session.scalars(select(Hub))).all()}
    problems = check_new(new, set(hubs))
    if problems:
        raise ContentError("; ".join(problem.english() for problem in problems))
    details = new.details
    slug = await _free_slug(session, slug_for(new.hub, new.title, details.starts))
    try:
        data = _event_file(new, slug)
    except ValueError as error:
        raise ContentError(str(error)) from error
    event = await upsert_event(session, data, hubs)
    event.version = version
    await session.flush()
    return event


def _event_file(new: NewEvent, slug: str) -> EventFile:
    details = new.details
    return EventFile.model_validate(
        {
            "slug": slug,
            "hub": new.hub,
            "starts": details.starts,
            "ends": details.ends,
            "room": details.room or None,
            "capacity": details.capacity,
            "topics": list(details.topics),
            "source_language": new.language,
            "titles": {new.language: new.title.strip()},
            "descriptions": {new.language: new.description.strip()}
            if new.description.strip()
            else {},
        }
    )


def local_details(event: Event) -> EventDetails:
    """Return an event's details with its times in the hub's time zone."""
    zone = ZoneInfo(event.hub.timezone)
    return EventDetails(
        starts=event.starts_at.astimezone(zone).replace(tzinfo=None),
        ends=event.ends_at.astimezone(zone).replace(tzinfo=None),
        room=event.room,
        capacity=event.capacity,
        topics=tuple(event.topics),
    )


async def guests(session: AsyncSession, event: Event) -> tuple[int, int]:
    """Return how many have a place and how many wait."""
    rows = await session.execute(
        select(EventRsvp.status, EventRsvp.id).where(EventRsvp.event_id == event.id)
    )
    statuses = [status for status, _id in rows.all()]
    return statuses.count(RsvpStatus.GOING), statuses.count(RsvpStatus.WAITING)


async def change_details(
    session: AsyncSession, event: Event, details: EventDetails, *, seen_version: int
) -> int:
    """Store new times, room, places and topics; return the new version.

    Raises CapacityTooLow when fewer places than guests with a place would remain (nobody
    loses a place they were given), EditConflict when the event was saved meanwhile.
    """
    going, _waiting = await guests(session, event)
    if details.capacity is not None and details.capacity < going:
        raise CapacityTooLow(going)
    version = await bump_version(session, event, seen_version=seen_version)
    zone = ZoneInfo(event.hub.timezone)
    event.starts_at = details.starts.replace(tzinfo=zone).astimezone(UTC)
    event.ends_at = details.ends.replace(tzinfo=zone).astimezone(UTC)
    event.room, event.capacity = details.room or None, details.capacity
    event.topics = list(details.topics)
    await session.flush()
    return version


async def cancel(
    session: AsyncSession,
    event: Event,
    *,
    events: EventService,
    catalogue: Catalogue,
    seen_version: int,
) -> Cancelled:
    """Cancel an event: tell its guests with a place, stop its reminder, keep their answers."""
    await bump_version(session, event, seen_version=seen_version)
    event.cancelled = True
    stopped = 0
    if event.reminder_broadcast_id is not None:
        stopped = await outbox.cancel(session, broadcast_id=event.reminder_broadcast_id)
    going, waiting = await guests(session, event)
    notified = 0
    if going and event.ends_at > utcnow():
        notified = await _queue_notice(session, event, events=events, catalogue=catalogue)
    await session.flush()
    return Cancelled(notified=notified, waiting=waiting, reminders_stopped=stopped)


async def _queue_notice(
    session: AsyncSession, event: Event, *, events: EventService, catalogue: Catalogue
) -> int:
    async def notice(_: Translator, language: str) -> str:
        title = await events.title_in(session, event, language)
        return _.gettext("Cancelled: {title} – {when}. We are sorry.").format(
            title=title, when=when(event, _)
        )

    # Urgent, unlike the reminder: the guests may be on their way.
    _notice, queued = await events.notify_guests(
        session, event, catalogue, notice, urgent=True, now=utcnow()
    )
    return queued
