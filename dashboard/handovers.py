"""The handover inbox: requests to talk to a person, and each one's thread."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import is_rtl
from bot.services import handover as handovers
from dashboard.security import pseudonym
from db.models import (
    Direction,
    Handover,
    HandoverMessage,
    HandoverStatus,
    Hub,
    MessageLog,
    Resident,
    Staff,
)

LIST_LIMIT = 200
THREAD_LIMIT = 500


@dataclass(frozen=True, slots=True)
class HandoverFilter:
    """The filters of the inbox: status and hub, as given in the query string."""

    status: str = ""
    hub: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> HandoverFilter:
        """Read the filters leniently: an unknown status filters nothing."""
        status = params.get("status", "")
        return cls(
            status=status if status in set(HandoverStatus) else "",
            hub=params.get("hub", "")[:40],
        )


@dataclass(frozen=True, slots=True)
class HandoverRow:
    """One request in the inbox."""

    id: int
    reference: str
    pseudonym: str
    hub: str | None
    language: str | None
    status: str
    outcome: str | None
    created_at: datetime
    closed_at: datetime | None
    messages: int
    last_activity: datetime


async def find_handovers(
    session: AsyncSession, *, filters: HandoverFilter, hub_scope: int | None, key: bytes
) -> list[HandoverRow]:
    """Return the requests matching the filters: open ones first, then the newest."""
    counts = (
        select(
            HandoverMessage.handover_id,
            func.count().label("messages"),
            func.max(HandoverMessage.created_at).label("last"),
        )
        .group_by(HandoverMessage.handover_id)
        .subquery()
    )
    query = (
        select(Handover, Hub.slug, counts.c.messages, counts.c.last)
        .outerjoin(Hub, Hub.id == Handover.hub_id)
        .outerjoin(counts, counts.c.handover_id == Handover.id)
    )
    if hub_scope is not None:
        query = query.where(Handover.hub_id == hub_scope)
    if filters.status:
        query = query.where(Handover.status == filters.status)
    if filters.hub:
        query = query.where(Hub.slug == filters.hub)
    open_first = case((Handover.status == HandoverStatus.OPEN, 0), else_=1)
    rows = await session.execute(
        query.order_by(open_first, Handover.created_at.desc(), Handover.id.desc()).limit(LIST_LIMIT)
    )
    return [
        HandoverRow(
            id=handover.id,
            reference=handovers.reference(handover),
            pseudonym=pseudonym(key, handover.resident_id),
            hub=hub,
            language=handover.language,
            status=handover.status,
            outcome=handover.outcome,
            created_at=handover.created_at,
            closed_at=handover.closed_at,
            messages=messages or 0,
            last_activity=last or handover.created_at,
        )
        for handover, hub, messages, last in rows
    ]


@dataclass(frozen=True, slots=True)
class Written:
    """A text with its language, as the page shows it (right to left where needed)."""

    text: str | None
    language: str | None
    # Who wrote it, where the page needs to say (the conversation before the request).
    direction: str | None = None

    @property
    def rtl(self) -> bool:
        """Tell whether the text is written right to left."""
        return is_rtl(self.language or "")


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """One message of a thread: the original and, if made, its translation."""

    id: int
    direction: str
    original: Written
    translation: Written | None
    author: str | None
    # Answered by replying in the Telegram staff chat rather than in the dashboard.
    via_staff_chat: bool
    delivered: bool
    created_at: datetime

    @property
    def from_resident(self) -> bool:
        """Tell whether the resident wrote this."""
        return self.direction == Direction.INCOMING


@dataclass(frozen=True, slots=True)
class Thread:
    """A request, the conversation that led to it, and its thread."""

    id: int
    reference: str
    resident_id: int
    pseudonym: str
    hub: str | None
    language: str | None
    status: str
    outcome: str | None
    created_at: datetime
    closed_at: datetime | None
    before: list[Written]
    messages: list[ThreadMessage]

    @property
    def is_open(self) -> bool:
        """Tell whether staff can still answer."""
        return self.status == HandoverStatus.OPEN


async def find_handover(
    session: AsyncSession, *, handover_id: int, hub_scope: int | None
) -> tuple[Handover, Resident] | None:
    """Return a request and its resident, if the viewer may see them."""
    handover = await session.get(Handover, handover_id)
    if handover is None or (hub_scope is not None and handover.hub_id != hub_scope):
        return None
    resident = await session.get(Resident, handover.resident_id)
    return (handover, resident) if resident is not None else None


async def load_thread(
    session: AsyncSession, *, handover_id: int, hub_scope: int | None, key: bytes
) -> Thread | None:
    """Return a request's thread, oldest first, if the viewer may see it."""
    found = await find_handover(session, handover_id=handover_id, hub_scope=hub_scope)
    if found is None:
        return None
    handover, resident = found
    hub = await session.scalar(select(Hub.slug).where(Hub.id == handover.hub_id))
    # What the resident wrote before asking: texts exist only where they agreed to keep them.
    before = await session.execute(
        select(MessageLog.text, MessageLog.language, MessageLog.direction)
        .where(
            MessageLog.resident_id == resident.id,
            MessageLog.created_at <= handover.created_at,
            MessageLog.kind == "text",
            MessageLog.text.is_not(None),
        )
        .order_by(MessageLog.created_at.desc(), MessageLog.id.desc())
        .limit(handovers.RECENT_MESSAGES)
    )
    rows = await session.execute(
        select(HandoverMessage, Staff.name)
        .outerjoin(Staff, Staff.id == HandoverMessage.staff_id)
        .where(HandoverMessage.handover_id == handover.id)
        .order_by(HandoverMessage.created_at, HandoverMessage.id)
        .limit(THREAD_LIMIT)
    )
    return Thread(
        id=handover.id,
        reference=handovers.reference(handover),
        resident_id=resident.id,
        pseudonym=pseudonym(key, resident.id),
        hub=hub,
        language=handover.language or resident.language,
        status=handover.status,
        outcome=handover.outcome,
        created_at=handover.created_at,
        closed_at=handover.closed_at,
        before=[Written(*row) for row in reversed(before.all())],
        messages=[_thread_message(entry, name) for entry, name in rows],
    )


def _thread_message(entry: HandoverMessage, staff_name: str | None) -> ThreadMessage:
    translation = (
        Written(entry.translation, entry.translation_language)
        if entry.translation is not None
        else None
    )
    return ThreadMessage(
        id=entry.id,
        direction=entry.direction,
        original=Written(entry.text, entry.language),
        translation=translation,
        author=staff_name,
        via_staff_chat=entry.staff_telegram_user_id is not None,
        delivered=entry.delivered,
        created_at=entry.created_at,
    )


async def hub_slugs(session: AsyncSession) -> list[str]:
    """Return the hubs the filter offers."""
    return list(await session.scalars(select(Hub.slug).order_by(Hub.slug)))
