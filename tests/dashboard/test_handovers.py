"""The handover inbox without Telegram: lists, threads, refusals, failures, retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.services.personal_data import erase_resident
from dashboard.retention import run_retention
from db.base import utcnow
from db.models import (
    AuditEntry,
    Handover,
    HandoverMessage,
    HandoverStatus,
    MessageLog,
    Resident,
    StaffRole,
)
from tests.dashboard.conftest import (
    PASSWORD,
    Conversations,
    SignedIn,
    add_stuttgart_account,
    anonymous_client,
    csrf_of,
    sign_in,
)


async def _thread(
    sessionmaker: async_sessionmaker[AsyncSession], handover_id: int
) -> list[HandoverMessage]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(HandoverMessage)
            .where(HandoverMessage.handover_id == handover_id)
            .order_by(HandoverMessage.id)
        )
        return list(rows)


async def test_the_inbox_lists_open_requests_first_and_filters_by_status(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        # A newer request, already closed: it still comes after the open one.
        closed = Handover(
            resident_id=conversations.resident_id,
            language="de",
            status=HandoverStatus.CLOSED,
            outcome="referred",
            created_at=utcnow(),
            closed_at=utcnow(),
        )
        session.add(closed)
        await session.commit()
    client = await signed_in(StaffRole.STAFF)
    page = await client.get("/handovers")
    assert page.status_code == 200
    open_at = page.text.index(f'href="/handovers/{conversations.handover_id}"')
    closed_at = page.text.index(f'href="/handovers/{closed.id}"')
    assert open_at < closed_at
    assert "referred elsewhere" in page.text
    only_closed = await client.get("/handovers", params={"status": "closed"})
    assert f'href="/handovers/{closed.id}"' in only_closed.text
    assert f'href="/handovers/{conversations.handover_id}"' not in only_closed.text


async def test_a_thread_shows_original_and_translation_and_scripts_as_text(
    signed_in: SignedIn, conversations: Conversations
) -> None:
    client = await signed_in(StaffRole.STAFF)
    page = await client.get(f"/handovers/{conversations.handover_id}")
    assert page.status_code == 200
    assert "<script>alert('t')" not in page.text
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page.text
    assert 'lang="ar" dir="rtl"' in page.text, "the Arabic original reads right to left"
    assert 'lang="en" dir="ltr">I need help with a letter from the job centre' in page.text
    assert f'action="/handovers/{conversations.handover_id}/reply"' in page.text


async def test_a_reply_when_telegram_is_down_is_kept_as_not_delivered(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.STAFF)
    path = f"/handovers/{conversations.handover_id}"
    sent = await client.post(
        f"{path}/reply",
        data={"csrf": await csrf_of(client), "text": "Wir melden uns morgen.", "language": "de"},
    )
    assert sent.status_code == 303
    page = await client.get(sent.headers["location"])
    assert page.status_code == 200
    assert "Telegram cannot be reached" in page.text
    assert "not delivered" in page.text and "Wir melden uns morgen." in page.text
    thread = await _thread(sessionmaker, conversations.handover_id)
    assert [(m.direction, m.text, m.delivered) for m in thread[1:]] == [
        ("out", "Wir melden uns morgen.", False)
    ]
    async with sessionmaker() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.detail).where(AuditEntry.action == "handover.reply")
            )
        )
    assert actions == [{"message": thread[1].id, "language": "de", "delivery": "unreachable"}]


async def test_a_reply_without_the_csrf_token_is_refused_and_not_stored(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.STAFF)
    path = f"/handovers/{conversations.handover_id}"
    missing = await client.post(f"{path}/reply", data={"text": "Hallo", "language": "de"})
    closing = await client.post(f"{path}/close", data={"outcome": "resolved", "csrf": "forged"})
    assert missing.status_code == closing.status_code == 403
    assert len(await _thread(sessionmaker, conversations.handover_id)) == 1
    async with sessionmaker() as session:
        handover = await session.get(Handover, conversations.handover_id)
    assert handover is not None and handover.status == HandoverStatus.OPEN


async def test_signed_out_visitors_are_sent_to_sign_in(
    dashboard_app: Starlette, conversations: Conversations
) -> None:
    async with anonymous_client(dashboard_app) as client:
        for path in ("/handovers", f"/handovers/{conversations.handover_id}"):
            response = await client.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith("/login")
        posted = await client.post(
            f"/handovers/{conversations.handover_id}/reply", data={"text": "x"}
        )
        assert posted.status_code == 303


async def test_staff_of_another_hub_cannot_see_or_answer_the_request(
    dashboard_app: Starlette,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_stuttgart_account(
        sessionmaker, email="other@hub.example", role=StaffRole.STAFF, create_hub=True
    )
    async with anonymous_client(dashboard_app) as client:
        assert (await sign_in(client, "other@hub.example", PASSWORD)).status_code == 303
        listing = await client.get("/handovers")
        assert f"/handovers/{conversations.handover_id}" not in listing.text
        assert (await client.get(f"/handovers/{conversations.handover_id}")).status_code == 404
        refused = await client.post(
            f"/handovers/{conversations.handover_id}/reply",
            data={"csrf": await csrf_of(client), "text": "Hallo", "language": "de"},
        )
        assert refused.status_code == 404
    assert len(await _thread(sessionmaker, conversations.handover_id)) == 1


async def test_closing_needs_an_outcome_and_an_empty_reply_is_not_sent(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.STAFF)
    path = f"/handovers/{conversations.handover_id}"
    csrf = await csrf_of(client)
    empty = await client.post(f"{path}/reply", data={"csrf": csrf, "text": "  "})
    assert "Write a message first." in (await client.get(empty.headers["location"])).text
    unknown = await client.post(f"{path}/close", data={"csrf": csrf, "outcome": "<b>"})
    assert "Choose an outcome" in (await client.get(unknown.headers["location"])).text
    async with sessionmaker() as session:
        handover = await session.get(Handover, conversations.handover_id)
    assert handover is not None and handover.status == HandoverStatus.OPEN
    assert len(await _thread(sessionmaker, conversations.handover_id)) == 1


async def test_retention_blanks_old_thread_texts_and_delete_removes_the_thread(
    conversations: Conversations, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        old = HandoverMessage(
            handover_id=conversations.handover_id,
            direction="out",
            text="Alte Antwort",
            language="de",
            translation="رد قديم",
            translation_language="ar",
            created_at=utcnow() - timedelta(days=181),
        )
        session.add(old)
        await session.commit()
    assert await run_retention(sessionmaker, days=180) == 2, "one message, one thread text"
    thread = await _thread(sessionmaker, conversations.handover_id)
    assert [(m.text, m.translation) for m in thread if m.id == old.id] == [(None, None)]
    assert [m.text for m in thread if m.id != old.id][0] is not None, "recent texts stay"

    async with sessionmaker() as session:
        resident = await session.get(Resident, conversations.arabic_resident_id)
        assert resident is not None
        await erase_resident(session, resident=resident)
        await session.commit()
        left = await session.scalar(select(func.count()).select_from(HandoverMessage))
    assert left == 0


async def test_the_conversation_shows_a_staff_reply_beside_its_original(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        sent = MessageLog(
            resident_id=conversations.arabic_resident_id,
            direction="out",
            kind="staff",
            text="رسالة من فريق المركز: تعال غدا",
            language="ar",
        )
        session.add(sent)
        await session.flush()
        session.add(
            HandoverMessage(
                handover_id=conversations.handover_id,
                direction="out",
                text="Komm morgen vorbei.",
                language="de",
                translation="تعال غدا",
                translation_language="ar",
                message_id=sent.id,
            )
        )
        await session.commit()
    client = await signed_in(StaffRole.STAFF)
    page = await client.get(f"/conversations/{conversations.arabic_resident_id}")
    item = page.text[page.text.index(f'id="m{sent.id}"') :]
    item = item[: item.index("</li>")]
    assert 'lang="ar" dir="rtl">رسالة من فريق المركز: تعال غدا' in item
    assert 'lang="de" dir="ltr">Komm morgen vorbei.' in item and "original" in item
