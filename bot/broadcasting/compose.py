"""Compose a broadcast step by step; every step is stored, so a restart loses nothing.

draft (text → target → review) → ready (confirmed, recipients queued) → sending → done,
or cancelled at any point. A critical broadcast queues its unreviewed languages as held:
they go out once a person has reviewed (or written) that translation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasting import outbox
from bot.i18n import LANGUAGE_BY_CODE
from bot.services.translation import TranslationService, TranslationUnavailable, source_hash
from db.base import utcnow
from db.models import (
    Broadcast,
    BroadcastStatus,
    BroadcastText,
    Hub,
    Staff,
    Topic,
    TranslationMemoryEntry,
)

STEP_TEXT = "text"
STEP_TARGET = "target"
STEP_TIME = "time"
STEP_REVIEW = "review"
STEP_DONE = "done"
CORRECT_PREFIX = "correct:"


async def awaiting_text(session: AsyncSession, *, staff_user_id: int) -> Broadcast | None:
    """Return the broadcast whose next step is a text from this staff member, if any."""
    return await session.scalar(
        select(Broadcast)
        .where(
            Broadcast.staff_user_id == staff_user_id,
            or_(
                Broadcast.step.startswith(CORRECT_PREFIX),
                Broadcast.step.in_([STEP_TEXT, STEP_TIME]),
            ),
            Broadcast.status.in_(
                [BroadcastStatus.DRAFT, BroadcastStatus.READY, BroadcastStatus.SENDING]
            ),
        )
        .order_by(Broadcast.id.desc())
        .limit(1)
    )


async def start(
    session: AsyncSession, *, staff: Staff, staff_user_id: int, chat_id: int, language: str
) -> Broadcast:
    """Return the staff member's open draft, or a new one."""
    draft = await session.scalar(
        select(Broadcast)
        .where(Broadcast.staff_user_id == staff_user_id, Broadcast.status == BroadcastStatus.DRAFT)
        .order_by(Broadcast.id.desc())
        .limit(1)
    )
    if draft is not None:
        return draft
    return await create(
        session, staff=staff, staff_user_id=staff_user_id, chat_id=chat_id, language=language
    )


async def create(
    session: AsyncSession, *, staff: Staff, staff_user_id: int, chat_id: int, language: str
) -> Broadcast:
    """Start a new draft at the staff member's hub, written in `language`.

    `staff_user_id` finds a Telegram draft again (0: composed elsewhere, e.g. the dashboard);
    `chat_id` is told when the broadcast has gone out (0: nobody).
    """
    draft = Broadcast(
        staff_id=staff.id,
        staff_user_id=staff_user_id,
        staff_chat_id=chat_id,
        source_language=language,
        hub_id=staff.hub_id,
        topics=[],
        languages=[],
        texts=[],
    )
    session.add(draft)
    await session.flush()
    return draft


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    """Return a broadcast by number."""
    return await session.get(Broadcast, broadcast_id)


def set_text(broadcast: Broadcast, text: str) -> None:
    """Keep the message in the staff member's language; translations start afresh."""
    broadcast.text = text.strip()
    broadcast.texts = [
        BroadcastText(
            language=broadcast.source_language, text=broadcast.text, machine=False, reviewed=True
        )
    ]
    broadcast.step = STEP_TARGET


def _toggled(values: list[str], value: str) -> list[str]:
    # A new list: JSON columns notice assignment, not in-place changes.
    return [v for v in values if v != value] if value in values else [*values, value]


def toggle_topic(broadcast: Broadcast, topic: str) -> None:
    """Add or remove a topic (no topic: a service notice for everyone)."""
    if topic in {t.value for t in Topic}:
        broadcast.topics = _toggled(list(broadcast.topics), topic)


def toggle_language(broadcast: Broadcast, language: str) -> None:
    """Add or remove a target language (none chosen: every language)."""
    if language in LANGUAGE_BY_CODE:
        broadcast.languages = _toggled(list(broadcast.languages), language)


def set_target(
    broadcast: Broadcast,
    *,
    hub_id: int | None,
    topics: Iterable[str] = (),
    languages: Iterable[str] = (),
    event_id: int | None = None,
    critical: bool = False,
    urgent: bool = False,
    send_after: datetime | None = None,
) -> None:
    """Set the whole target at once; unknown topics and languages are left out."""
    known_topics = {t.value for t in Topic}
    broadcast.hub_id = hub_id
    broadcast.topics = [topic for topic in dict.fromkeys(topics) if topic in known_topics]
    broadcast.languages = [code for code in dict.fromkeys(languages) if code in LANGUAGE_BY_CODE]
    broadcast.event_id = event_id
    broadcast.critical, broadcast.urgent = critical, urgent
    broadcast.send_after = send_after


def target_languages(broadcast: Broadcast) -> list[str]:
    """Return the languages the broadcast goes out in."""
    chosen = set(broadcast.languages)
    return [code for code in LANGUAGE_BY_CODE if not chosen or code in chosen]


def parse_time(text: str, *, timezone: str, now: datetime | None = None) -> datetime | None:
    """Read "HH:MM" (the next such time) or "YYYY-MM-DD HH:MM" in the hub's time zone."""
    zone = ZoneInfo(timezone)
    local_now = (now or utcnow()).astimezone(zone)
    text = text.strip()
    # The last pattern is what a browser's datetime-local field sends.
    for pattern in ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    try:
        clock = datetime.strptime(text, "%H:%M").time()
    except ValueError:
        return None
    moment = datetime.combine(local_now.date(), clock, tzinfo=zone)
    return moment if moment > local_now else moment + timedelta(days=1)


