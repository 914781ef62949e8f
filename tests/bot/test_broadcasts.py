"""Staff compose a broadcast in the chat: text, target, translations, corrections, confirm."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.application import HubbotApplication
from bot.services.translation import TranslationProvider
from db.models import (
    Broadcast,
    BroadcastStatus,
    EventRsvp,
    Hub,
    OutboxMessage,
    Resident,
    RsvpStatus,
    Staff,
)
from tests.bot.broadcasting.support import add_residents, person
from tests.bot.conftest import make_deps
from tests.bot.harness import SandboxResident, button_data, polling, visible
from tests.bot.test_events import add_event


class BracketProvider:
    """A machine translation that marks its output: "[ar] text"."""

    name = "bracket"

    async def translate(self, text: str, *, source: str, target: str) -> str:
        """Return the text with the target language in front."""
        return f"[{target}] {text}"


@pytest.fixture
def translation_provider() -> TranslationProvider:
    """Translate with the bracket provider."""
    return BracketProvider()


async def _make_staff(
    sessionmaker: async_sessionmaker[AsyncSession], staff: SandboxResident
) -> None:
    async with sessionmaker() as session:
        hub = await session.scalar(select(Hub).where(Hub.slug == "berlin"))
        assert hub is not None
        session.add(Staff(name="Lena", telegram_user_id=staff.user_id, hub_id=hub.id))
        await session.commit()


async def _broadcast(sessionmaker: async_sessionmaker[AsyncSession]) -> Broadcast:
    async with sessionmaker() as session:
        broadcast = await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()))
        assert broadcast is not None
        return broadcast


async def _outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessionmaker() as session:
        return list((await session.scalars(select(OutboxMessage))).all())


async def test_staff_compose_review_correct_and_confirm_a_broadcast(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    staff = resident("de")
    await _make_staff(sessionmaker, staff)
    readers = [person("de", topics=["events"]), person("ar", topics=["events"]), person("uk")]
    await add_residents(sessionmaker, sandbox_client, [*readers, person("de", hub="stuttgart")])

    await staff.send("/broadcast")
    assert "Nachricht" in (await staff.reply())["text"]
    await staff.send("Sommerfest am Samstag ab 15 Uhr")
    target = await staff.reply()
    draft = await _broadcast(sessionmaker)
    # Every step is stored: a restart here would resume from the database.
    assert (draft.status, draft.step, draft.text) == (
        "draft",
        "target",
        target["text"].split("\n")[1],
    )
    assert "Empfänger jetzt: 3" in target["text"]  # no topic: everyone at the hub
    number = draft.id

    await staff.press(f"bc:{number}:topic:events")
    await staff.settled()
    assert "Empfänger jetzt: 2" in (await staff.messages())[-1]["text"]

    await staff.press(f"bc:{number}:next")
    previews = await staff.replies()
    texts = [visible(message["text"]) for message in previews]
    assert any("[ar] Sommerfest am Samstag ab 15 Uhr" in text for text in texts)
    assert "Empfänger: 2" in texts[-1]
    assert f"bc:{number}:send" in button_data(previews[-1])

    await staff.press(f"bc:{number}:fix:ar")
    await staff.reply()
    await staff.send("حفلة صيفية يوم السبت من الساعة 15")
    corrected = await staff.replies()
    assert any("حفلة صيفية" in visible(message["text"]) for message in corrected)

    await staff.press(f"bc:{number}:send")
    confirmed = await staff.reply()
    assert f"#{number}" in confirmed["text"] and "2" in confirmed["text"]
    rows = await _outbox(sessionmaker)
    assert sorted(row.language for row in rows) == ["ar", "de"]
    assert {row.status for row in rows} == {"pending"}
    stored = await _broadcast(sessionmaker)
    assert stored.status == BroadcastStatus.READY
    arabic = stored.text_in("ar")
    assert arabic is not None and arabic.reviewed and not arabic.machine

    await staff.send("/broadcasts")
    listing = await staff.replies()
    assert f"#{number}" in listing[0]["text"]
    await staff.press(f"bc:{number}:cancel")
    await staff.reply()
    assert {row.status for row in await _outbox(sessionmaker)} == {"cancelled"}
    assert (await _broadcast(sessionmaker)).status == BroadcastStatus.CANCELLED


async def test_a_critical_broadcast_names_the_languages_that_wait_for_review(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    staff = resident("en")
    await _make_staff(sessionmaker, staff)
    await add_residents(sessionmaker, sandbox_client, [person("de"), person("fa"), person("uk")])
    await staff.send("/broadcast Der Hub ist heute wegen Wasserschaden geschlossen")
    await staff.reply()
    number = (await _broadcast(sessionmaker)).id
    await staff.press(f"bc:{number}:crit")
    await staff.settled()
    await staff.press(f"bc:{number}:time")
    await staff.reply()
    await staff.send("25:99")
    assert "nicht lesen" in (await staff.reply())["text"]
    await staff.send("09:30")
    assert "09:30" in (await staff.reply())["text"]
    await staff.press(f"bc:{number}:next")
    previews = await staff.replies()
    # Machine translations wait for a person's review; the staff member's German does not.
    assert "فارسی" in previews[-1]["text"] and "Українська" in previews[-1]["text"]
    await staff.press(f"bc:{number}:ok:fa")
    await staff.settled()
    await staff.press(f"bc:{number}:send")
    await staff.reply()
    rows = await _outbox(sessionmaker)
    assert {row.language: row.status for row in rows} == {
        "de": "pending",
        "fa": "pending",
        "uk": "held",
    }
    # Scheduled for the next 09:30 in Berlin: nothing is due before then.
    send_after = (await _broadcast(sessionmaker)).send_after
    assert send_after is not None and {row.not_before for row in rows} == {send_after}


async def test_residents_cannot_broadcast(resident: Callable[..., SandboxResident]) -> None:
    someone = resident("en")
    await someone.send("/broadcast Hello everyone")
    assert "Only hub staff" in (await someone.reply())["text"]


@asynccontextmanager
async def _hubbot(
    database_url: str, sandbox_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[HubbotApplication]:
    """Run one hubbot process's worth of application until the block ends."""
    async with httpx.AsyncClient() as http:
        deps = make_deps(
            database_url,
            sandbox_url,
            sessionmaker,
            http=http,
            translation_provider=BracketProvider(),
        )
        async with polling(deps) as app:
            yield app


