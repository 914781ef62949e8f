"""Events at the hubs: listing, texts in every language, RSVP with a waiting list, .ics files,
and the reminder the day before.

Reminders are not scheduled in memory: an event row says whether its reminder was queued
(`reminder_broadcast_id`), and whoever checks (the worker, every minute) queues the due ones
as a broadcast to the event's guests through the outbox, in the same transaction that marks
the event — after a restart nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasting import outbox
from bot.i18n import Catalogue, Translator, babel_locale
from bot.services.translation import TranslationService, TranslationUnavailable
from db.base import utcnow
from db.models import (
    Broadcast,
    BroadcastStatus,
    BroadcastText,
    Event,
    EventRsvp,
    Resident,
    ReviewStatus,
    RsvpStatus,
)

REMIND_BEFORE = timedelta(days=1)
LISTED = 5


class RsvpResult(StrEnum):
    """What happened when a resident said they will come."""

    GOING = "going"
    WAITING = "waiting"
    ALREADY_GOING = "already_going"
    ALREADY_WAITING = "already_waiting"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class EventText:
    """An event's title and description, the language they are in, and who wrote them.

    `language` differs from the one asked for when the staff wrote none and no translation
    could be made (`failed`), or when a Dari reader gets the staff's Persian text, which Dari
    readers read but which is never passed off as Dari.
    """

    title: str
    description: str
    language: str
    machine: bool = False
    failed: bool = False


def when(event: Event, _: Translator) -> str:
    """Return start and end in the hub's time zone, formatted for the reader's language."""
    locale = babel_locale(_.language)
    zone = ZoneInfo(event.hub.timezone)
    day = format_date(event.starts_at.astimezone(zone).date(), "full", locale=locale)
    start = format_time(event.starts_at, "HH:mm", tzinfo=zone, locale=locale)
    end = format_time(event.ends_at, "HH:mm", tzinfo=zone, locale=locale)
    return f"{day}, {start}–{end}"


class EventService:
    """Everything hubbot does with events; the caller commits."""

    def __init__(self, translation: TranslationService) -> None:
        self._translation = translation

    async def upcoming(
        self, session: AsyncSession, *, hub_id: int, now: datetime | None = None
    ) -> list[Event]:
        """Return the next events of a hub that have not ended."""
        result = await session.execute(
            select(Event)
            .where(
                Event.hub_id == hub_id,
                Event.ends_at > (now or utcnow()),
                Event.cancelled.is_(False),
            )
            .order_by(Event.starts_at, Event.id)
            .limit(LISTED)
        )
        return list(result.scalars().all())

    async def text_in(self, session: AsyncSession, event: Event, language: str) -> EventText:
        """Return the staff's own text, else a remembered or new machine translation."""
        fallback = "fa" if language == "prs" else None
        for code in (language, fallback):
            if code and event.titles.get(code):
                # A text pasted from a machine and not yet reviewed (in the dashboard) says so.
                machine = event.statuses.get(code) == ReviewStatus.MACHINE_TRANSLATED
                return EventText(
                    event.titles[code], event.descriptions.get(code, ""), code, machine
                )
        source = event.source_language
        title, description = self.original(event)
        try:
            translated = [
                await self._translation.translate(
                    session, text, source=source, target=language, remember=True
                )
                for text in (title, description)
                if text
            ]
        except TranslationUnavailable:
            return EventText(title, description, source, failed=True)
        texts = [item.text for item in translated] + ["", ""]
        return EventText(texts[0], texts[1] if description else "", language, machine=True)

    @staticmethod
    def original(event: Event) -> tuple[str, str]:
        """Return the title and description as the staff wrote them."""
        source = event.source_language
        return event.titles.get(source, ""), event.descriptions.get(source, "")

    async def title_in(self, session: AsyncSession, event: Event, language: str) -> str:
        """Return the title alone in a language (for a one-line notice), else the original."""
        for code in (language, "fa" if language == "prs" else None):
            if code and event.titles.get(code):
                return event.titles[code]
        source = event.source_language
        title = event.titles.get(source, event.slug)
        try:
            translated = await self._translation.translate(
                session, title, source=source, target=language, remember=True
            )
        except TranslationUnavailable:
            return title
        return translated.text

    async def counts(self, session: AsyncSession, event: Event) -> tuple[int, int]:
        """Return how many are coming and how many wait."""
        rows = await session.execute(
            select(EventRsvp.status, func.count())
            .where(EventRsvp.event_id == event.id)
            .group_by(EventRsvp.status)
        )
        found = {status: int(count) for status, count in rows.all()}
        return found.get(RsvpStatus.GOING, 0), found.get(RsvpStatus.WAITING, 0)

    async def rsvp(self, session: AsyncSession, event: Event, resident: Resident) -> RsvpResult:
        """Give the resident a place, or a place on the waiting list when the event is full."""
        # Lock the event row: two residents must not both get the last place.
        locked = await session.scalar(_locked(event))
        if locked is None or locked.cancelled or locked.ends_at <= utcnow():
            return RsvpResult.CLOSED
        existing = await self._rsvp_of(session, event, resident)
        if existing is not None and existing.status == RsvpStatus.GOING:
            return RsvpResult.ALREADY_GOING
        if existing is not None and existing.status == RsvpStatus.WAITING:
            return RsvpResult.ALREADY_WAITING
        going, _waiting = await self.counts(session, event)
        status = (
            RsvpStatus.GOING
            if event.capacity is None or going < event.capacity
            else RsvpStatus.WAITING
        )
        if existing is None:
            session.add(EventRsvp(event_id=event.id, resident_id=resident.id, status=status))
        else:
            existing.status, existing.requested_at = status, utcnow()
        await session.flush()
        return RsvpResult.GOING if status == RsvpStatus.GOING else RsvpResult.WAITING

    async def cancel(
        self, session: AsyncSession, event: Event, resident: Resident
    ) -> tuple[bool, Resident | None]:
        """Give up a place; return whether there was one, and who moved up from the list."""
        await session.scalar(_locked(event))
        existing = await self._rsvp_of(session, event, resident)
        if existing is None or existing.status == RsvpStatus.CANCELLED:
            return False, None
        had_place = existing.status == RsvpStatus.GOING
        existing.status = RsvpStatus.CANCELLED
        await session.flush()
        if not had_place:
            return True, None
        first = await session.scalar(
            select(EventRsvp)
            .where(EventRsvp.event_id == event.id, EventRsvp.status == RsvpStatus.WAITING)
            .order_by(EventRsvp.requested_at, EventRsvp.id)
            .limit(1)
        )
        if first is None:
            return True, None
        first.status = RsvpStatus.GOING
        await session.flush()
        return True, await session.get(Resident, first.resident_id)

    async def status_of(
        self, session: AsyncSession, event: Event, resident: Resident
    ) -> str | None:
        """Return the resident's RSVP status for an event, if any."""
        existing = await self._rsvp_of(session, event, resident)
        return existing.status if existing is not None else None

    @staticmethod
    async def _rsvp_of(session: AsyncSession, event: Event, resident: Resident) -> EventRsvp | None:
        return await session.scalar(
            select(EventRsvp).where(
                EventRsvp.event_id == event.id, EventRsvp.resident_id == resident.id
            )
        )

    async def queue_due_reminders(
        self, session: AsyncSession, *, catalogue: Catalogue, now: datetime | None = None
    ) -> list[Broadcast]:
        """Queue the reminder of every event starting within a day that has none yet."""
        now = now or utcnow()
        due = await session.execute(
            select(Event)
            .where(
                Event.reminder_broadcast_id.is_(None),
                Event.cancelled.is_(False),
                Event.starts_at > now,
                Event.starts_at <= now + REMIND_BEFORE,
                # Without guests there is nobody to remind (yet): look again next time.
                exists().where(
                    EventRsvp.event_id == Event.id, EventRsvp.status == RsvpStatus.GOING
                ),
            )
            .with_for_update(of=Event, skip_locked=True)
        )
        queued = []
        for event in due.unique().scalars().all():
            queued.append(await self._queue_reminder(session, event, catalogue, now))
        return queued

    async def _queue_reminder(
        self, session: AsyncSession, event: Event, catalogue: Catalogue, now: datetime
    ) -> Broadcast:
        async def reminder(_: Translator, language: str) -> str:
            text = await self.text_in(session, event, language)
            return _.gettext("Reminder: {title} – {when}, {place}. See you there!").format(
                title=text.title,
                when=when(event, _),
                place=event.room or event.hub.name_in(language),
            )

        broadcast, _queued = await self.notify_guests(
            session, event, catalogue, reminder, urgent=False, now=now
        )
        event.reminder_broadcast_id = broadcast.id
        await session.flush()
        return broadcast

    async def notify_guests(
        self,
        session: AsyncSession,
        event: Event,
        catalogue: Catalogue,
        write: Callable[[Translator, str], Awaitable[str]],
        *,
        urgent: bool,
        now: datetime,
    ) -> tuple[Broadcast, int]:
        """Queue a message to the guests with a place, written per language by `write`.

        A system broadcast through the outbox like any other: no staff member (chat 0) is told
        when it has gone out. Returns it and the number of recipients queued.
        """
        languages = await session.scalars(
            select(Resident.language)
            .join(EventRsvp, EventRsvp.resident_id == Resident.id)
            .where(EventRsvp.event_id == event.id, EventRsvp.status == RsvpStatus.GOING)
            .distinct()
        )
        broadcast = Broadcast(
            staff_user_id=0,
            staff_chat_id=0,
            status=BroadcastStatus.READY,
            step="done",
            source_language=event.source_language,
            hub_id=event.hub_id,
            event_id=event.id,
            urgent=urgent,
            confirmed_at=now,
            texts=[],
        )
        for language in sorted({code for code in languages.all() if code}):
            text = await write(catalogue.translator(language), language)
            broadcast.texts.append(
                BroadcastText(language=language, text=text, machine=False, reviewed=True)
            )
        broadcast.text = broadcast.texts[0].text if broadcast.texts else ""
        session.add(broadcast)
        await session.flush()
        queued = await outbox.enqueue(session, broadcast, held_languages=())
        if queued == 0:
            broadcast.status, broadcast.finished_at = BroadcastStatus.DONE, now
        await session.flush()
        return broadcast, queued


def _locked(event: Event) -> Select[Event]:
    # Only the event row (of=): its hub row must not serialise the hub's other events.
    return select(Event).where(Event.id == event.id).with_for_update(of=Event)


def calendar_file(event: Event, text: EventText) -> bytes:
    """Return an .ics file for the event that any calendar app can import."""
    calendar = Calendar()
    calendar.add("prodid", "-//hubbot//Integration Hub//EN")
    calendar.add("version", "2.0")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@hubbot")
    entry.add("summary", text.title)
    entry.add("description", text.description)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("dtstamp", utcnow())
    entry.add("location", ", ".join(p for p in (event.room, event.hub.address) if p))
    calendar.add_component(entry)
    return bytes(calendar.to_ical())