async def hub_timezone(session: AsyncSession, broadcast: Broadcast) -> str:
    """Return the time zone times are read in: the broadcast's hub's, else Berlin's."""
    if broadcast.hub_id is not None:
        hub = await session.get(Hub, broadcast.hub_id)
        if hub is not None:
            return hub.timezone
    return "Europe/Berlin"


async def translate(
    session: AsyncSession, broadcast: Broadcast, translation: TranslationService
) -> list[str]:
    """Fill in every target language from memory or the provider; return those still missing."""
    missing = []
    for language in target_languages(broadcast):
        if broadcast.text_in(language) is not None or broadcast.text is None:
            continue
        try:
            result = await translation.translate(
                session, broadcast.text, source=broadcast.source_language, target=language
            )
        except TranslationUnavailable:
            missing.append(language)
            continue
        broadcast.texts.append(
            BroadcastText(
                language=language,
                text=result.text,
                machine=result.machine,
                reviewed=not result.machine,
            )
        )
    await session.flush()
    return missing


async def _remember_review(
    session: AsyncSession, broadcast: Broadcast, text: BroadcastText
) -> None:
    """Keep a person's translation in the memory as reviewed, for the next broadcast."""
    if broadcast.text is None or text.language == broadcast.source_language:
        return
    key = source_hash(broadcast.text, broadcast.source_language)
    entry = await session.scalar(
        select(TranslationMemoryEntry).where(
            TranslationMemoryEntry.source_hash == key,
            TranslationMemoryEntry.target_language == text.language,
        )
    )
    if entry is None:
        entry = TranslationMemoryEntry(
            source_hash=key,
            source_language=broadcast.source_language,
            target_language=text.language,
            source_text=broadcast.text,
            text=text.text,
            provider="staff",
        )
        session.add(entry)
    entry.text, entry.reviewed = text.text, True


async def correct(session: AsyncSession, broadcast: Broadcast, language: str, text: str) -> None:
    """Replace one language's text with a person's own; it counts as reviewed."""
    entry = broadcast.text_in(language)
    if entry is None:
        entry = BroadcastText(language=language, text=text.strip())
        broadcast.texts.append(entry)
    entry.text, entry.machine, entry.reviewed = text.strip(), False, True
    await _remember_review(session, broadcast, entry)
    broadcast.step = STEP_REVIEW if broadcast.status == BroadcastStatus.DRAFT else STEP_DONE
    await _release_if_queued(session, broadcast, language)


async def mark_reviewed(session: AsyncSession, broadcast: Broadcast, language: str) -> bool:
    """Record that a person checked a machine translation; False if there is none."""
    entry = broadcast.text_in(language)
    if entry is None:
        return False
    entry.reviewed = True
    await _remember_review(session, broadcast, entry)
    await _release_if_queued(session, broadcast, language)
    return True


async def _release_if_queued(session: AsyncSession, broadcast: Broadcast, language: str) -> None:
    await session.flush()
    if broadcast.status in (BroadcastStatus.READY, BroadcastStatus.SENDING):
        await outbox.release_language(session, broadcast_id=broadcast.id, language=language)


def unreviewed_languages(broadcast: Broadcast) -> list[str]:
    """Return target languages without a translation a person has reviewed."""
    return [
        language
        for language in target_languages(broadcast)
        if (text := broadcast.text_in(language)) is None or not text.reviewed
    ]


async def confirm(session: AsyncSession, broadcast: Broadcast) -> int | None:
    """Confirm the draft and queue one outbox row per recipient, in this transaction.

    Return how many were queued, or None when the broadcast was no longer a draft: the
    status changes by compare-and-set, so two confirmations never queue it twice.
    """
    held = unreviewed_languages(broadcast) if broadcast.critical else []
    now = utcnow()
    claimed = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(status=BroadcastStatus.READY, step=STEP_DONE, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(claimed, "rowcount", 0) or 0) != 1:
        await session.refresh(broadcast)
        return None
    broadcast.status, broadcast.step, broadcast.confirmed_at = (
        BroadcastStatus.READY,
        STEP_DONE,
        now,
    )
    await session.flush()
    count = await outbox.enqueue(session, broadcast, held_languages=held)
    if count == 0:
        # Nobody to send to: no worker would ever lease a row and finish it.
        broadcast.status, broadcast.finished_at = BroadcastStatus.DONE, broadcast.confirmed_at
    return count


async def cancel(session: AsyncSession, broadcast: Broadcast) -> int:
    """Cancel a draft or a queued broadcast; return how many recipients will not get it."""
    if broadcast.status == BroadcastStatus.DRAFT:
        broadcast.status = BroadcastStatus.CANCELLED
        broadcast.step = STEP_DONE
        broadcast.finished_at = utcnow()
        return 0
    broadcast.step = STEP_DONE
    await session.flush()
    count = await outbox.cancel(session, broadcast_id=broadcast.id)
    await session.refresh(broadcast)
    return count


async def recent(session: AsyncSession, limit: int = 10) -> list[Broadcast]:
    """Return the newest broadcasts that were confirmed or cancelled."""
    result = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status != BroadcastStatus.DRAFT)
        .order_by(Broadcast.id.desc())
        .limit(limit)
    )
    return list(result.all())
