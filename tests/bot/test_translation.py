"""Machine translation: memory first, bounded provider calls, office words kept in German."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.translation import (
    LibreTranslateProvider,
    TermShield,
    TranslationService,
    TranslationUnavailable,
)
from db.models import TranslationMemoryEntry
from tests.bot.harness import SandboxResident, visible
from tests.bot.test_first_conversation import onboard
from tests.fakes import FakeLibreTranslate

STAFF_USER = 90_003
REPLY = "Bring deinen Mietvertrag morgen um 10 Uhr zum Jobcenter mit."
REPLY_IN_ARABIC = "أحضر عقد الإيجار غدًا الساعة 10 إلى [[0]]."


@pytest.fixture
def fake_translator() -> FakeLibreTranslate:
    """Return the fake LibreTranslate server's script."""
    return FakeLibreTranslate(
        table={
            ("Bring deinen Mietvertrag morgen um 10 Uhr zum [[0]] mit.", "ar"): REPLY_IN_ARABIC,
            # With the whole term base, the rental contract is an office word too.
            ("Bring deinen [[0]] morgen um 10 Uhr zum [[1]] mit.", "ar"): (
                "أحضر [[0]] غدًا الساعة 10 إلى [[1]]."
            ),
        }
    )


@pytest.fixture
def translation_provider(
    fake_translation_provider: LibreTranslateProvider,
) -> LibreTranslateProvider:
    """Point hubbot at the fake LibreTranslate server."""
    return fake_translation_provider


def service(provider: LibreTranslateProvider, timeout_s: float = 3.0) -> TranslationService:
    return TranslationService(
        provider, terms=TermShield(["Jobcenter", "Mietvertrag"]), timeout_s=timeout_s
    )


async def test_a_translation_is_remembered_and_office_words_stay_german(
    sessionmaker: async_sessionmaker[AsyncSession],
    translation_provider: LibreTranslateProvider,
    fake_translator: FakeLibreTranslate,
) -> None:
    translator = TranslationService(
        translation_provider, terms=TermShield(["Jobcenter"]), timeout_s=3.0
    )
    async with sessionmaker() as session:
        first = await translator.translate(session, REPLY, source="de", target="ar")
        again = await translator.translate(session, REPLY, source="de", target="ar")
        await session.commit()
        stored = await session.scalar(select(func.count()).select_from(TranslationMemoryEntry))
    assert first.text == again.text == "أحضر عقد الإيجار غدًا الساعة 10 إلى Jobcenter."
    assert first.machine and len(fake_translator.calls) == 1 and stored == 1
    assert fake_translator.calls[0][1:] == ("de", "ar")


async def test_dari_is_asked_for_as_persian_and_persian_to_dari_is_left_alone(
    sessionmaker: async_sessionmaker[AsyncSession],
    translation_provider: LibreTranslateProvider,
    fake_translator: FakeLibreTranslate,
) -> None:
    async with sessionmaker() as session:
        await service(translation_provider).translate(session, "Hallo", source="de", target="prs")
        same = await service(translation_provider).translate(
            session, "سلام", source="fa", target="prs"
        )
    assert fake_translator.calls == [("Hallo", "de", "fa")]
    assert same.text == "سلام" and not same.machine


async def test_a_broken_or_slow_provider_is_reported_quickly(
    sessionmaker: async_sessionmaker[AsyncSession],
    translation_provider: LibreTranslateProvider,
    fake_translator: FakeLibreTranslate,
) -> None:
    fake_translator.broken = True
    async with sessionmaker() as session:
        with pytest.raises(TranslationUnavailable):
            await service(translation_provider).translate(session, "a", source="de", target="tr")
        fake_translator.broken, fake_translator.delay_s = False, 2.0
        with pytest.raises(TranslationUnavailable, match="timed out"):
            await service(translation_provider, timeout_s=0.3).translate(
                session, "b", source="de", target="tr"
            )


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Give hubbot a staff chat that writes German."""
    return {"staff_chat_id": STAFF_USER, "staff_language": "de"}


async def _relayed_staff_reply(person: SandboxResident, staff: SandboxResident) -> str:
    """Have an Arabic resident ask for a person, staff answer REPLY; return what arrives."""
    await onboard(person, "ar")
    await person.press("menu:person")
    await person.reply()
    notice = (await staff.replies())[-1]
    await staff.send(REPLY, reply_to=notice["message_id"])
    await staff.settled()
    return visible((await person.reply())["text"])


async def test_a_staff_reply_reaches_the_resident_translated_with_the_original(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
) -> None:
    relayed = await _relayed_staff_reply(resident("ar"), staff_member)
    assert "أحضر Mietvertrag غدًا الساعة 10 إلى Jobcenter." in relayed
    assert relayed.rstrip().endswith(REPLY), "the original follows the label"
    assert "ℹ️ Jobcenter: " in relayed and "ℹ️ Mietvertrag: " in relayed, "office words explained"


async def test_a_staff_reply_arrives_untranslated_with_a_note_when_the_provider_fails(
    fake_translator: FakeLibreTranslate,
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
) -> None:
    fake_translator.broken = True
    relayed = await _relayed_staff_reply(resident("ar"), staff_member)
    assert REPLY in relayed, "the original, at once"
    assert "(الترجمة الآلية غير متاحة حاليًا.)" in relayed


async def test_conversation_text_is_translated_but_not_remembered(
    sessionmaker: async_sessionmaker[AsyncSession],
    translation_provider: LibreTranslateProvider,
) -> None:
    async with sessionmaker() as session:
        result = await service(translation_provider).translate(
            session, "Ich heiße Amal", source="de", target="ar", remember=False
        )
        await session.commit()
        stored = await session.scalar(select(func.count()).select_from(TranslationMemoryEntry))
    assert result.machine and stored == 0


async def test_without_a_provider_translation_is_unavailable(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    translator = TranslationService(None, terms=TermShield([]), timeout_s=3.0)
    async with sessionmaker() as session:
        with pytest.raises(TranslationUnavailable):
            await translator.translate(session, "Hallo", source="de", target="uk")


def test_office_words_are_explained_once_in_the_readers_language() -> None:
    shield = TermShield(
        ["Jobcenter"], {"jobcenter": {"ar": "مكتب الإعانات والعمل"}, "wbs": {"ar": "شهادة سكن"}}
    )
    text = "Geh zum Jobcenter. Das Jobcenter hilft dir mit dem WBS."
    assert shield.explain(text, "ar") == ["Jobcenter: مكتب الإعانات والعمل", "WBS: شهادة سكن"]
    assert shield.explain(text, "uk") == []
