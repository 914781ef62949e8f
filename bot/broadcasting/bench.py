"""`hubbot bench broadcast`: one broadcast through the rate-limited sandbox, worker killed halfway.

Creates N subscribed residents across the nine languages and a sandbox limited to R
messages/s, confirms one broadcast (its outbox queued in one INSERT ... SELECT), runs
`hubbot worker` as a subprocess, SIGKILLs it once the sandbox has received half, starts it
again and waits until the outbox is empty. Delivered, lost and duplicates are counted by the
sandbox from what each chat actually received.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from typing import Any

import httpx
from sqlalchemy import func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcasting import compose, outbox
from bot.config import Settings
from bot.i18n import LANGUAGES
from bot.ports import free_port
from db import migrate
from db.engine import create_engine, create_sessionmaker
from db.models import (
    Broadcast,
    BroadcastText,
    Hub,
    OutboxMessage,
    Resident,
    Staff,
    Subscription,
    Topic,
)

FIRST_USER_ID = 700_000_000
CHUNK = 5_000
POLL_S = 0.05
# A short lease, so rows the killed worker held come back within the run.
LEASE_S = 5.0


async def _populate(sessionmaker: async_sessionmaker[AsyncSession], users: int) -> int:
    """Create a hub, a staff member and N subscribed residents; return the hub's id."""
    async with sessionmaker() as session:
        hub = Hub(slug="bench", city="Bench", timezone="Europe/Berlin", names={})
        session.add(hub)
        session.add(Staff(name="Bench", telegram_user_id=FIRST_USER_ID - 1))
        await session.flush()
        for start in range(0, users, CHUNK):
            ids = range(start, min(users, start + CHUNK))
            await session.execute(
                insert(Resident),
                [
                    {
                        "telegram_user_id": FIRST_USER_ID + i,
                        "chat_id": FIRST_USER_ID + i,
                        "language": LANGUAGES[i % len(LANGUAGES)].code,
                        "hub_id": hub.id,
                        "consent_decision": "declined",
                    }
                    for i in ids
                ],
            )
        residents = select(Resident.id, literal(Topic.EVENTS.value)).where(
            Resident.hub_id == hub.id
        )
        await session.execute(insert(Subscription).from_select(["resident_id", "topic"], residents))
        await session.commit()
        return hub.id


async def _confirm(
    sessionmaker: async_sessionmaker[AsyncSession], hub_id: int
) -> tuple[int, int, float]:
    """Compose and confirm one broadcast; return its id, recipients and seconds to queue."""
    async with sessionmaker() as session:
        broadcast = Broadcast(
            staff_user_id=FIRST_USER_ID - 1,
            staff_chat_id=FIRST_USER_ID - 1,
            source_language="de",
            text="Bench: Sommerfest am Samstag ab 15 Uhr im Hof.",
            hub_id=hub_id,
            topics=[Topic.EVENTS.value],
            languages=[],
            # Urgent: a bench run at night must not wait for the morning.
            urgent=True,
            texts=[
                BroadcastText(
                    language=language.code, text=f"Bench ({language.code})", reviewed=True
                )
                for language in LANGUAGES
            ],
        )
        session.add(broadcast)
        await session.flush()
        started = time.perf_counter()
        count = await compose.confirm(session, broadcast)
        await session.commit()
        return broadcast.id, count or 0, time.perf_counter() - started


async def _database(database_url: str | None, tmp: str) -> str:
    url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await asyncio.to_thread(migrate.upgrade, url)
    return url


