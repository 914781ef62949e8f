"""Retention deletes old message texts and keeps everything the statistics need."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from dashboard import create_app
from dashboard.retention import run_retention
from db.models import AuditEntry, MessageLog, StaffRole
from tests.conftest import ServeAsgi
from tests.dashboard.conftest import KEYS, Conversations, SignedIn, csrf_of


async def test_texts_older_than_the_period_are_deleted_metadata_stays(
    sessionmaker: async_sessionmaker[AsyncSession], conversations: Conversations
) -> None:
    assert await run_retention(sessionmaker, days=180) == 1
    async with sessionmaker() as session:
        old = await session.get(MessageLog, conversations.old_message_id)
        recent = await session.get(MessageLog, conversations.unanswered_message_id)
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "retention.run"))
    assert old is not None and recent is not None
    assert old.text is None
    assert (old.language, old.intent, old.outcome, old.confidence) == (
        "ar",
        "housing",
        "answered",
        0.8,
    )
    assert recent.text is not None
    assert entry is not None and entry.detail == {"days": 180, "texts_deleted": 1}
    assert await run_retention(sessionmaker, days=180) == 0


async def test_an_admin_runs_retention_from_the_dashboard(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin = await signed_in(StaffRole.ADMIN)
    response = await admin.post("/retention/run", data={"csrf": await csrf_of(admin)})
    assert response.status_code == 303
    page = await admin.get("/retention")
    assert "admin@hub.example" in page.text and "180" in page.text
    async with sessionmaker() as session:
        old = await session.get(MessageLog, conversations.old_message_id)
    assert old is not None and old.text is None


async def test_the_dashboard_runs_retention_on_a_timer(
    sessionmaker: async_sessionmaker[AsyncSession],
    conversations: Conversations,
    dashboard_settings: Settings,
    serve_asgi: ServeAsgi,
) -> None:
    # serve_asgi comes last, so the server stops before the database fixture closes.
    settings = dashboard_settings.model_copy(update={"retention_interval_s": 0.05})
    await serve_asgi(create_app(settings, sessionmaker=sessionmaker, keys=KEYS))
    for _ in range(100):
        async with sessionmaker() as session:
            old = await session.get(MessageLog, conversations.old_message_id)
        assert old is not None
        if old.text is None:
            break
        await asyncio.sleep(0.05)
    assert old.text is None
