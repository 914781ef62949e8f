"""The outbox: one row per recipient, queued with INSERT ... SELECT, leased by workers.

A row goes pending → sent (Telegram accepted it), blocked (403), failed (after the last
attempt) or cancelled; a critical broadcast's unreviewed languages wait as held. A worker
leases rows by writing `leased_until` and `leased_by`: on PostgreSQL the candidate rows are
locked with FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows without waiting;
SQLite runs the one UPDATE under its single writer lock, and the UPDATE re-checks the lease
(compare-and-set), so two workers cannot take the same row either. A worker killed at any
moment leaves leased rows unmarked: they become free again when the lease expires.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Update

from db.base import Base, utcnow
from db.models import (
    Broadcast,
    BroadcastStatus,
    EventRsvp,
    OutboxMessage,
    OutboxStatus,
    Resident,
    RsvpStatus,
    Subscription,
)

ERROR_LENGTH = 300


def _update(model: type[Base]) -> Update:
    # Bulk updates by condition: the session holds no copies of these rows to synchronise.
    return update(model).execution_options(synchronize_session=False)


@dataclass(frozen=True, slots=True)
class LeasedRow:
    """One recipient a worker now owns until its lease ends."""

    id: int
    broadcast_id: int
    resident_id: int
    chat_id: int
    language: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Progress:
    """How many recipients of a broadcast are in each state."""

    held: int = 0
    pending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        """Return the number of recipients."""
        return self.held + self.pending + self.sent + self.blocked + self.failed + self.cancelled


def recipients_of(broadcast: Broadcast) -> ColumnElement[bool]:
    """Return the condition that picks a broadcast's recipients among residents.

    Reachable residents who finished choosing a language, at the broadcast's hub (or any),
    in its languages (or any), subscribed to one of its topics, and for an event's
    broadcast only those who said they will come; a broadcast without topics or event is a
    service notice for everyone at the hub.
    """
    conditions: list[ColumnElement[bool]] = [
        Resident.blocked_at.is_(None),
        Resident.language.is_not(None),
        Resident.hub_id.is_not(None),
    ]
    if broadcast.hub_id is not None:
        conditions.append(Resident.hub_id == broadcast.hub_id)
    if broadcast.languages:
        conditions.append(Resident.language.in_(broadcast.languages))
    if broadcast.topics:
        conditions.append(
            exists().where(
                Subscription.resident_id == Resident.id,
                Subscription.topic.in_(broadcast.topics),
            )
        )
    if broadcast.event_id is not None:
        conditions.append(
            exists().where(
                EventRsvp.resident_id == Resident.id,
                EventRsvp.event_id == broadcast.event_id,
                EventRsvp.status == RsvpStatus.GOING,
            )
        )
    return and_(*conditions)


async def count_recipients(session: AsyncSession, broadcast: Broadcast) -> int:
    """Return how many residents a broadcast would reach now."""
    total = await session.scalar(select(func.count(Resident.id)).where(recipients_of(broadcast)))
    return int(total or 0)


async def enqueue(
    session: AsyncSession, broadcast: Broadcast, *, held_languages: Collection[str]
) -> int:
    """Write one outbox row per recipient with one INSERT ... SELECT; return how many.

    The caller commits this together with the broadcast's confirmation, so a broadcast is
    either confirmed with all its recipients queued or not at all.
    """
    status = (
        case(
            (Resident.language.in_(list(held_languages)), literal(OutboxStatus.HELD.value)),
            else_=literal(OutboxStatus.PENDING.value),
        )
        if held_languages
        else literal(OutboxStatus.PENDING.value)
    )
    not_before = broadcast.send_after or utcnow()
    chosen = select(
        literal(broadcast.id),
        Resident.id,
        Resident.chat_id,
        Resident.language,
        Resident.hub_id,
        literal(broadcast.urgent),
        status,
        literal(not_before, type_=OutboxMessage.not_before.type),
        literal(0),
    ).where(recipients_of(broadcast))
    result = await session.execute(
        insert(OutboxMessage).from_select(
            [
                "broadcast_id",
                "resident_id",
                "chat_id",
                "language",
                "hub_id",
                "urgent",
                "status",
                "not_before",
                "attempts",
            ],
            chosen,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release_language(session: AsyncSession, *, broadcast_id: int, language: str) -> int:
    """Let a held language of a critical broadcast go out, now that it was reviewed."""
    result = await session.execute(
        _update(OutboxMessage)
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.language == language,
            OutboxMessage.status == OutboxStatus.HELD,
        )
        .values(status=OutboxStatus.PENDING)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def cancel(session: AsyncSession, *, broadcast_id: int) -> int:
    """Stop a broadcast: rows not yet sent are cancelled; return how many."""
    result = await session.execute(
        _update(OutboxMessage)
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.HELD]),
        )
        .values(status=OutboxStatus.CANCELLED, leased_until=None, leased_by=None)
    )
    await session.execute(
        _update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_([BroadcastStatus.READY, BroadcastStatus.SENDING]),
        )
        .values(status=BroadcastStatus.CANCELLED, finished_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def progress(session: AsyncSession, broadcast_ids: Sequence[int]) -> dict[int, Progress]:
    """Return the recipients of each broadcast by state."""
    result = await session.execute(
        select(OutboxMessage.broadcast_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id.in_(list(broadcast_ids)))
        .group_by(OutboxMessage.broadcast_id, OutboxMessage.status)
    )
    counts: dict[int, dict[str, int]] = {broadcast_id: {} for broadcast_id in broadcast_ids}
    for broadcast_id, status, count in result.all():
        counts[broadcast_id][status] = int(count)
    return {broadcast_id: Progress(**by_status) for broadcast_id, by_status in counts.items()}


async def lease(
    session: AsyncSession,
    *,
    worker: str,
    limit: int,
    lease_s: float,
    quiet_hubs: Collection[int] = (),
) -> list[LeasedRow]:
    """Take up to `limit` due rows for this worker until the lease ends; commit them.

    Rows of non-urgent broadcasts at hubs in their quiet hours are left for the morning.
    """
    now = utcnow()
    free = or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until < now)
    due = [
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.not_before <= now,
        free,
    ]
    if quiet_hubs:
        due.append(
            or_(
                OutboxMessage.urgent,
                OutboxMessage.hub_id.is_(None),
                OutboxMessage.hub_id.not_in(list(quiet_hubs)),
            )
        )
    candidates = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # A materialized CTE runs once: PostgreSQL may re-run an IN (... LIMIT ... SKIP LOCKED)
        # subquery for each row and then take far more than `limit` rows.
        picked = candidates.with_for_update(skip_locked=True).cte("picked")
        picked = picked.prefix_with("MATERIALIZED")
        chosen = OutboxMessage.id == picked.c.id
    else:
        chosen = OutboxMessage.id.in_(candidates.scalar_subquery())
    result = await session.execute(
        _update(OutboxMessage)
        # The outer conditions repeat the check: the compare-and-set on SQLite.
        .where(chosen, *due)
        .values(leased_until=now + timedelta(seconds=lease_s), leased_by=worker)
        .returning(
            OutboxMessage.id,
            OutboxMessage.broadcast_id,
            OutboxMessage.resident_id,
            OutboxMessage.chat_id,
            OutboxMessage.language,
            OutboxMessage.attempts,
        )
    )
    rows = [LeasedRow(*row) for row in result.all()]
    if rows:
        await session.execute(
            _update(Broadcast)
            .where(
                Broadcast.id.in_({row.broadcast_id for row in rows}),
                Broadcast.status == BroadcastStatus.READY,
            )
            .values(status=BroadcastStatus.SENDING)
        )
    await session.commit()
    rows.sort(key=lambda row: row.id)
    return rows


def _owned(ids: Collection[int], worker: str) -> ColumnElement[bool]:
    return and_(OutboxMessage.id.in_(list(ids)), OutboxMessage.leased_by == worker)


async def mark_sent(session: AsyncSession, *, ids: Collection[int], worker: str) -> None:
    """Record rows Telegram accepted."""
    if ids:
        await session.execute(
            _update(OutboxMessage)
            .where(_owned(ids, worker))
            .values(status=OutboxStatus.SENT, sent_at=utcnow(), leased_until=None, error=None)
        )


async def mark_blocked(session: AsyncSession, *, row: LeasedRow, worker: str) -> None:
    """Record that the resident blocked hubbot; nothing more is sent to them."""
    now = utcnow()
    await session.execute(
        _update(OutboxMessage)
        .where(_owned([row.id], worker))
        .values(status=OutboxStatus.BLOCKED, leased_until=None)
    )
    await session.execute(
        _update(Resident)
        .where(Resident.id == row.resident_id, Resident.blocked_at.is_(None))
        .values(blocked_at=now)
    )
    # Their other queued broadcasts would only meet the same 403.
    await session.execute(
        _update(OutboxMessage)
        .where(
            OutboxMessage.resident_id == row.resident_id,
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.HELD]),
        )
        .values(status=OutboxStatus.BLOCKED)
    )


async def postpone(
    session: AsyncSession, *, row: LeasedRow, worker: str, until: datetime, count: bool
) -> None:
    """Give a row back to try again later; `count` says whether this was a real failure."""
    values: dict[str, object] = {"not_before": until, "leased_until": None}
    if count:
        values["attempts"] = OutboxMessage.attempts + 1
    await session.execute(_update(OutboxMessage).where(_owned([row.id], worker)).values(values))


async def mark_failed(session: AsyncSession, *, row: LeasedRow, worker: str, error: str) -> None:
    """Record the last error after the final attempt."""
    await session.execute(
        _update(OutboxMessage)
        .where(_owned([row.id], worker))
        .values(
            status=OutboxStatus.FAILED,
            attempts=row.attempts + 1,
            error=error[:ERROR_LENGTH],
            leased_until=None,
        )
    )


async def release(session: AsyncSession, *, ids: Collection[int], worker: str) -> None:
    """Give back leased rows this worker will not send (it is stopping, or the lease ran out)."""
    if ids:
        await session.execute(
            _update(OutboxMessage)
            .where(_owned(ids, worker), OutboxMessage.status == OutboxStatus.PENDING)
            .values(leased_until=None)
        )


async def finish(session: AsyncSession, *, broadcast_ids: Collection[int]) -> list[Broadcast]:
    """Mark broadcasts with nothing left to send as done; return those this call finished."""
    unfinished = exists().where(
        OutboxMessage.broadcast_id == Broadcast.id,
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.HELD]),
    )
    result = await session.execute(
        _update(Broadcast)
        .where(
            Broadcast.id.in_(list(broadcast_ids)),
            Broadcast.status.in_([BroadcastStatus.READY, BroadcastStatus.SENDING]),
            ~unfinished,
        )
        .values(status=BroadcastStatus.DONE, finished_at=utcnow())
        .returning(Broadcast.id)
    )
    done = list(result.scalars().all())
    if not done:
        return []
    found = await session.execute(select(Broadcast).where(Broadcast.id.in_(done)))
    return list(found.scalars().all())


async def progress_by_language(session: AsyncSession, broadcast_id: int) -> dict[str, Progress]:
    """Return one broadcast's recipients by language and state."""
    result = await session.execute(
        select(OutboxMessage.language, OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.language, OutboxMessage.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for language, status, count in result.all():
        counts.setdefault(language, {})[status] = int(count)
    return {language: Progress(**by_status) for language, by_status in sorted(counts.items())}
