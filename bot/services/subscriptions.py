"""A resident's topics: what they want to hear about from their hub."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Broadcast, OutboxMessage, OutboxStatus, Resident, Subscription, Topic


async def topics_of(session: AsyncSession, *, resident: Resident) -> set[str]:
    """Return the topics a resident subscribed to."""
    result = await session.scalars(
        select(Subscription.topic).where(Subscription.resident_id == resident.id)
    )
    return set(result.all())


async def toggle(session: AsyncSession, *, resident: Resident, topic: str) -> bool:
    """Subscribe to a topic, or unsubscribe if already subscribed; return the new state."""
    if topic not in {t.value for t in Topic}:
        raise ValueError(f"unknown topic {topic!r}")
    existing = await session.scalar(
        select(Subscription).where(
            Subscription.resident_id == resident.id, Subscription.topic == topic
        )
    )
    if existing is not None:
        await session.delete(existing)
        await session.flush()
        return False
    session.add(Subscription(resident_id=resident.id, topic=topic))
    await session.flush()
    return True


async def clear(session: AsyncSession, *, resident: Resident) -> None:
    """Unsubscribe a resident from every topic."""
    await session.execute(delete(Subscription).where(Subscription.resident_id == resident.id))


async def original_text(
    session: AsyncSession, *, broadcast_id: int, resident: Resident
) -> str | None:
    """Return a broadcast as the staff wrote it, if it was sent to this resident."""
    return await session.scalar(
        select(Broadcast.text)
        .join(OutboxMessage, OutboxMessage.broadcast_id == Broadcast.id)
        .where(
            Broadcast.id == broadcast_id,
            OutboxMessage.resident_id == resident.id,
            OutboxMessage.status == OutboxStatus.SENT,
        )
        .limit(1)
    )
