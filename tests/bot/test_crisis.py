"""A crisis message gets the emergency numbers first, in its language, and alerts staff."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.bot.conftest import SAFETY
from tests.bot.harness import SandboxResident, button_data, visible
from tests.bot.test_safety_patterns import CRISES

STAFF_USER = 90_002
LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr")


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Give hubbot a staff chat to alert."""
    return {"staff_chat_id": STAFF_USER}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_crisis_is_answered_with_emergency_numbers_before_anything_else(
    language: str,
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
) -> None:
    staff = staff_member
    person = resident(language)
    message = CRISES[(language, "suicidal")][0]
    await person.send(message)  # the very first message, before choosing anything
    reply = await person.reply()
    first_line = visible(reply["text"]).splitlines()[0]
    assert "112" in first_line
    assert first_line == SAFETY.reply(language).splitlines()[0], "in the message's language"
    assert "0800 1110111" in visible(reply["text"])
    assert "menu:person" in button_data(reply)

    alert = (await staff.replies())[-1]
    assert message in alert["text"] and alert["text"].startswith("⚠️")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_ordinary_question_raises_no_alarm(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("de")
    await person.send("Wo finde ich einen Kinderarzt in Neukölln?")
    reply = await person.reply()
    assert "112" not in reply["text"]
