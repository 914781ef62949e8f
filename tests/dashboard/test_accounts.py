"""Accounts: one staff row per member, shared with the bot's Telegram id."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dashboard.accounts import AccountError, add_account
from db.models import Staff, StaffRole


async def test_an_account_joins_the_member_the_bot_knows(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        known = Staff(name="Ana", telegram_user_id=5005)
        session.add(known)
        await session.commit()
        staff = await add_account(
            session,
            email="Ana@Hub.Example",
            role=StaffRole.COORDINATOR,
            password="a long enough password",
            telegram_user_id=5005,
        )
        await session.commit()
        assert staff.id == known.id
        assert (staff.email, staff.name, staff.role) == ("ana@hub.example", "Ana", "coordinator")
        assert await session.scalar(select(func.count()).select_from(Staff)) == 1


async def test_a_hub_must_exist(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        with pytest.raises(AccountError, match="No hub"):
            await add_account(
                session,
                email="x@hub.example",
                role=StaffRole.STAFF,
                password="a long enough password",
                hub_slug="atlantis",
            )
