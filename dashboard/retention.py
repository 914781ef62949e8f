"""Retention: delete message and handover thread texts after RETENTION_DAYS; metadata stays."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dashboard import accounts, audit
from db.base import utcnow
from db.models import HandoverMessage, MessageLog

logger = logging.getLogger(__name__)

ACTOR = "retention job"


async def delete_old_texts(session: AsyncSession, *, days: int, now: datetime) -> int:
    """Blank the text of every message older than `days`; return how many were blanked.

    Handover threads (kept for the person the resident asked for) lose their texts and
    translations on the same schedule.
    """
    cutoff = now - timedelta(days=days)
    result = await session.execute(
        update(MessageLog)
        .where(MessageLog.created_at < cutoff, MessageLog.text.is_not(None))
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    thread = await session.execute(
        update(HandoverMessage)
        .where(
            HandoverMessage.created_at < cutoff,
            or_(HandoverMessage.text.is_not(None), HandoverMessage.translation.is_not(None)),
        )
        .values(text=None, translation=None)
        .execution_options(synchronize_session=False)
    )
    return _count(result) + _count(thread)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def run_retention(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    days: int,
    actor: str = ACTOR,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Run the retention job once in its own transaction and audit it; return texts deleted."""
    now = now or utcnow()
    async with sessionmaker() as session:
        deleted = await delete_old_texts(session, days=days, now=now)
        await accounts.prune(session, now=now)
        audit.record(
            session,
            actor=actor,
            staff_id=staff_id,
            action="retention.run",
            detail={"days": days, "texts_deleted": deleted},
        )
        await session.commit()
    logger.info("Retention: deleted %d message texts older than %d days", deleted, days)
    return deleted


async def retention_loop(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    days: int,
    interval_s: float,
    stop: asyncio.Event,
) -> None:
    """Run the retention job now and then every `interval_s` seconds until `stop` is set."""
    while not stop.is_set():
        try:
            await run_retention(sessionmaker, days=days)
        except Exception:
            # A failed run (database briefly away) must not stop the next one.
            logger.exception("The retention job failed; trying again in %.0f s", interval_s)
        # A run in progress is finished, never cancelled half-way, when the dashboard stops.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
