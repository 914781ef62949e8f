"""Talk to a person: the request reaches the staff chat, replies reach the resident."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.services.personal_data import export_resident
from db.models import Handover, HandoverMessage, Resident, Staff, StaffAccount, StaffRole
from tests.bot.harness import SandboxResident, button_data, visible
from tests.bot.test_first_conversation import onboard
from tests.bot.test_personal_data import rows_mentioning

STAFF_USER = 90_001


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Give hubbot a staff chat: a staff member's private chat in the sandbox."""
    return {"staff_chat_id": STAFF_USER, "staff_language": "de"}


async def test_a_request_reaches_staff_and_their_reply_reaches_the_resident(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    staff = staff_member
    person = resident("ar")
    await onboard(person, "ar")
    await person.send("ابحث عن شقة في برلين")
    await person.reply()
    await person.press("menu:person")
    passed_on = await person.reply()
    assert button_data(passed_on) == ["handover:end"]

    notice = (await staff.replies())[-1]
    assert notice["text"].startswith("Neue Anfrage") or "#" in notice["text"]
    assert "ابحث عن شقة في برلين" in notice["text"], "the conversation comes along"

    await person.send("عندي موعد غدا")
    assert "✓" in (await person.reply())["text"], "hubbot does not answer by itself"
    forwarded = (await staff.replies())[-1]
    assert "عندي موعد غدا" in forwarded["text"]

    await staff.send("Komm morgen um 10 Uhr vorbei.", reply_to=notice["message_id"])
    await staff.settled()
    relayed = await person.reply()
    assert "Komm morgen um 10 Uhr vorbei." in visible(relayed["text"])

    await staff.send("/close", reply_to=notice["message_id"])
    await staff.settled()
    closed = await person.reply()
    assert closed["text"]
    await person.send("ابحث عن شقة في برلين")
    answer = await person.reply()
    assert "✓" not in answer["text"], "hubbot answers again"

    await person.send("/delete")
    await person.reply()
    await person.press("delete:yes")
    await person.settled()
    leftovers = await rows_mentioning(sessionmaker, [person.user_id, "عندي موعد غدا"])
    assert leftovers == [], "the request and its messages are erased with the resident"


async def test_asking_for_a_person_in_words_tells_when_someone_will_reply(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.send("I want to talk to a person")
    reply = await person.reply()
    assert "Mon–Fri 10:00–18:00, Thu until 20:00" in reply["text"], "the Berlin hub's hours"
    assert button_data(reply) == ["handover:end"]
    assert "I want to talk to a person" in (await staff_member.replies())[-1]["text"]
    async with sessionmaker() as session:
        opened = await session.scalar(select(Handover).where(Handover.status == "open"))
    assert opened is not None


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_a_staff_chat_the_hub_contact_is_offered(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.press("menu:person")
    reply = await person.reply()
    assert "+49 30 1234567" in reply["text"]


async def _thread_of(
    sessionmaker: async_sessionmaker[AsyncSession], person: SandboxResident
) -> tuple[Handover, list[HandoverMessage]]:
    async with sessionmaker() as session:
        handover = await session.scalar(
            select(Handover)
            .join(Resident, Resident.id == Handover.resident_id)
            .where(Resident.telegram_user_id == person.user_id)
        )
        assert handover is not None
        thread = await session.scalars(
            select(HandoverMessage)
            .where(HandoverMessage.handover_id == handover.id)
            .order_by(HandoverMessage.id)
        )
        return handover, list(thread)


async def test_the_thread_keeps_both_sides_even_without_consent_and_close_names_the_outcome(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    staff = staff_member
    person = resident("ar")
    await onboard(person, "ar", accept=False)
    await person.press("menu:person")
    await person.reply()
    notice = (await staff.replies())[-1]

    await person.send("عندي موعد غدا")
    await person.reply()
    await staff.send("Komm morgen um 10 Uhr vorbei.", reply_to=notice["message_id"])
    await staff.settled()
    await person.reply()
    handover, thread = await _thread_of(sessionmaker, person)
    assert [(m.direction, m.text, m.language, m.delivered) for m in thread] == [
        ("in", "عندي موعد غدا", "ar", True),
        ("out", "Komm morgen um 10 Uhr vorbei.", "de", True),
    ], "the resident asked for a person: the thread is kept although texts are not"
    assert thread[1].staff_telegram_user_id == STAFF_USER
    assert handover.status == "open"

    await staff.send("/close referred", reply_to=notice["message_id"])
    await staff.settled()
    assert (await person.reply())["text"]
    handover, _thread = await _thread_of(sessionmaker, person)
    assert (handover.status, handover.outcome) == ("closed", "referred")
    async with sessionmaker() as session:
        stored = await session.scalar(
            select(Resident)
            .options(selectinload(Resident.hub))
            .where(Resident.telegram_user_id == person.user_id)
        )
        assert stored is not None
        export = json.loads(await export_resident(session, resident=stored))
    request = export["requests_to_talk_to_a_person"][0]
    assert request["outcome"] == "referred"
    assert [m["text"] for m in request["thread"]] == [
        "عندي موعد غدا",
        "Komm morgen um 10 Uhr vorbei.",
    ]


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_a_staff_chat_a_dashboard_account_takes_the_request_in_the_inbox(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        member = Staff(name="Amal", email="amal@hub.example", role=StaffRole.STAFF)
        session.add(StaffAccount(staff=member, password_hash="x"))
        await session.commit()
    person = resident("ar")
    await onboard(person, "ar")
    await person.press("menu:person")
    passed_on = await person.reply()
    assert button_data(passed_on) == ["handover:end"], "taken, not a phone number"

    await person.send("عندي موعد غدا")
    assert "✓" in (await person.reply())["text"]
    handover, thread = await _thread_of(sessionmaker, person)
    assert handover.status == "open"
    assert [(m.direction, m.text) for m in thread] == [("in", "عندي موعد غدا")]