async def bench_queue(
    settings: Settings, *, users: int, database_url: str | None
) -> dict[str, Any]:
    """Measure how long confirming a broadcast to N recipients takes (the outbox INSERT)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = await _database(database_url, tmp)
        engine = create_engine(url)
        try:
            sessionmaker = create_sessionmaker(engine)
            hub_id = await _populate(sessionmaker, users)
            _, count, seconds = await _confirm(sessionmaker, hub_id)
        finally:
            await engine.dispose()
    return {
        "recipients": users,
        "queued": count,
        "seconds": round(seconds, 3),
        "database": engine.dialect.name,
    }


async def _start_worker(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "worker", env=env, start_new_session=True
    )


async def _stats(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/sandbox/api/stats")
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


async def _sandbox(rate: float, port: int) -> asyncio.subprocess.Process:
    """Start `hubbot sandbox` limited to `rate` messages/s, in its own process."""
    env = dict(
        os.environ,
        SANDBOX_PORT=str(port),
        SANDBOX_GLOBAL_BURST=str(min(30, max(1, int(rate)))),
        LOG_LEVEL="WARNING",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "sandbox", "--global-rate", str(rate), env=env
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(200):
            try:
                await client.get("/sandbox/api/session")
                return process
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the sandbox did not start")


async def _sent_between(
    sessionmaker: async_sessionmaker[AsyncSession], broadcast_id: int
) -> tuple[float, float]:
    """Return when the first and the last message of a broadcast was marked sent."""
    async with sessionmaker() as session:
        first, last = (
            await session.execute(
                select(func.min(OutboxMessage.sent_at), func.max(OutboxMessage.sent_at)).where(
                    OutboxMessage.broadcast_id == broadcast_id
                )
            )
        ).one()
    if first is None or last is None:
        return 0.0, 0.0
    return float(first.timestamp()), float(last.timestamp())


async def bench(
    settings: Settings, *, users: int, rate: float, kill: bool, database_url: str | None
) -> dict[str, Any]:
    """Run the broadcast and return the numbers the issue asks for."""
    port = free_port()
    sandbox = await _sandbox(rate, port)
    with tempfile.TemporaryDirectory() as tmp:
        url = await _database(database_url, tmp)
        engine = create_engine(url)
        sessionmaker = create_sessionmaker(engine)
        env = dict(
            os.environ,
            DATABASE_URL=url,
            SANDBOX_PORT=str(port),
            BROADCAST_RATE_PER_S=str(rate),
            ALLOW_PAID_BROADCAST="1" if rate > 30 else "0",
            BROADCAST_LEASE_S=str(LEASE_S),
            WORKER_POLL_S="0.2",
            LOG_LEVEL="WARNING",
        )
        env.pop("TELEGRAM_BOT_TOKEN", None)
        worker: asyncio.subprocess.Process | None = None
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                ids = [FIRST_USER_ID + i for i in range(users)] + [FIRST_USER_ID - 1]
                for start in range(0, len(ids), CHUNK):
                    chunk = ids[start : start + CHUNK]
                    await client.post("/sandbox/api/users", json={"user_ids": chunk})
                hub_id = await _populate(sessionmaker, users)
                broadcast_id, count, queue_seconds = await _confirm(sessionmaker, hub_id)
                worker = await _start_worker(env)
                killed_at = None if kill else 0.0
                deadline = time.perf_counter() + max(120.0, 4 * users / rate)
                while time.perf_counter() < deadline:
                    # The database, not the sandbox, is polled: the sandbox measures undisturbed.
                    await asyncio.sleep(POLL_S)
                    async with sessionmaker() as session:
                        progress = (await outbox.progress(session, [broadcast_id]))[broadcast_id]
                    if killed_at is None and progress.sent >= users // 2:
                        worker.send_signal(signal.SIGKILL)
                        await worker.wait()
                        killed_at = time.time()
                        worker = await _start_worker(env)
                    if killed_at is not None and progress.pending == 0 and progress.held == 0:
                        break
                stats = await _stats(client)
            first, last = await _sent_between(sessionmaker, broadcast_id)
        finally:
            if worker is not None and worker.returncode is None:
                worker.send_signal(signal.SIGTERM)
                await worker.wait()
            await engine.dispose()
            sandbox.send_signal(signal.SIGTERM)
            await sandbox.wait()
    per_chat = stats["delivered_per_chat"]
    received = [int(per_chat.get(str(FIRST_USER_ID + i), 0)) for i in range(users)]
    delivered = sum(1 for n in received if n > 0)
    seconds = last - first
    return {
        "recipients": count,
        "delivered": delivered,
        "lost": sum(1 for n in received if n == 0),
        "duplicates": sum(n - 1 for n in received if n > 1),
        # From the first message sent to the last, the worker's restart included.
        "seconds": round(seconds, 2),
        "limit_per_s": rate,
        "throughput_ratio": round(delivered / seconds / rate, 3) if seconds else 0.0,
        "queue_seconds": round(queue_seconds, 3),
        "rejected_429": stats["rejected_429"],
        "worker_killed": kill,
        "failed": progress.failed,
    }
