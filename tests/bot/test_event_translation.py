"""Events the staff wrote in another language: translated and labelled, or said to be original."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.translation import LibreTranslateProvider
from tests.bot.harness import SandboxResident, button_data, visible
from tests.bot.test_events import add_event
from tests.bot.test_first_conversation import onboard
from tests.fakes import FakeLibreTranslate

GERMAN_TITLE = "Gartenplanung im Hof"
UKRAINIAN_TITLE = "Планування саду у дворі"


@pytest.fixture
def fake_translator() -> FakeLibreTranslate:
    """Return the fake LibreTranslate server's script."""
    return FakeLibreTranslate(table={(GERMAN_TITLE, "uk"): UKRAINIAN_TITLE})


@pytest.fixture
def translation_provider(
    fake_translation_provider: LibreTranslateProvider,
) -> LibreTranslateProvider:
    """Point hubbot at the fake LibreTranslate server."""
    return fake_translation_provider


async def _listed(person: SandboxResident, title: str) -> dict[str, object]:
    await person.press("menu:events")
    [listed] = [m for m in await person.replies() if title in visible(str(m["text"]))]
    return listed


async def test_a_translated_event_is_labelled_and_shows_its_original_on_request(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await add_event(sessionmaker, titles={"de": GERMAN_TITLE})
    person = resident("uk")
    await onboard(person, "uk")
    listed = await _listed(person, UKRAINIAN_TITLE)
    assert "(перекладено автоматично)" in str(listed["text"])
    assert f"ev:orig:{event_id}" in button_data(listed)
    await person.press(f"ev:orig:{event_id}")
    original = await person.reply()
    assert GERMAN_TITLE in original["text"] and "Bring kaputte Sachen mit." in original["text"]


async def test_when_translation_fails_the_original_comes_with_a_note(
    fake_translator: FakeLibreTranslate,
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    fake_translator.broken = True
    event_id = await add_event(sessionmaker, titles={"de": GERMAN_TITLE})
    person = resident("uk")
    await onboard(person, "uk")
    listed = await _listed(person, GERMAN_TITLE)
    assert "(Автоматичний переклад зараз недоступний.)" in str(listed["text"])
    assert f"ev:orig:{event_id}" not in button_data(listed), "it is the original already"


async def test_a_dari_reader_is_told_the_text_is_persian(
    fake_translator: FakeLibreTranslate,
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_event(sessionmaker, titles={"de": "Teestunde", "fa": "عصرانه با چای"})
    person = resident("fa")
    await onboard(person, "prs")
    listed = await _listed(person, "عصرانه با چای")
    assert "(این متن به فارسی است.)" in visible(str(listed["text"]))
    assert fake_translator.calls == [], "Persian is shown as it is, not sent anywhere"
