"""`hubbot worker`: send queued broadcasts from the outbox, paced, crash-safe.

One loop: lease a small batch of due rows (the next one is leased while this one goes out),
send each at its paced time, record the batch's outcomes in one transaction, and report
finished broadcasts to the staff member who sent them. Outcomes are written within about
half a second after Telegram accepted each message (at most two batches are unrecorded), so
a worker killed at any moment repeats at most those messages once their lease expires.
A row is never sent after its lease ran out, so a slow worker cannot race another one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.broadcasting import outbox
from bot.broadcasting.messages import recipient_keyboard, recipient_text
from bot.broadcasting.pacing import Pacer
from bot.broadcasting.quiet import quiet_hubs
from bot.broadcasting.staff import report_finished
from bot.config import Settings
from bot.i18n import Catalogue
from bot.reminders import ReminderClock
from bot.services.events import EventService
from bot.services.translation import build_translation_service
from bot.telegram_request import AiohttpRequest
from bot.text import for_display, split_message
from db.base import utcnow
from db.engine import create_engine, create_sessionmaker
from db.models import Broadcast, Hub

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 300.0
# Stop sending a leased row this long before its lease ends: its outcome must be written
# while this worker still owns it.
LEASE_MARGIN = 0.2
HUB_REFRESH_S = 60.0
STARTUP_RETRY_S = 1.0
STARTUP_ATTEMPTS = 60


@dataclass
class _Outcomes:
    """What happened to the rows of a batch, written together."""

    sent: list[int] = field(default_factory=list)
    blocked: list[outbox.LeasedRow] = field(default_factory=list)
    retry: list[tuple[outbox.LeasedRow, float, bool, str]] = field(default_factory=list)
    failed: list[tuple[outbox.LeasedRow, str]] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Batch:
    """Rows leased together, the broadcasts they belong to, and when to stop sending them."""

    rows: list[outbox.LeasedRow]
    broadcasts: dict[int, Broadcast]
    deadline: float


async def _drain(tasks: deque[asyncio.Task[None]], *, keep: int) -> None:
    while len(tasks) > keep:
        await tasks.popleft()


def worker_id() -> str:
    """Name this worker process uniquely: host, pid and start time."""
    return f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class Worker:
    """Lease, send and mark outbox rows until stopped."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        catalogue: Catalogue,
        *,
        name: str | None = None,
    ) -> None:
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._bot = bot
        self._catalogue = catalogue
        self.name = name or worker_id()
        rate = settings.broadcast_rate
        # A burst of two absorbs timer jitter; more would risk Telegram's 429.
        self._pacer = Pacer(
            rate_per_s=rate, chat_interval_s=settings.broadcast_chat_interval_s, burst=2
        )
        # About a quarter second of sends: the most a crash can repeat.
        self._batch = max(1, min(500, int(rate / 4)))
        self._hubs: list[Hub] = []
        self._hubs_loaded = -HUB_REFRESH_S

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; what is already in flight is still recorded."""
        logger.info(
            "worker %s started at %.0f messages/s", self.name, self._settings.broadcast_rate
        )
        in_flight: deque[asyncio.Task[None]] = deque()
        upcoming = asyncio.create_task(self._lease())
        try:
            while True:
                batch = await upcoming
                if stop.is_set():
                    await self._give_back(batch)
                    break
                if not batch.rows:
                    await _drain(in_flight, keep=0)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self._settings.worker_poll_s)
                    upcoming = asyncio.create_task(self._lease())
                    continue
                # Lease the next batch while this one goes out, so the pace never stalls.
                upcoming = asyncio.create_task(self._lease())
                in_flight.append(await self._dispatch(batch))
                # At most two batches sent but not yet recorded: the most a crash repeats.
                await _drain(in_flight, keep=1)
        finally:
            await _drain(in_flight, keep=0)
        logger.info("worker %s stopped", self.name)

    async def _lease(self) -> _Batch:
        async with self._sessionmaker() as session:
            rows = await outbox.lease(
                session,
                worker=self.name,
                limit=self._batch,
                lease_s=self._settings.broadcast_lease_s,
                quiet_hubs=await self._quiet_hubs(session),
            )
            deadline = time.monotonic() + self._settings.broadcast_lease_s * (1 - LEASE_MARGIN)
            if not rows:
                return _Batch(rows, {}, deadline)
            # Loaded per batch, not cached: a held language's text may be corrected meanwhile.
            found = await session.scalars(
                select(Broadcast).where(Broadcast.id.in_({row.broadcast_id for row in rows}))
            )
            return _Batch(rows, {b.id: b for b in found.all()}, deadline)

    async def _give_back(self, batch: _Batch) -> None:
        async with self._sessionmaker() as session:
            await outbox.release(session, ids=[row.id for row in batch.rows], worker=self.name)
            await session.commit()

    async def _dispatch(self, batch: _Batch) -> asyncio.Task[None]:
        """Start each send at its paced time; return the task that records the outcomes."""
        outcomes = _Outcomes()
        sends = []
        for index, row in enumerate(batch.rows):
            await self._pacer.wait(row.chat_id)
            if time.monotonic() > batch.deadline:
                outcomes.unsent.extend(r.id for r in batch.rows[index:])
                break
            sends.append(asyncio.create_task(self._send(row, batch, outcomes)))

        async def complete() -> None:
            await asyncio.gather(*sends)
            await self._record(outcomes, set(batch.broadcasts))

        return asyncio.create_task(complete())

    async def _quiet_hubs(self, session: AsyncSession) -> set[int]:
        if time.monotonic() - self._hubs_loaded > HUB_REFRESH_S:
            self._hubs = list((await session.scalars(select(Hub))).all())
            self._hubs_loaded = time.monotonic()
        return quiet_hubs(
            self._hubs,
            now=utcnow(),
            start=self._settings.quiet_hours_start,
            end=self._settings.quiet_hours_end,
        )

    async def _send(self, row: outbox.LeasedRow, batch: _Batch, outcomes: _Outcomes) -> None:
        _ = self._catalogue.translator(row.language)
        broadcast = batch.broadcasts[row.broadcast_id]
        text = for_display(recipient_text(broadcast, _), rtl=_.rtl)
        paid = True if self._settings.allow_paid_broadcast else None
        try:
            parts = split_message(text)
            for index, part in enumerate(parts):
                # The button goes under the last part, where the reader finishes.
                keyboard = recipient_keyboard(broadcast, _) if index == len(parts) - 1 else None
                await self._bot.send_message(
                    row.chat_id, part, allow_paid_broadcast=paid, reply_markup=keyboard
                )
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            # Telegram's flood control, not the recipient's fault: pause everything, retry.
            self._pacer.pause(wait)
            outcomes.retry.append((row, wait, False, str(error)))
        except Forbidden:
            outcomes.blocked.append(row)
        except TelegramError as error:
            if row.attempts + 1 >= self._settings.broadcast_max_attempts:
                outcomes.failed.append((row, f"{type(error).__name__}: {error}"))
            else:
                backoff = min(MAX_BACKOFF_S, 2.0 ** (row.attempts + 1))
                outcomes.retry.append((row, backoff, True, str(error)))
        else:
            outcomes.sent.append(row.id)

    async def _record(self, outcomes: _Outcomes, broadcast_ids: set[int]) -> None:
        now = utcnow()
        async with self._sessionmaker() as session:
            await outbox.mark_sent(session, ids=outcomes.sent, worker=self.name)
            for row in outcomes.blocked:
                await outbox.mark_blocked(session, row=row, worker=self.name)
            for row, wait, counts, error in outcomes.retry:
                logger.info("outbox row %s: retry in %.0f s: %s", row.id, wait, error)
                until = now + timedelta(seconds=wait)
                await outbox.postpone(session, row=row, worker=self.name, until=until, count=counts)
            for row, error in outcomes.failed:
                logger.warning("outbox row %s failed: %s", row.id, error)
                await outbox.mark_failed(session, row=row, worker=self.name, error=error)
            await outbox.release(session, ids=outcomes.unsent, worker=self.name)
            finished = await outbox.finish(session, broadcast_ids=broadcast_ids)
            await session.commit()
            for broadcast in finished:
                await report_finished(
                    session,
                    self._bot,
                    broadcast,
                    catalogue=self._catalogue,
                    settings=self._settings,
                )


async def _initialize(bot: Bot, stop: asyncio.Event) -> None:
    # The sandbox or Telegram may come up after us (make run starts both at once).
    for attempt in range(1, STARTUP_ATTEMPTS + 1):
        try:
            await bot.initialize()
            return
        except TelegramError as error:
            if attempt == STARTUP_ATTEMPTS or stop.is_set():
                raise
            logger.info("Bot API not reachable yet (%s); retrying", error)
            await asyncio.sleep(STARTUP_RETRY_S)


def build_bot(settings: Settings) -> Bot:
    """Return a Bot on the same API base URL as the bot process (Telegram or the sandbox)."""
    return Bot(
        settings.bot_token,
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_base_file_url,
        request=AiohttpRequest(connection_pool_size=64, read_timeout=10.0),
    )


async def run_worker(settings: Settings) -> None:
    """Send broadcasts and queue event reminders until SIGTERM or Ctrl-C."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    engine = create_engine(settings.database_url)
    bot = build_bot(settings)
    try:
        await _initialize(bot, stop)
        async with bot, httpx.AsyncClient() as http:
            sessionmaker = create_sessionmaker(engine)
            catalogue = Catalogue.load(settings.locales_dir)
            worker = Worker(settings, sessionmaker, bot, catalogue)
            clock = ReminderClock(
                sessionmaker,
                EventService(build_translation_service(settings, http)),
                catalogue,
                interval_s=settings.reminder_interval_s,
            )
            reminders = asyncio.create_task(clock.run(stop))
            await worker.run(stop)
            await reminders
    finally:
        await engine.dispose()