@pytest.mark.usefixtures("demo_hubs")
async def test_a_draft_survives_a_restart_of_the_bot(
    database_url: str,
    sandbox_server: str,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_residents(sessionmaker, sandbox_client, [person("ru", topics=["jobs"])])
    async with _hubbot(database_url, sandbox_server, sessionmaker) as first:
        staff = SandboxResident(sandbox_client, first, 88_001, "de")
        await _make_staff(sessionmaker, staff)
        await staff.send("/broadcast Neue Stellen im Jobcafé")
        await staff.reply()
    number = (await _broadcast(sessionmaker)).id
    async with _hubbot(database_url, sandbox_server, sessionmaker) as second:
        staff.application = second
        await staff.press(f"bc:{number}:topic:jobs")
        await staff.settled()
        await staff.press(f"bc:{number}:next")
        previews = await staff.replies()
        assert any("[ru] Neue Stellen im Jobcafé" in m["text"] for m in previews)
        await staff.press(f"bc:{number}:send")
        await staff.reply()
    assert [row.language for row in await _outbox(sessionmaker)] == ["ru"]


async def test_a_broadcast_can_reach_exactly_the_guests_of_an_event(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    staff = resident("de")
    await _make_staff(sessionmaker, staff)
    guest, other = person("ar"), person("de", topics=["events"])
    await add_residents(sessionmaker, sandbox_client, [guest, other])
    event_id = await add_event(sessionmaker, slug="guests-only")
    async with sessionmaker() as session:
        guest_id = await session.scalar(
            select(Resident.id).where(Resident.telegram_user_id == guest.user_id)
        )
        session.add(EventRsvp(event_id=event_id, resident_id=guest_id, status=RsvpStatus.GOING))
        await session.commit()

    await staff.send("/broadcast")
    await staff.reply()
    await staff.send("Der Raum ist heute im 2. Stock")
    target = await staff.reply()
    number = (await _broadcast(sessionmaker)).id
    assert f"bc:{number}:event:{event_id}" in button_data(target)
    await staff.press(f"bc:{number}:event:{event_id}")
    await staff.settled()
    assert "Empfänger jetzt: 1" in (await staff.messages())[-1]["text"]
    await staff.press(f"bc:{number}:next")
    await staff.replies()
    await staff.press(f"bc:{number}:send")
    await staff.reply()
    rows = await _outbox(sessionmaker)
    assert [row.resident_id for row in rows] == [guest_id]
