"""A message in a language hubbot does not serve: understood through translation, or named."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.translation import LibreTranslateProvider
from tests.bot.harness import SandboxResident, visible
from tests.bot.test_first_conversation import onboard
from tests.bot.test_questions import expected_answer, logged_questions
from tests.fakes import FakeLibreTranslate

PASHTO_HOUSING = "زه د کور په لټه کې یم، مرسته غواړم"
KURMANJI_HOUSING = "Silav, ez li xaniyekî digerim, alîkarî dixwazim"


@pytest.fixture
def fake_translator() -> FakeLibreTranslate:
    """Return the fake LibreTranslate server's script."""
    return FakeLibreTranslate(
        table={
            (PASHTO_HOUSING, "en"): "I am looking for a flat",
            (KURMANJI_HOUSING, "en"): "Hello, I am looking for a flat to rent",
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
