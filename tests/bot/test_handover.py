"""Talk to a person: the request reaches the staff chat, replies reach the resident."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_a_staff_chat_the_hub_contact_is_offered(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.press("menu:person")
    reply = await person.reply()
    assert "+49 30 1234567" in reply["text"]
