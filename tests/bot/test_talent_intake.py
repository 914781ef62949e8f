"""The talent intake through the sandbox: skills, fixes, Back, Cancel, restart, apply, withdraw."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.application import HubbotApplication
from bot.services.skills import SkillMatch
from db.base import utcnow
from db.models import Application, FlowProgress, TalentProfile
from tests.bot.harness import SandboxResident, button_data, buttons, polling, visible
from tests.bot.test_first_conversation import onboard, stored_resident

STAFF_USER = 90_002


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Give hubbot a staff chat, where programme coordinators read applications."""
    return {"staff_chat_id": STAFF_USER, "staff_language": "de"}


def offers(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the recommendation messages (those with an Apply button)."""
    return [m for m in messages if any(d.startswith("prog:apply:") for d in button_data(m))]


async def confirm_and_skip_the_rest(person: SandboxResident) -> list[dict[str, Any]]:
    """Confirm the understood skills, skip the wishes, mornings, no contact; return the offers."""
    await person.press("f:confirm:c:yes")
    await person.reply()
    await person.press("f:wishes:s:")
    await person.reply()
    await person.press("f:languages:d:")
    await person.reply()
    await person.press("f:times:t:mornings")
    await person.press("f:times:d:")
    await person.reply()
    await person.press("f:contact:c:no")
    return offers(await person.replies())


async def test_german_intake_with_a_fix_back_and_an_application(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("de")
    await onboard(person, "de")
    await person.send("/talent")
    question = await person.reply()
    assert "f:skills:x:" in button_data(question), "Cancel is offered from the first question"

    await person.send("Ich war 10 Jahre Koch und habe für Hochzeiten gekocht")
    check = await person.reply()
    assert "Kochen" in check["text"] and "Catering" in check["text"]
    assert {"f:confirm:c:yes", "f:confirm:c:fix", "f:confirm:b:"} <= set(button_data(check))

    await person.press("f:confirm:c:fix")
    fix = await person.reply()
    assert "✓ Kochen" in buttons(fix) and "✓ Catering" in buttons(fix)
    await person.press("f:fix:t:food.catering")
    await person.settled()
    edited = next(m for m in await person.messages() if m["message_id"] == fix["message_id"])
    assert "Catering" in buttons(edited) and "✓ Catering" not in buttons(edited)
    await person.press("f:fix:d:")
    wishes = await person.reply()
    assert "f:wishes:s:" in button_data(wishes), "the wishes question can be skipped"

    await person.press("f:wishes:b:")
    again = await person.reply()
    assert "f:fix:d:" in button_data(again), "Back returns to the previous question"
    await person.press("f:fix:d:")
    await person.reply()
    await person.send("Ich möchte ein kleines Café aufmachen")
    languages = await person.reply()
    assert "✓ Deutsch" in buttons(languages), "the resident's language is preselected"
    await person.press("f:languages:t:ar")
    await person.press("f:languages:d:")
    times = await person.reply()
    await person.press("f:times:d:")
    refused = await person.replies()
    assert any("mindestens" in m["text"] for m in refused), "at least one time is needed"
    await person.press("f:times:t:evenings")
    await person.press("f:times:d:")
    await person.reply()
    await person.press("f:contact:c:yes")
    results = await person.replies()

    shown = offers(results)
    assert len(shown) == 3
    assert shown[0]["text"].startswith("Küchenlabor") or "Küche" in shown[0]["text"]
    reason = shown[0]["text"].split("💡")[1]
    assert "Kochen" in reason, "the reason names the skill"
    assert "Catering" not in reason, "the removed skill is gone"
    del times

    apply = next(d for d in button_data(shown[0]) if d.startswith("prog:apply:"))
    await person.press(apply)
    confirmation = await person.reply()
    assert "/myapplications" in confirmation["text"]
    notice = (await staff_member.replies())[-1]["text"]
    assert "Kochen" in notice and "Abends" in notice and "العربية" in notice
    assert "kleines Café" in notice, "with consent, the coordinator reads their own words"

    await person.send("/myapplications")
    listed = await person.reply()
    withdraw = next(d for d in button_data(listed) if d.startswith("app:withdraw:"))
    await person.press(withdraw)
    await person.replies()
    resident_row = await stored_resident(sessionmaker, person)
    assert resident_row is not None
    async with sessionmaker() as session:
        application = (
            await session.execute(
                select(Application).where(Application.resident_id == resident_row.id)
            )
        ).scalar_one()
        profile = await session.get(TalentProfile, resident_row.id)
    assert application.status == "withdrawn"
    assert profile is not None and profile.skills == ["food.cooking"]
    assert "zurückgezogen" in (await staff_member.replies())[-1]["text"]


async def test_arabic_intake_without_consent_keeps_no_words(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("ar")
    await onboard(person, "ar", accept=False)
    await person.send("/talent")
    await person.replies()
    await person.send("كنت طباخ في مطعم بدمشق واشتغلت بالمطبخ عشرين سنة")
    check = await person.reply()
    assert "f:confirm:c:yes" in button_data(check)
    shown = await confirm_and_skip_the_rest(person)
    assert shown, "programmes are recommended"
    assert "مختبر" in visible(shown[0]["text"]) or "المطبخ" in visible(shown[0]["text"])

    resident_row = await stored_resident(sessionmaker, person)
    assert resident_row is not None
    async with sessionmaker() as session:
        profile = await session.get(TalentProfile, resident_row.id)
    assert profile is not None and "food.cooking" in profile.skills
    assert profile.description is None, "without consent the description is not stored"

    apply = next(d for d in button_data(shown[0]) if d.startswith("prog:apply:"))
    await person.press(apply)
    await person.reply()
    notice = (await staff_member.replies())[-1]["text"]
    assert "مطعم" not in notice, "the coordinator gets skills, not unconsented words"


async def test_a_resident_who_says_they_were_no_nurse_is_offered_the_kitchen_first(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("fr")
    await onboard(person, "fr", accept=False)
    await person.send("/talent")
    await person.replies()
    await person.send(
        "J'étais à l'hôpital de Lubumbashi, pas infirmier, je préparais les repas des malades."
    )
    check = await person.reply()
    assert "Cuisine" in check["text"] or "cuisine" in check["text"]
    assert "infirmi" not in check["text"].lower(), "what they did not do is not understood"
    shown = await confirm_and_skip_the_rest(person)
    # Without hearing "pas infirmier", the hospital made this the care programme.
    assert visible(shown[0]["text"]).startswith("Labo cuisine"), shown[0]["text"]


async def test_ukrainian_intake_survives_a_restart_and_can_be_cancelled(
    resident: Callable[..., SandboxResident],
    application: HubbotApplication,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("uk")
    await onboard(person, "uk")
    await person.send("/talent")
    await person.replies()
    await person.send("У Києві я ремонтував телефони і ноутбуки")
    check = await person.reply()
    assert "f:confirm:c:yes" in button_data(check)

    # The bot restarts between two answers: the flow goes on from the database.
    await application.updater.stop()  # type: ignore[union-attr]
    await application.stop()
    await application.shutdown()
    try:
        async with polling(application.deps) as restarted:
            person.application = restarted
            await _go_on_after_restart(person, sessionmaker)
    finally:
        # Give the fixture back a running application to stop.
        await application.initialize()
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)  # type: ignore[union-attr]


async def _go_on_after_restart(
    person: SandboxResident, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Answer on after the restart; a day later, continue; then cancel."""
    await person.press("f:confirm:c:yes")
    wishes = await person.reply()
    assert "f:wishes:s:" in button_data(wishes)

    # A day later, hubbot asks whether to go on.
    resident_row = await stored_resident(sessionmaker, person)
    assert resident_row is not None
    async with sessionmaker() as session:
        await session.execute(
            update(FlowProgress)
            .where(FlowProgress.resident_id == resident_row.id)
            .values(updated_at=utcnow() - timedelta(days=2))
        )
        await session.commit()
    await person.send("Хочу відкрити майстерню")
    asked = await person.reply()
    assert button_data(asked) == ["f:-:r:continue", "f:-:r:restart"]
    await person.press("f:-:r:continue")
    assert "f:wishes:s:" in button_data(await person.reply())

    await person.send("/cancel")
    stopped = await person.reply()
    assert "menu:ask" in button_data(stopped)
    async with sessionmaker() as session:
        assert await session.get(FlowProgress, resident_row.id) is None
    await person.send("/cancel")
    assert (await person.reply())["text"] != stopped["text"]


async def test_saying_what_you_can_do_starts_the_intake_with_it(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("de")
    await onboard(person, "de")
    await person.send("ich war schneider in afghanistan und will wieder nähen")
    messages = await person.replies()
    assert "f:confirm:c:yes" in button_data(messages[-1])
    assert "Schneiderei" in messages[-1]["text"] or "Nähen" in messages[-1]["text"]


async def test_a_button_of_a_finished_flow_is_closed_and_programmes_menu_offers_the_intake(
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("en")
    await onboard(person, "en")
    await person.press("menu:programmes")
    overview = await person.reply()
    assert "Kitchen" in overview["text"] and "talent:start" in button_data(overview)
    await person.press("talent:start")
    first = (await person.replies())[-1]
    assert "f:skills:x:" in button_data(first)
    await person.press("f:skills:x:")
    await person.reply()
    await person.press("f:skills:x:")
    closed = await person.replies()
    assert closed == [] or all("Traceback" not in m["text"] for m in closed)


async def test_mydata_shows_talents_and_applications_and_delete_erases_them(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    sandbox_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("de")
    await onboard(person, "de")
    await person.send("/talent")
    await person.replies()
    await person.send("Ich bin Friseurin und fotografiere gern")
    for button in ("f:confirm:c:yes", "f:wishes:s:", "f:languages:d:", "f:times:t:weekends"):
        await person.replies()
        await person.press(button)
    for button in ("f:times:d:", "f:contact:c:yes"):
        await person.replies()
        await person.press(button)
    shown = offers(await person.replies())
    slugs_text = " ".join(m["text"] for m in shown)
    assert "Gründungsstudio" in slugs_text, "hairdressing leads to the founders studio"
    assert "Kulturkollektiv" in slugs_text, "photography: both fields rank"
    await person.press(next(d for d in button_data(shown[0]) if d.startswith("prog:apply:")))
    await person.replies()

    await person.send("/mydata")
    document = (await person.reply())["document"]
    data = json.loads((await sandbox_client.get(document["url"])).content.decode("utf-8"))
    assert "business.hairdressing" in data["talent_profile"]["skills"]
    assert data["talent_profile"]["description"] == "Ich bin Friseurin und fotografiere gern"
    assert len(data["programme_applications"]) == 1

    resident_row = await stored_resident(sessionmaker, person)
    assert resident_row is not None
    await person.send("/delete")
    await person.reply()
    await person.press("delete:yes")
    await person.replies()
    async with sessionmaker() as session:
        for table in (TalentProfile, Application, FlowProgress):
            rows = await session.execute(select(table).where(table.resident_id == resident_row.id))
            assert rows.first() is None, f"{table.__tablename__} kept data of an erased resident"


# On SQLite hubbot handles one update at a time by design (application.py): nothing to show.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_story_being_read_does_not_hold_up_other_residents(
    application: HubbotApplication,
    resident: Callable[..., SandboxResident],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reading a story is held open until the neighbour has had their answer: on the event
    # loop, the neighbour's update could not even start (and the hold times out first).
    matcher = application.deps.talent.matcher
    read_story = matcher.similarity
    reading, go_on, done = threading.Event(), threading.Event(), threading.Event()

    def held_reading(
        text: str, language: str | None = None, skills: Sequence[SkillMatch] | None = None
    ) -> Mapping[str, float]:
        reading.set()
        go_on.wait(timeout=10)
        done.set()
        return read_story(text, language, skills)

    monkeypatch.setattr(matcher, "similarity", held_reading)
    storyteller, neighbour = resident("uk"), resident("de")
    await onboard(storyteller, "uk")
    await onboard(neighbour, "de")
    await storyteller.send("/talent")
    await storyteller.reply()
    await storyteller.send(
        "Ми виїхали з Харкова, коли почалися обстріли. Там я двадцять років ремонтувала "
        "телефони й ноутбуки на ринку Барабашово, тепер сусіди несуть мені зламані зарядки."
    )
    try:
        assert await asyncio.to_thread(reading.wait, 10), "the story is being read"
        await neighbour.send("Wann hat der Hub geöffnet?")
        answer = await neighbour.reply()
        assert not done.is_set(), "the neighbour had to wait until the story was read"
        assert answer["text"]
    finally:
        go_on.set()
    check = await storyteller.reply()
    assert "f:confirm:c:yes" in button_data(check), "the story was read all the same"
