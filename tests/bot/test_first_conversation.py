"""A resident's first conversation, end to end through the sandbox, on both databases."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import BotCommandScopeChat

from bot.application import HubbotApplication
from bot.text import RLM
from db.models import MessageLog, Resident
from tests.bot.harness import SandboxResident, button_data, buttons

ARABIC = re.compile(r"[\u0600-\u06FF]")
MAIN_MENU = ["menu:ask", "menu:programmes", "menu:events", "menu:person", "menu:settings"]


async def onboard(person: SandboxResident, language: str, *, accept: bool = True) -> None:
    """Go through /start: language, hub Berlin, consent."""
    await person.send("/start")
    await person.reply()
    await person.press(f"lang:{language}")
    await person.reply()
    await person.press("hub:berlin")
    await person.reply()
    await person.press("f:consent:c:yes" if accept else "f:consent:c:no")
    await person.replies()


async def stored_resident(
    sessionmaker: async_sessionmaker[AsyncSession], person: SandboxResident
) -> Resident | None:
    async with sessionmaker() as session:
        result = await session.execute(
            select(Resident).where(Resident.telegram_user_id == person.user_id)
        )
        return result.scalar_one_or_none()


async def stored_messages(
    sessionmaker: async_sessionmaker[AsyncSession], resident: Resident
) -> list[MessageLog]:
    async with sessionmaker() as session:
        result = await session.execute(
            select(MessageLog).where(MessageLog.resident_id == resident.id).order_by(MessageLog.id)
        )
        return list(result.scalars())


async def test_start_in_german_picks_language_hub_and_consent(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("de")
    await person.send("/start")
    picker = await person.reply()
    assert buttons(picker)[0] == "Deutsch", "the resident's Telegram language comes first"
    assert set(buttons(picker)) == {
        "Deutsch",
        "English",
        "العربية",
        "فارسی",
        "دری",
        "Українська",
        "Русский",
        "Türkçe",
        "Français",
    }

    await person.press("lang:de")
    hub_question = await person.reply()
    assert "Integrationshub Berlin" in buttons(hub_question)
    assert "Integrationshub Stuttgart" in buttons(hub_question)

    await person.press("hub:berlin")
    notice = await person.reply()
    assert "/privacy" in notice["text"]
    assert button_data(notice)[:2] == ["f:consent:c:yes", "f:consent:c:no"]
    assert "Telegram" in notice["text"] and "hubbot" in notice["text"]

    await person.press("f:consent:c:yes")
    menu = (await person.replies())[-1]
    assert button_data(menu) == MAIN_MENU

    stored = await stored_resident(sessionmaker, person)
    assert stored is not None
    assert (stored.language, stored.consent_decision, stored.consent_version) == (
        "de",
        "accepted",
        1,
    )


async def test_start_in_arabic_reads_right_to_left(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("ar")
    await person.send("/start")
    picker = await person.reply()
    assert buttons(picker)[0] == "العربية"
    assert ARABIC.search(picker["text"]), "the greeting uses Telegram's language"
    await person.press("lang:ar")
    hub_question = await person.reply()
    assert hub_question["text"].startswith(RLM)
    assert "مركز الاندماج برلين" in buttons(hub_question)
    await person.press("hub:berlin")
    notice = await person.reply()
    assert ARABIC.search(notice["text"]) and "/privacy" in notice["text"]
    await person.press("f:consent:c:yes")
    menu = (await person.replies())[-1]
    assert button_data(menu) == MAIN_MENU
    assert all(ARABIC.search(label) for label in buttons(menu))


async def test_declining_consent_keeps_no_text_but_still_answers(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("de")
    await onboard(person, "de", accept=False)
    await person.send("Ich suche eine Wohnung in Neukölln")
    answer = await person.reply()
    assert "WBS" in answer["text"], "the housing answer, in German"
    assert "menu:person" in button_data(answer)

    stored = await stored_resident(sessionmaker, person)
    assert stored is not None and stored.consent_decision == "declined"
    logged = await stored_messages(sessionmaker, stored)
    assert any(message.direction == "in" and message.kind == "text" for message in logged)
    assert not any(message.text and "Wohnung" in message.text for message in logged)
    assert all(message.text is None for message in logged if message.direction == "out")


async def test_accepting_consent_keeps_the_conversation(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("tr")
    await onboard(person, "tr")
    await person.send("Almanca kursu arıyorum")
    await person.reply()
    stored = await stored_resident(sessionmaker, person)
    assert stored is not None
    texts = [message.text for message in await stored_messages(sessionmaker, stored)]
    assert "Almanca kursu arıyorum" in texts


async def test_free_text_before_onboarding_asks_the_missing_question(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("uk")
    await person.send("Привіт, мені потрібна допомога з житлом")
    reply = await person.reply()
    assert button_data(reply)[0] == "lang:uk"


async def test_sticker_gets_a_translated_text_only_note(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("fr")
    await onboard(person, "fr")
    await person.send(kind="sticker")
    note = await person.reply()
    await person.send(kind="voice")
    voice_note = await person.reply()
    assert note["text"] == voice_note["text"]
    assert "messages écrits" in note["text"]


async def test_unknown_command_gets_the_help(resident: Callable[..., SandboxResident]) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.send("/weather")
    help_message = await person.reply()
    for command in ("/language", "/hub", "/privacy", "/mydata", "/delete"):
        assert command in help_message["text"]


async def test_a_6000_character_message_is_answered_and_kept_whole(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("en")
    await onboard(person, "en")
    text = ("My landlord wants me to leave the flat. " * 150)[:6000]
    await person.send(text)
    answer = await person.reply()
    assert answer["text"] and "menu:person" in button_data(answer)
    stored = await stored_resident(sessionmaker, person)
    assert stored is not None
    assert text in [message.text for message in await stored_messages(sessionmaker, stored)]


async def test_html_and_invisible_characters_are_treated_as_text(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("fa")
    await onboard(person, "fa")
    await person.send("<b>سلام</b>\u200b\u200f <script>alert(1)</script> &amp;")
    answer = await person.reply()
    assert answer["text"] and "menu:person" in button_data(answer)


async def test_menu_buttons_answer_honestly(resident: Callable[..., SandboxResident]) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.press("menu:person")
    answer = await person.reply()
    assert "+49 30 1234567" in answer["text"], "without a staff chat, the hub's contact instead"
    assert "yet" in answer["text"]
    await person.press("menu:settings")
    settings = await person.reply()
    assert "settings:delete" in button_data(settings)


async def test_command_menu_is_published_in_every_language(
    application: HubbotApplication, resident: Callable[..., SandboxResident]
) -> None:
    german = await application.bot.get_my_commands(language_code="de")
    arabic = await application.bot.get_my_commands(language_code="ar")
    assert [command.command for command in german][:3] == ["start", "help", "language"]
    assert ARABIC.search(arabic[0].description)

    person = resident("fa")
    await person.send("/start")
    await person.reply()
    await person.press("lang:prs")
    await person.replies()
    dari = await application.bot.get_my_commands(scope=BotCommandScopeChat(person.user_id))
    persian = await application.bot.get_my_commands(language_code="fa")
    assert ARABIC.search(dari[0].description)
    assert [c.description for c in dari] != [c.description for c in persian]
