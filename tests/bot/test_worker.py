"""The sender worker delivers each recipient's copy once, under the limits, whatever happens."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcasting import compose
from bot.sandbox import SandboxConfig
from db.models import Broadcast, OutboxMessage, Resident
from tests.bot.broadcasting.support import (
    STAFF_USER_ID,
    add_residents,
    confirmed_broadcast,
    delivered_per_chat,
    person,
    progress,
    received,
    running_worker,
    until_settled,
    worker_settings,
)
from tests.bot.harness import visible

pytestmark = pytest.mark.usefixtures("demo_hubs")


async def test_a_segment_gets_the_broadcast_and_nobody_else(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    events_de = person("de", topics=["events"])
    events_ar = person("ar", topics=["events", "jobs"])
    jobs_only = person("de", topics=["jobs"])
    no_topics = person("uk")
    other_hub = person("de", hub="stuttgart", topics=["events"])
    await add_residents(
        sessionmaker, sandbox_client, [events_de, events_ar, jobs_only, no_topics, other_hub]
    )
    topical = await confirmed_broadcast(sessionmaker, topics=["events"])
    notice = await confirmed_broadcast(
        sessionmaker, hub="stuttgart", texts={"de": "Heute geschlossen"}, urgent=True
    )
    settings = worker_settings(database_url, sandbox_server)
    async with running_worker(settings, sessionmaker):
        assert (await until_settled(sessionmaker, topical)).sent == 2
        assert (await until_settled(sessionmaker, notice)).sent == 1

    [german] = await received(sandbox_client, events_de.user_id)
    assert german.startswith("📢 Sommerfest am Samstag")
    assert "/unsubscribe" in german
    [arabic] = await received(sandbox_client, events_ar.user_id)
    assert "حفلة صيفية يوم السبت" in visible(arabic)
    assert await received(sandbox_client, jobs_only.user_id) == []
    assert await received(sandbox_client, no_topics.user_id) == []
    # The service notice reaches everyone at its hub, subscribed or not, and only there.
    [closed] = await received(sandbox_client, other_hub.user_id)
    assert "Heute geschlossen" in closed and "/unsubscribe" not in closed
    # The staff member who sent them hears that both are finished.
    reports = await received(sandbox_client, STAFF_USER_ID)
    assert len(reports) == 2 and all(f"#{topical}" in r or f"#{notice}" in r for r in reports)


# A sandbox far stricter than Telegram: five messages a second, no burst.
STRICT = SandboxConfig(global_rate_per_s=5.0, global_burst=1, webhook_retry_s=0.05)


@pytest.mark.parametrize("sandbox_config", [STRICT])
async def test_a_429_storm_is_waited_out_without_failures_or_repeats(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    people = [person("de", topics=["events"]) for _ in range(12)]
    await add_residents(sessionmaker, sandbox_client, people)
    broadcast = await confirmed_broadcast(sessionmaker, topics=["events"])
    # The worker believes it may send 30 a second; the sandbox refuses most of them.
    settings = worker_settings(database_url, sandbox_server, broadcast_max_attempts=2)
    async with running_worker(settings, sessionmaker):
        result = await until_settled(sessionmaker, broadcast, timeout_s=60)

    assert (result.sent, result.failed) == (12, 0)
    stats = (await sandbox_client.get("/sandbox/api/stats")).json()
    assert stats["rejected_429"] > 0
    counts = await delivered_per_chat(sandbox_client)
    assert [counts.get(p.user_id, 0) for p in people] == [1] * 12


async def test_a_resident_who_blocked_hubbot_is_marked_and_skipped(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reachable, blocking = person("de"), person("de")
    await add_residents(sessionmaker, sandbox_client, [reachable, blocking])
    await sandbox_client.post("/sandbox/api/block", json={"user_id": blocking.user_id})
    first = await confirmed_broadcast(sessionmaker, urgent=True)
    settings = worker_settings(database_url, sandbox_server)
    async with running_worker(settings, sessionmaker):
        result = await until_settled(sessionmaker, first)
    assert (result.sent, result.blocked, result.failed) == (1, 1, 0)
    async with sessionmaker() as session:
        resident = await session.scalar(
            select(Resident).where(Resident.telegram_user_id == blocking.user_id)
        )
        assert resident is not None and resident.blocked_at is not None
    # The next broadcast does not even queue them.
    second = await confirmed_broadcast(sessionmaker, urgent=True)
    assert (await progress(sessionmaker, second)).total == 1


async def test_a_critical_broadcast_waits_for_the_reviewed_translation(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    german, arab, ukrainian = person("de"), person("ar"), person("uk")
    await add_residents(sessionmaker, sandbox_client, [german, arab, ukrainian])
    broadcast = await confirmed_broadcast(sessionmaker, machine=["ar"], critical=True, urgent=True)
    settings = worker_settings(database_url, sandbox_server)
    async with running_worker(settings, sessionmaker):
        before = await until_settled(sessionmaker, broadcast)
        # German was written by staff; Arabic is machine-made and Ukrainian has no text.
        assert (before.sent, before.held) == (1, 2)
        assert await received(sandbox_client, arab.user_id) == []
        async with sessionmaker() as session:
            loaded = await session.get(Broadcast, broadcast)
            assert loaded is not None
            await compose.mark_reviewed(session, loaded, "ar")
            await compose.correct(session, loaded, "uk", "Літнє свято в суботу")
            await session.commit()
        after = await until_settled(sessionmaker, broadcast)
    assert (after.sent, after.held) == (3, 0)
    [arabic] = await received(sandbox_client, arab.user_id)
    assert "حفلة صيفية" in visible(arabic)
    assert "Літнє свято в суботу" in (await received(sandbox_client, ukrainian.user_id))[0]


async def test_quiet_hours_hold_ordinary_broadcasts_but_not_urgent_ones(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    someone = person("de")
    await add_residents(sessionmaker, sandbox_client, [someone])
    ordinary = await confirmed_broadcast(sessionmaker, texts={"de": "Morgen Kuchen"})
    urgent = await confirmed_broadcast(sessionmaker, texts={"de": "Heute zu"}, urgent=True)
    berlin_now = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))
    quiet = {
        "quiet_hours_start": (berlin_now - timedelta(hours=1)).time(),
        "quiet_hours_end": (berlin_now + timedelta(hours=1)).time(),
    }
    settings = worker_settings(database_url, sandbox_server, **quiet)
    async with running_worker(settings, sessionmaker):
        assert (await until_settled(sessionmaker, urgent)).sent == 1
        await asyncio.sleep(0.5)
        assert (await progress(sessionmaker, ordinary)).pending == 1
    assert [visible(t) for t in await received(sandbox_client, someone.user_id)] == ["📢 Heute zu"]


async def test_a_scheduled_broadcast_waits_for_its_time(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    someone = person("de")
    await add_residents(sessionmaker, sandbox_client, [someone])
    later = datetime.now(UTC) + timedelta(hours=2)
    scheduled = await confirmed_broadcast(
        sessionmaker, texts={"de": "Später"}, urgent=True, send_after=later
    )
    now = await confirmed_broadcast(sessionmaker, texts={"de": "Jetzt"}, urgent=True)
    async with running_worker(worker_settings(database_url, sandbox_server), sessionmaker):
        assert (await until_settled(sessionmaker, now)).sent == 1
        await asyncio.sleep(0.3)
        assert (await progress(sessionmaker, scheduled)).pending == 1
    assert [visible(t) for t in await received(sandbox_client, someone.user_id)] == ["📢 Jetzt"]


LIFTED = SandboxConfig(global_rate_per_s=10_000, global_burst=10_000, webhook_retry_s=0.05)


@pytest.mark.parametrize("sandbox_config", [LIFTED])
async def test_two_workers_at_once_never_send_twice(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    people = [person("de", topics=["jobs"]) for _ in range(150)]
    await add_residents(sessionmaker, sandbox_client, people)
    broadcast = await confirmed_broadcast(sessionmaker, topics=["jobs"], urgent=True)
    settings = worker_settings(
        database_url, sandbox_server, broadcast_rate_per_s=100.0, allow_paid_broadcast=True
    )
    async with (
        running_worker(settings, sessionmaker, name="one"),
        running_worker(settings, sessionmaker, name="two"),
    ):
        result = await until_settled(sessionmaker, broadcast)
    assert result.sent == 150
    counts = await delivered_per_chat(sandbox_client)
    assert sorted({counts.get(p.user_id, 0) for p in people}) == [1]
    async with sessionmaker() as session:
        workers = set((await session.scalars(select(OutboxMessage.leased_by))).all())
    assert workers == {"one", "two"}, "both workers should have taken a share"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("sandbox_config", [LIFTED])
async def test_a_worker_killed_mid_broadcast_loses_nobody_on_postgresql(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _kill_and_restart(database_url, sandbox_server, sandbox_client, sessionmaker)


async def _kill_and_restart(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    people = [person("fr", topics=["programmes"]) for _ in range(200)]
    await add_residents(sessionmaker, sandbox_client, people)
    broadcast = await confirmed_broadcast(
        sessionmaker, topics=["programmes"], texts={"de": "Neu", "fr": "Nouveau"}, urgent=True
    )
    rate = 80
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SANDBOX_PORT=sandbox_server.rsplit(":", 1)[1],
        BROADCAST_RATE_PER_S=str(rate),
        ALLOW_PAID_BROADCAST="1",
        BROADCAST_LEASE_S="2",
        WORKER_POLL_S="0.1",
        QUIET_HOURS_START="00:00",
        QUIET_HOURS_END="00:00",
        LOG_LEVEL="WARNING",
    )
    env.pop("TELEGRAM_BOT_TOKEN", None)
    command = [sys.executable, "-m", "bot.cli", "worker"]
    first = await asyncio.create_subprocess_exec(*command, env=env)
    try:
        while (await progress(sessionmaker, broadcast)).sent < 60:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        second = await asyncio.create_subprocess_exec(*command, env=env)
        try:
            result = await until_settled(sessionmaker, broadcast, timeout_s=60)
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
    assert result.sent == 200
    counts = await delivered_per_chat(sandbox_client)
    received_counts = [counts.get(p.user_id, 0) for p in people]
    assert min(received_counts) == 1, "nobody is lost"
    # At most the two batches in flight when the worker died are repeated (half a second).
    assert sum(n - 1 for n in received_counts) <= 2 * (rate // 4)


def test_quiet_hours_span_midnight() -> None:
    from bot.broadcasting.quiet import in_quiet_hours

    start, end = time(21, 0), time(8, 0)
    assert in_quiet_hours(time(22, 30), start=start, end=end)
    assert in_quiet_hours(time(7, 59), start=start, end=end)
    assert not in_quiet_hours(time(8, 0), start=start, end=end)
    assert not in_quiet_hours(time(12, 0), start=start, end=end)
    assert not in_quiet_hours(time(12, 0), start=time(0, 0), end=time(0, 0))
