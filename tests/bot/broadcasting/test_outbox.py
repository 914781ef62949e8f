"""Leases are disjoint and bounded; an expired lease frees its rows for another worker."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcasting import outbox
from tests.bot.broadcasting.support import add_residents, confirmed_broadcast, person

pytestmark = pytest.mark.usefixtures("demo_hubs")


async def test_leases_take_at_most_the_limit_and_never_the_same_row(
    sandbox_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_residents(sessionmaker, sandbox_client, [person("de") for _ in range(30)])
    await confirmed_broadcast(sessionmaker, urgent=True)
    async with sessionmaker() as one, sessionmaker() as two:
        first = await outbox.lease(one, worker="one", limit=10, lease_s=30)
        second = await outbox.lease(two, worker="two", limit=10, lease_s=30)
        third = await outbox.lease(two, worker="two", limit=50, lease_s=30)
    assert (len(first), len(second), len(third)) == (10, 10, 10)
    ids = [row.id for row in first + second + third]
    assert len(set(ids)) == 30


async def test_rows_of_a_dead_worker_come_back_when_the_lease_expires(
    sandbox_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_residents(sessionmaker, sandbox_client, [person("de") for _ in range(3)])
    await confirmed_broadcast(sessionmaker, urgent=True)
    async with sessionmaker() as session:
        dead = await outbox.lease(session, worker="dead", limit=10, lease_s=-1)
        again = await outbox.lease(session, worker="alive", limit=10, lease_s=30)
    assert [row.id for row in again] == [row.id for row in dead]


def test_a_time_is_read_in_the_hubs_time_zone() -> None:
    from datetime import UTC, datetime

    from bot.broadcasting.compose import parse_time

    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 11:00 in Berlin
    later = parse_time("14:30", timezone="Europe/Berlin", now=now)
    assert later is not None and later.astimezone(UTC) == datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    tomorrow = parse_time("09:00", timezone="Europe/Berlin", now=now)
    assert tomorrow is not None and tomorrow.day == 2
    exact = parse_time("2026-12-24 09:30", timezone="Europe/Berlin", now=now)
    assert exact is not None and exact.astimezone(UTC).hour == 8
    assert parse_time("soon", timezone="Europe/Berlin", now=now) is None


async def test_a_broadcast_without_recipients_is_done_at_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from db.models import Broadcast

    number = await confirmed_broadcast(sessionmaker, topics=["jobs"])
    async with sessionmaker() as session:
        broadcast = await session.get(Broadcast, number)
        assert broadcast is not None and broadcast.status == "done"
