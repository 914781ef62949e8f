"""Content editing: nine languages side by side, checked saves, versions, audit, the bot's view."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import composer
from db.content import import_content
from db.models import (
    Answer,
    AuditEntry,
    Event,
    Hub,
    Programme,
    ReviewStatus,
    Service,
    StaffRole,
)
from tests.dashboard.conftest import (
    PASSWORD,
    ContentItems,
    SignedIn,
    add_stuttgart_account,
    anonymous_client,
    csrf_of,
    sign_in,
)

FIELD = re.compile(r'name="([a-z]+\.[a-z_]+)"')


async def _form(client: httpx.AsyncClient, path: str) -> dict[str, str]:
    """Return the edit form as the browser would send it unchanged."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    data: dict[str, str] = {"csrf": await csrf_of(client)}
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    data["version"] = version.group(1)
    for name in FIELD.findall(page.text):
        textarea = re.search(
            rf'<textarea name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page.text, re.S
        )
        value = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page.text)
        selected = re.search(
            rf'<select name="{re.escape(name)}">.*?<option value="([a-z_]+)" selected',
            page.text,
            re.S,
        )
        found = textarea or value or selected
        data[name] = html.unescape(found.group(1)) if found else ""
    return data


async def _answer(sessionmaker: async_sessionmaker[AsyncSession], answer_id: int) -> Answer:
    async with sessionmaker() as session:
        answer = await session.get(Answer, answer_id)
        assert answer is not None
        return answer


async def _audit(sessionmaker: async_sessionmaker[AsyncSession], action: str) -> list[AuditEntry]:
    async with sessionmaker() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return list(rows)


async def test_the_edit_page_shows_nine_languages_right_to_left_where_written_so(
    signed_in: SignedIn, content_items: ContentItems
) -> None:
    client = await signed_in(StaffRole.STAFF)
    page = await client.get(f"/content/answers/{content_items.answer_id}")
    assert page.status_code == 200
    for code in ("de", "en", "ar", "fa", "prs", "uk", "ru", "tr", "fr"):
        assert f'name="{code}.text"' in page.text
    for code in ("ar", "fa", "prs"):
        assert f'name="{code}.text" lang="{code}" dir="rtl"' in page.text
    assert 'name="de.text" lang="de" dir="ltr"' in page.text
    assert "البحث عن شقة" in page.text
    # Staff may read but not change: the fields are disabled and there is no save button.
    assert "disabled" in page.text and ">Save</button>" not in page.text
    listing = await client.get("/content", params={"kind": "answers"})
    assert "housing" in listing.text and "machine translated" in listing.text
    german = await client.get(
        f"/content/answers/{content_items.answer_id}", headers={"accept-language": "de"}
    )
    assert "Prüfstatus" in german.text and "maschinell übersetzt" in german.text


async def test_a_coordinator_edits_arabic_and_the_bot_answers_with_it(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.COORDINATOR)
    path = f"/content/answers/{content_items.answer_id}"
    data = await _form(client, path)
    data["ar.text"] = "للبحث عن سكن اسأل في {hub}."
    data["ar.status"] = ReviewStatus.REVIEWED
    data["uk.text"] = "Шукаєте житло? Запитайте в {hub}."
    saved = await client.post(path, data=data)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{path}?saved=1"
    answer = await _answer(sessionmaker, content_items.answer_id)
    assert answer.version == 2
    arabic, ukrainian = answer.text_in("ar"), answer.text_in("uk")
    assert arabic is not None and arabic.text == "للبحث عن سكن اسأل في {hub}."
    assert arabic.status == ReviewStatus.REVIEWED
    # A language written now, with no status chosen, waits for review.
    assert ukrainian is not None and ukrainian.status == ReviewStatus.NEEDS_REVIEW
    [entry] = await _audit(sessionmaker, "content.edit")
    assert entry.actor == "coordinator@hub.example"
    assert entry.target == f"answers={content_items.answer_id}"
    assert entry.detail["version"] == 2
    assert entry.detail["changes"]["ar"]["text"]["to"] == "للبحث عن سكن اسأل في {hub}."
    assert entry.detail["changes"]["ar"]["status"] == {
        "from": "machine_translated",
        "to": "reviewed",
    }
    assert set(entry.detail["changes"]) == {"ar", "uk"}
    # The bot reads content on every question: its next answer is the new text.
    async with sessionmaker() as session:
        hub = await session.get(Hub, content_items.berlin_id)
        composed = await composer.compose(session, intent="housing", language="ar", hub=hub)
    assert composed is not None
    assert composed.text.startswith("للبحث عن سكن اسأل في Berlin.")
    shown = await client.get(saved.headers["location"])
    assert "Saved." in shown.text and "للبحث عن سكن" in shown.text


