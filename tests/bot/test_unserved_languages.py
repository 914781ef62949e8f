"""A message in a language hubbot does not serve: understood through translation, or named."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.translation import LibreTranslateProvider
from tests.bot.conftest import SAFETY
from tests.bot.harness import SandboxResident, visible
from tests.bot.test_first_conversation import onboard
from tests.bot.test_questions import expected_answer, logged_questions
from tests.fakes import FakeLibreTranslate

PASHTO_HOUSING = "زه د کور په لټه کې یم، مرسته غواړم"
PASHTO_CRISIS = "زه نور نه غواړم ژوندی پاتې شم، ځان وژنم"
STAFF_USER = 90_004
KURMANJI_HOUSING = "Silav, ez li xaniyekî digerim, alîkarî dixwazim"


@pytest.fixture
def fake_translator() -> FakeLibreTranslate:
    """Return the fake LibreTranslate server's script."""
    return FakeLibreTranslate(
        table={
            (PASHTO_HOUSING, "en"): "I am looking for a flat",
            (KURMANJI_HOUSING, "en"): "Hello, I am looking for a flat to rent",
            (PASHTO_CRISIS, "en"): "I do not want to stay alive anymore, I will kill myself",
        }
    )


@pytest.fixture
def translation_provider(
    fake_translation_provider: LibreTranslateProvider,
) -> LibreTranslateProvider:
    """Point hubbot at the fake LibreTranslate server."""
    return fake_translation_provider


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Allow hubbot to send messages in unserved languages to the provider."""
    return {"translate_unserved_messages": True}


@pytest.mark.parametrize(("text", "source"), [(PASHTO_HOUSING, "ps"), (KURMANJI_HOUSING, "ku")])
async def test_a_message_in_an_unserved_language_is_answered_through_english(
    text: str,
    source: str,
    fake_translator: FakeLibreTranslate,
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("de")
    await onboard(person, "de")
    await person.send(text)
    note, answer = await person.replies()
    assert "automatisch übersetzt" in note["text"] and "Deutsch" in note["text"]
    assert answer["text"] == await expected_answer(sessionmaker, "housing", "de")
    assert fake_translator.calls == [(text, source, "en")]
    question = (await logged_questions(sessionmaker, person))[-1]
    assert (question.language, question.intent, question.outcome) == (
        source,
        "housing",
        "answered",
    )


async def test_without_the_provider_the_resident_learns_which_languages_hubbot_reads(
    fake_translator: FakeLibreTranslate,
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    fake_translator.broken = True
    person = resident("fa")
    await onboard(person, "prs")
    await person.send(PASHTO_HOUSING)
    reply = visible((await person.reply())["text"])
    assert "دری" in reply and "Deutsch" in reply, "the languages hubbot reads, in Dari"
    assert (await logged_questions(sessionmaker, person))[-1].outcome == "unsupported_language"


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_by_default_no_resident_words_go_to_the_provider(
    fake_translator: FakeLibreTranslate,
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("de")
    await onboard(person, "de")
    await person.send(PASHTO_HOUSING)
    reply = await person.reply()
    assert "دری" in reply["text"] and "Türkçe" in reply["text"]
    assert fake_translator.calls == []


@pytest.mark.parametrize(
    "settings_overrides", [{"translate_unserved_messages": True, "staff_chat_id": STAFF_USER}]
)
async def test_a_crisis_in_an_unserved_language_is_caught_in_its_translation(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("fa")
    await onboard(person, "prs")
    await person.send(PASHTO_CRISIS)
    reply = visible((await person.reply())["text"])
    assert reply.splitlines()[0] == SAFETY.reply("prs").splitlines()[0], "112 first, in Dari"
    alert = (await staff_member.replies())[-1]["text"]
    assert PASHTO_CRISIS in alert and "kill myself" in alert, "staff read what was written"
    assert (await logged_questions(sessionmaker, person))[-1].outcome == "emergency"
