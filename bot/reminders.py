"""The worker's clock for event reminders: queue due ones every minute, from the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Catalogue
from bot.services.events import EventService

logger = logging.getLogger(__name__)


class ReminderClock:
    """Queue the reminders of events starting within a day; safe with several workers."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        events: EventService,
        catalogue: Catalogue,
        *,
        interval_s: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._events = events
        self._catalogue = catalogue
        self._interval_s = interval_s

    async def tick(self) -> int:
        """Queue what is due now; return how many reminders were queued."""
        async with self._sessionmaker() as session:
            queued = await self._events.queue_due_reminders(session, catalogue=self._catalogue)
            await session.commit()
        if queued:
            logger.info("queued %d event reminders", len(queued))
        return len(queued)

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until stopped; a failed tick is logged and retried at the next one."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                logger.exception("could not queue event reminders; trying again soon")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)