async def test_html_in_content_is_shown_as_text(
    signed_in: SignedIn, content_items: ContentItems
) -> None:
    client = await signed_in(StaffRole.COORDINATOR)
    path = f"/content/services/{content_items.service_id}"
    data = await _form(client, path)
    data["en.title"] = "<script>alert('x')</script> Housing <b>advice</b>"
    data["en.body"] = "Tuesdays."
    assert (await client.post(path, data=data)).status_code == 303
    for page_path in (path, "/content?kind=services"):
        page = await client.get(page_path, headers={"accept-language": "en"})
        assert "<script>alert" not in page.text and "<b>advice" not in page.text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text


async def test_bad_texts_are_refused_and_nothing_is_stored(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.COORDINATOR)
    path = f"/content/answers/{content_items.answer_id}"
    cases: list[tuple[dict[str, str], str]] = [
        ({"de.text": "  "}, "de: this language may not be empty."),
        ({"en.text": "x" * 3001}, "en: Text is longer than 3000 characters."),
        ({"fr.text": "Demandez à {hubb}."}, "fr: unknown placeholder {hubb}."),
        ({"ar.status": "published"}, "ar: unknown review status."),
    ]
    for change, message in cases:
        data = await _form(client, path)
        data.update(change)
        refused = await client.post(path, data=data)
        assert refused.status_code == 400, change
        assert message in refused.text
        # The person's text is kept in the form to be fixed.
        assert next(iter(change.values()))[:50].strip() in refused.text
    answer = await _answer(sessionmaker, content_items.answer_id)
    assert answer.version == 1
    assert answer.text_in("fr") is None
    german = answer.text_in("de")
    assert german is not None and german.text.startswith("Wohnungssuche")
    assert await _audit(sessionmaker, "content.edit") == []


