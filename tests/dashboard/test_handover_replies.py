"""Replies and closing from the dashboard reach the resident through the sandbox, translated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.config import Settings
from bot.services.translation import build_translation_service
from dashboard.app import create_app
from db.models import (
    AuditEntry,
    Handover,
    HandoverMessage,
    HandoverStatus,
    MessageLog,
    Resident,
    StaffRole,
)
from tests.bot.harness import visible
from tests.conftest import ServeAsgi
from tests.dashboard.conftest import KEYS, Conversations, SignedIn, csrf_of
from tests.fakes import FakeLibreTranslate

ARABIC_USER = 515151  # the Arabic resident of the conversations fixture
STAFF_CHAT = 90_100
REPLY = "Bring bitte morgen den Bescheid vom Jobcenter mit."
SHIELDED = "Bring bitte morgen den [[0]] vom [[1]] mit."
IN_ARABIC = "أحضر غدًا [[0]] من [[1]] من فضلك."


@pytest.fixture
def fake_translator() -> FakeLibreTranslate:
    """Return the fake LibreTranslate server's script."""
    return FakeLibreTranslate(table={(SHIELDED, "ar"): IN_ARABIC})


@pytest.fixture
async def dashboard_settings(
    database_url: str,
    sandbox_server: str,
    serve_asgi: ServeAsgi,
    fake_translator: FakeLibreTranslate,
) -> Settings:
    """Point the dashboard at a sandbox and at the fake LibreTranslate."""
    return Settings(
        database_url=database_url,
        retention_interval_s=0,
        staff_language="en",
        sandbox_port=int(sandbox_server.rsplit(":", 1)[1]),
        staff_chat_id=STAFF_CHAT,
        translation_provider="libretranslate",
        translation_url=await serve_asgi(fake_translator.app()),
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def dashboard_app(
    dashboard_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Starlette]:
    """Yield the dashboard with the configured translation provider (the fake LibreTranslate)."""
    async with httpx.AsyncClient() as http:
        app = create_app(
            dashboard_settings,
            sessionmaker=sessionmaker,
            keys=KEYS,
            translation=build_translation_service(dashboard_settings, http),
        )
        yield app
        await app.state.dashboard.line.close()


@pytest.fixture
async def sandbox(sandbox_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """Yield the sandbox's human side, with the Arabic resident's chat open."""
    async with httpx.AsyncClient(base_url=sandbox_server, timeout=10) as client:
        opened = await client.post(
            "/sandbox/api/users",
            json={"user_ids": [ARABIC_USER, STAFF_CHAT], "language_code": "ar"},
        )
        opened.raise_for_status()
        yield client


async def _chat(sandbox: httpx.AsyncClient, user_id: int = ARABIC_USER) -> list[dict[str, Any]]:
    response = await sandbox.get("/sandbox/api/messages", params={"user_id": user_id})
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()
    return messages


async def test_a_reply_reaches_the_resident_in_arabic_with_the_label(
    signed_in: SignedIn,
    conversations: Conversations,
    sandbox: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.STAFF)
    path = f"/handovers/{conversations.handover_id}"
    sent = await client.post(
        f"{path}/reply", data={"csrf": await csrf_of(client), "text": REPLY, "language": "de"}
    )
    assert sent.status_code == 303
    assert "Sent to the resident." in (await client.get(sent.headers["location"])).text

    received = visible((await _chat(sandbox))[-1]["text"])
    assert received.startswith("رسالة من فريق المركز:")
    assert "أحضر غدًا Bescheid من Jobcenter من فضلك." in received
    assert "تُرجمت آليًا. النص الأصلي:" in received and received.rstrip().endswith(REPLY)
    assert "ℹ️ Jobcenter: " in received, "office words are explained"
    echoed = (await _chat(sandbox, STAFF_CHAT))[-1]["text"]
    assert (
        echoed == f"#{conversations.handover_id} was answered in the dashboard by staff:\n{REPLY}"
    )

    page = await client.get(path)
    assert 'lang="ar" dir="rtl">أحضر غدًا Bescheid من Jobcenter من فضلك.' in page.text
    assert f'lang="de" dir="ltr">{REPLY}' in page.text
    async with sessionmaker() as session:
        entry = await session.scalar(
            select(HandoverMessage).where(HandoverMessage.direction == "out")
        )
        logged = await session.scalar(select(MessageLog).where(MessageLog.kind == "staff"))
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "handover.reply")
        )
    assert entry is not None and entry.delivered and entry.translation_language == "ar"
    assert logged is not None and entry.message_id == logged.id
    assert audit is not None and audit.actor == "staff@hub.example"
    assert REPLY not in str(audit.detail), "the audit log names the action, not the words"


async def test_a_resident_who_blocked_hubbot_is_reported_and_the_reply_kept(
    signed_in: SignedIn,
    conversations: Conversations,
    sandbox: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    (await sandbox.post("/sandbox/api/block", json={"user_id": ARABIC_USER})).raise_for_status()
    client = await signed_in(StaffRole.STAFF)
    sent = await client.post(
        f"/handovers/{conversations.handover_id}/reply",
        data={"csrf": await csrf_of(client), "text": "Hallo", "language": "de"},
    )
    page = await client.get(sent.headers["location"])
    assert "the resident has blocked hubbot" in page.text and "not delivered" in page.text
    async with sessionmaker() as session:
        resident = await session.get(Resident, conversations.arabic_resident_id)
        entry = await session.scalar(
            select(HandoverMessage).where(HandoverMessage.direction == "out")
        )
    assert resident is not None and resident.blocked_at is not None
    assert entry is not None and entry.text == "Hallo" and not entry.delivered
    assert await _chat(sandbox, STAFF_CHAT) == [], "nothing reached the resident to report"


async def test_closing_with_an_outcome_tells_the_resident(
    signed_in: SignedIn,
    conversations: Conversations,
    sandbox: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.STAFF)
    path = f"/handovers/{conversations.handover_id}"
    closed = await client.post(
        f"{path}/close", data={"csrf": await csrf_of(client), "outcome": "referred"}
    )
    page = await client.get(closed.headers["location"])
    assert "The request is closed; the resident was told." in page.text
    assert 'action="/handovers/' not in page.text.split("<main>")[1], "no more forms"
    told = visible((await _chat(sandbox))[-1]["text"])
    assert told == "أغلق فريق المركز طلبك. يجيب hubbot عن أسئلتك من جديد.", "in Arabic"
    echoed = (await _chat(sandbox, STAFF_CHAT))[-1]["text"]
    assert echoed == f"#{conversations.handover_id} was closed in the dashboard by staff."
    async with sessionmaker() as session:
        handover = await session.get(Handover, conversations.handover_id)
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "handover.close")
        )
    assert handover is not None and handover.status == HandoverStatus.CLOSED
    assert handover.outcome == "referred" and handover.closed_at is not None
    assert audit is not None and audit.detail["outcome"] == "referred"
    again = await client.post(
        f"{path}/reply", data={"csrf": await csrf_of(client), "text": "Noch was", "language": "de"}
    )
    assert "already closed" in (await client.get(again.headers["location"])).text