async def test_a_save_on_an_older_version_is_refused(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = await signed_in(StaffRole.COORDINATOR)
    second = await signed_in(StaffRole.ADMIN)
    path = f"/content/answers/{content_items.answer_id}"
    mine, theirs = await _form(first, path), await _form(second, path)
    mine["en.text"] = "Mine."
    theirs["en.text"] = "Theirs."
    assert (await first.post(path, data=mine)).status_code == 303
    conflict = await second.post(path, data=theirs)
    assert conflict.status_code == 409
    assert "Someone else saved this item" in conflict.text and "Theirs." in conflict.text
    answer = await _answer(sessionmaker, content_items.answer_id)
    english = answer.text_in("en")
    assert english is not None and english.text == "Mine." and answer.version == 2


async def test_hub_coordinators_change_their_hub_only_and_csrf_is_needed(
    dashboard_app: Any,
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_stuttgart_account(
        sessionmaker, email="berlin@hub.example", role=StaffRole.COORDINATOR
    )
    async with anonymous_client(dashboard_app) as stuttgart:
        assert (await sign_in(stuttgart, "berlin@hub.example", PASSWORD)).status_code == 303
        csrf = await csrf_of(stuttgart)
        # A Berlin service is not theirs to see; the shared answer is theirs to read only.
        service = f"/content/services/{content_items.service_id}"
        assert (await stuttgart.get(service)).status_code == 404
        listing = await stuttgart.get("/content", params={"kind": "services", "hub": "berlin"})
        assert listing.status_code == 200 and "berlin-housing-advice" not in listing.text
        gaps = await stuttgart.get("/translations/missing")
        assert "Hub stuttgart" in gaps.text and "Hub berlin" not in gaps.text
        answer_path = f"/content/answers/{content_items.answer_id}"
        assert (await stuttgart.get(answer_path)).status_code == 200
        data = {"csrf": csrf, "version": "1", "en.text": "Changed for all."}
        assert (await stuttgart.post(answer_path, data=data)).status_code == 403
    coordinator = await signed_in(StaffRole.COORDINATOR)
    path = f"/content/events/{content_items.event_id}"
    missing = await coordinator.post(path, data={"version": "1", "uk.title": "Швейне кафе"})
    assert missing.status_code == 403
    answer = await _answer(sessionmaker, content_items.answer_id)
    assert answer.text_in("en") is not None and answer.version == 1
    async with sessionmaker() as session:
        event = await session.get(Event, content_items.event_id)
        assert event is not None and "uk" not in event.titles and event.version == 1


async def test_programmes_events_and_services_keep_each_language(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.ADMIN)
    event_path = f"/content/events/{content_items.event_id}"
    data = await _form(client, event_path)
    data["uk.title"], data["uk.status"] = "Швейне кафе", ReviewStatus.REVIEWED
    assert (await client.post(event_path, data=data)).status_code == 303
    programme_path = f"/content/programmes/{content_items.programme_id}"
    data = await _form(client, programme_path)
    data["en.name"] = data["en.summary"] = data["en.description"] = ""
    data["tr.name"], data["tr.status"] = "Mutfak laboratuvarı", ReviewStatus.MACHINE_TRANSLATED
    assert (await client.post(programme_path, data=data)).status_code == 303
    service_path = f"/content/services/{content_items.service_id}"
    data = await _form(client, service_path)
    data["fa.title"], data["fa.body"] = "مشاوره مسکن", "سه‌شنبه‌ها."
    assert (await client.post(service_path, data=data)).status_code == 303
    async with sessionmaker() as session:
        event = await session.get(Event, content_items.event_id)
        assert event is not None
        assert event.titles == {"de": "Nähcafé", "uk": "Швейне кафе"}
        assert event.statuses == {"de": "reviewed", "uk": "reviewed"} and event.version == 2
        kitchen = await session.get(Programme, content_items.programme_id)
        assert kitchen is not None
        assert "en" not in kitchen.names and "en" not in kitchen.descriptions
        assert kitchen.names["tr"] == "Mutfak laboratuvarı"
        assert kitchen.statuses["tr"] == "machine_translated"
        service = await session.get(Service, content_items.service_id)
        assert service is not None
        persian = service.text_in("fa")
        assert persian is not None and persian.title == "مشاوره مسکن"
        assert persian.opening_hours is None


async def test_the_missing_report_names_what_lacks_which_language(
    signed_in: SignedIn, content_items: ContentItems
) -> None:
    client = await signed_in(StaffRole.STAFF)
    page = await client.get("/translations/missing")
    assert page.status_code == 200
    assert "Shared by every hub" in page.text and "Hub berlin" in page.text
    # The answer lacks six languages, each a link to its place on the edit page.
    answer = f"/content/answers/{content_items.answer_id}"
    assert f'href="{answer}#lang-fa"' in page.text
    assert f'href="{answer}#lang-de"' not in page.text
    assert f'href="/content/events/{content_items.event_id}#lang-ar"' in page.text
    assert "Hub stuttgart" in page.text


async def test_a_new_import_keeps_what_was_edited_in_the_dashboard(
    signed_in: SignedIn,
    sessionmaker: async_sessionmaker[AsyncSession],
    content_dir: Path,
) -> None:
    async with sessionmaker() as session:
        await import_content(session, content_dir)
        await session.commit()
        answer_id = await session.scalar(select(Answer.id).where(Answer.intent == "housing"))
        kitchen_id = await session.scalar(
            select(Programme.id).where(Programme.slug == "kitchen-lab")
        )
    client = await signed_in(StaffRole.ADMIN)
    answer_path, kitchen_path = f"/content/answers/{answer_id}", f"/content/programmes/{kitchen_id}"
    data = await _form(client, answer_path)
    data["ar.text"] = "نص عدّله المنسق."
    assert (await client.post(answer_path, data=data)).status_code == 303
    data = await _form(client, kitchen_path)
    data["fr.name"] = "Labo cuisine du quartier"
    assert (await client.post(kitchen_path, data=data)).status_code == 303
    async with sessionmaker() as session:
        report = await import_content(session, content_dir)
        await session.commit()
    assert report.kept == ("answers:housing", "programmes:kitchen-lab")
    async with sessionmaker() as session:
        answer = await session.get(Answer, answer_id)
        kitchen = await session.get(Programme, kitchen_id)
        assert answer is not None and kitchen is not None
        arabic = answer.text_in("ar")
        assert arabic is not None and arabic.text == "نص عدّله المنسق."
        assert kitchen.names["fr"] == "Labo cuisine du quartier"
        # Told to, the import puts the files' texts back.
        report = await import_content(session, content_dir, keep_edits=False)
        await session.commit()
    assert report.kept == ()
    async with sessionmaker() as session:
        answer = await session.get(Answer, answer_id)
        kitchen = await session.get(Programme, kitchen_id)
        assert answer is not None and kitchen is not None
        arabic = answer.text_in("ar")
        assert arabic is not None and arabic.text != "نص عدّله المنسق."
        assert kitchen.names["fr"] != "Labo cuisine du quartier"
