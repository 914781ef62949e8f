"""New events and services, their details, cancelling and removing; what the bot then says."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import Catalogue
from bot.services import composer
from bot.services.events import EventService
from bot.services.translation import TermShield, TranslationService
from db.content import import_content
from db.models import (
    AuditEntry,
    Broadcast,
    BroadcastStatus,
    Event,
    EventRsvp,
    Hub,
    OutboxMessage,
    OutboxStatus,
    Resident,
    RsvpStatus,
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

BERLIN = ZoneInfo("Europe/Berlin")


def _local(days: int, hour: int) -> str:
    day = datetime.now(BERLIN) + timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def _event_form(csrf: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf": csrf,
        "hub": "berlin",
        "language": "de",
        "title": "Nähcafé für alle",
        "description": "Bring Stoff mit.",
        "starts": _local(5, 16),
        "ends": _local(5, 18),
        "room": "Werkstatt",
        "capacity": "8",
        "topics": ["events"],
    }
    data.update(changes)
    return data


def _service_form(csrf: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf": csrf,
        "hub": "berlin",
        "intent": "housing",
        "partner": "Mieterverein Nord",
        "address": "Hauptstraße 5, Berlin",
        "phone": "+49 30 1234567",
        "url": "https://mieterverein.example",
        "staff_languages": ["de", "ar"],
        "title": "Mietrechtsberatung",
        "body": "Hilfe bei Problemen mit der Wohnung.",
        "opening_hours": "Mi 10–12",
    }
    data.update(changes)
    return data


async def _audit(sessionmaker: async_sessionmaker[AsyncSession], action: str) -> list[AuditEntry]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return list(rows)


async def _guests(
    sessionmaker: async_sessionmaker[AsyncSession], event_id: int, hub_id: int
) -> None:
    """Two guests with a place (German, Arabic) and one on the waiting list."""
    async with sessionmaker() as session:
        for number, (language, status) in enumerate(
            [("de", RsvpStatus.GOING), ("ar", RsvpStatus.GOING), ("uk", RsvpStatus.WAITING)]
        ):
            resident = Resident(
                telegram_user_id=9000 + number,
                chat_id=9000 + number,
                language=language,
                hub_id=hub_id,
            )
            session.add(resident)
            await session.flush()
            session.add(EventRsvp(event_id=event_id, resident_id=resident.id, status=status))
        await session.commit()


async def _compose(
    sessionmaker: async_sessionmaker[AsyncSession], hub_id: int, language: str = "de"
) -> str:
    async with sessionmaker() as session:
        hub = await session.get(Hub, hub_id)
        composed = await composer.compose(session, intent="housing", language=language, hub=hub)
    assert composed is not None
    return composed.text


async def test_a_coordinator_adds_an_event_that_residents_then_see(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.COORDINATOR)
    listing = await client.get("/content", params={"kind": "events"})
    assert 'href="/content/events/new"' in listing.text
    form = await client.get("/content/events/new")
    assert form.status_code == 200 and 'type="datetime-local" name="starts"' in form.text
    created = await client.post("/content/events/new", data=_event_form(await csrf_of(client)))
    assert created.status_code == 303, created.text
    async with sessionmaker() as session:
        event = (
            await session.scalars(select(Event).where(Event.id != content_items.event_id))
        ).one()
        assert created.headers["location"] == f"/content/events/{event.id}?saved=1"
        # 16:00 in Berlin, stored in UTC.
        starts = datetime.fromisoformat(_local(5, 16)).replace(tzinfo=BERLIN)
        assert event.starts_at.replace(tzinfo=UTC) == starts.astimezone(UTC)
        assert event.titles == {"de": "Nähcafé für alle"} and event.source_language == "de"
        assert event.room == "Werkstatt" and event.capacity == 8 and event.topics == ["events"]
        # Made in the dashboard: the import leaves it alone.
        assert event.version == 2
        # The bot's /events lists it, in Arabic too (in German without a translation provider).
        events = EventService(TranslationService(None, terms=TermShield([]), timeout_s=1))
        upcoming = await events.upcoming(session, hub_id=content_items.berlin_id)
        assert event.id in [each.id for each in upcoming]
        text = await events.text_in(session, event, "ar")
        assert text.title == "Nähcafé für alle"
    again = await client.post("/content/events/new", data=_event_form(await csrf_of(client)))
    assert again.status_code == 303
    async with sessionmaker() as session:
        slugs = sorted((await session.scalars(select(Event.slug).where(Event.version == 2))).all())
    assert slugs[1] == f"{slugs[0]}-2"
    first, _second = await _audit(sessionmaker, "content.create")
    entry = first
    assert entry.target == f"events={event.id}" and entry.actor == "coordinator@hub.example"
    assert entry.detail["room"] == "Werkstatt"
    page = await client.get(created.headers["location"])
    assert "Nähcafé für alle" in page.text and 'value="Werkstatt"' in page.text


async def test_a_bad_event_is_refused_and_what_was_typed_stays(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.ADMIN)
    csrf = await csrf_of(client)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"ends": _local(5, 15)}, "The event ends before it starts."),
        ({"starts": "next tuesday"}, "Give the start and the end as a date and a time."),
        ({"starts": "0001-01-01T00:00"}, "Give the start and the end as a date and a time."),
        ({"capacity": "-3"}, "Places must be a number from 1 to 10000, or empty for no limit."),
        ({"capacity": "many"}, "Places must be a number from 1 to 10000"),
        ({"title": "   "}, "The title is required."),
        ({"topics": ["parties"]}, "Unknown topic: parties."),
        ({"hub": "hamburg"}, "Choose a hub you work for."),
    ]
    for change, message in cases:
        data = _event_form(csrf, room="Raum <3 & Hof", **change)
        refused = await client.post("/content/events/new", data=data)
        assert refused.status_code == 400, change
        text = html.unescape(refused.text)
        assert message in text, change
        assert 'value="Raum <3 & Hof"' in text, "the typed room is kept"
        if "title" not in change:
            assert 'value="Nähcafé für alle"' in text
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 1
    assert await _audit(sessionmaker, "content.create") == []


async def test_only_coordinators_of_the_hub_add_and_every_form_needs_its_token(
    dashboard_app: Any,
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    staff = await signed_in(StaffRole.STAFF)
    csrf = await csrf_of(staff)
    for path, data in (
        ("/content/events/new", _event_form(csrf)),
        ("/content/services/new", _service_form(csrf)),
    ):
        assert (await staff.post(path, data=data)).status_code == 403
    listing = await staff.get("/content", params={"kind": "events"})
    assert "/content/events/new" not in listing.text
    # Staff read an event's details; the fields are disabled and there is nothing to press.
    event_page = await staff.get(f"/content/events/{content_items.event_id}")
    assert '<fieldset class="plain" disabled>' in event_page.text
    assert "Save details" not in event_page.text and "/cancel" not in event_page.text
    assert (await staff.get(f"/content/events/{content_items.event_id}/cancel")).status_code == 403
    coordinator = await signed_in(StaffRole.COORDINATOR)
    for path, data in (
        ("/content/events/new", _event_form("")),
        ("/content/services/new", _service_form("forged")),
        (f"/content/events/{content_items.event_id}/cancel", {"version": "1"}),
        (f"/content/services/{content_items.service_id}/remove", {"version": "1"}),
    ):
        assert (await coordinator.post(path, data=data)).status_code == 403, path
    await add_stuttgart_account(
        sessionmaker, email="stuttgart@hub.example", role=StaffRole.COORDINATOR
    )
    async with anonymous_client(dashboard_app) as stuttgart:
        assert (await sign_in(stuttgart, "stuttgart@hub.example", PASSWORD)).status_code == 303
        csrf = await csrf_of(stuttgart)
        form = await stuttgart.get("/content/events/new")
        assert 'value="stuttgart"' in form.text and 'value="berlin"' not in form.text
        refused = await stuttgart.post("/content/events/new", data=_event_form(csrf))
        assert refused.status_code == 400 and "Choose a hub you work for." in refused.text
        service = f"/content/services/{content_items.service_id}/remove"
        assert (await stuttgart.post(service, data={"csrf": csrf, "version": "1"})).status_code in (
            403,
            404,
        )
        added = await stuttgart.post("/content/events/new", data=_event_form(csrf, hub="stuttgart"))
        assert added.status_code == 303
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 2
        assert await session.get(Service, content_items.service_id) is not None
        refusals = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.in_(["csrf.refused", "access.refused"]))
        )
    assert refusals is not None and refusals >= 6


async def test_details_change_but_never_below_the_guests_who_have_a_place(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _guests(sessionmaker, content_items.event_id, content_items.berlin_id)
    client = await signed_in(StaffRole.COORDINATOR)
    path = f"/content/events/{content_items.event_id}"
    page = await client.get(path)
    assert f'action="{path}/details"' in page.text
    csrf = await csrf_of(client)
    details = {
        "csrf": csrf,
        "version": "1",
        "starts": _local(4, 10),
        "ends": _local(4, 12),
        "room": "Saal 2",
        "capacity": "1",
        "topics": ["events", "language_courses"],
    }
    refused = await client.post(f"{path}/details", data=details)
    assert refused.status_code == 400
    assert "2 guests already have a place: the event needs at least 2 places." in refused.text
    assert 'value="Saal 2"' in refused.text
    details["capacity"] = "2"
    assert (await client.post(f"{path}/details", data=details)).status_code == 303
    async with sessionmaker() as session:
        event = await session.get(Event, content_items.event_id)
        assert event is not None
        assert event.capacity == 2 and event.room == "Saal 2" and event.version == 2
        assert event.topics == ["events", "language_courses"]
        starts = datetime.fromisoformat(_local(4, 10)).replace(tzinfo=BERLIN)
        assert event.starts_at.replace(tzinfo=UTC) == starts.astimezone(UTC)
    [entry] = await _audit(sessionmaker, "content.details")
    assert entry.detail["changes"]["room"] == {"from": None, "to": "Saal 2"}
    # The same form again, on the version it was opened on: somebody saved in between.
    details["room"] = "Saal 3"
    conflict = await client.post(f"{path}/details", data=details)
    assert conflict.status_code == 409 and "Someone else saved this item" in conflict.text


async def test_cancelling_an_event_tells_its_guests_and_keeps_their_answers(
    dashboard_settings: Settings,
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _guests(sessionmaker, content_items.event_id, content_items.berlin_id)
    client = await signed_in(StaffRole.COORDINATOR)
    path = f"/content/events/{content_items.event_id}/cancel"
    confirm = await client.get(path)
    assert confirm.status_code == 200
    assert "Guests with a place: 2. On the waiting list: 1." in confirm.text
    events = EventService(TranslationService(None, terms=TermShield([]), timeout_s=1))
    async with sessionmaker() as session:
        # The reminder was queued already (half a day before) and has not gone out yet.
        event = await session.get(Event, content_items.event_id)
        assert event is not None
        [reminder] = await events.queue_due_reminders(
            session,
            catalogue=Catalogue.load(dashboard_settings.locales_dir),
            now=event.starts_at - timedelta(hours=12),
        )
        await session.commit()
    done = await client.post(path, data={"csrf": await csrf_of(client), "version": "1"})
    assert done.status_code == 303
    async with sessionmaker() as session:
        event = await session.get(Event, content_items.event_id)
        assert event is not None and event.cancelled
        stopped = await session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.broadcast_id == reminder.id)
        )
        assert set(stopped.all()) == {OutboxStatus.CANCELLED}
        notice = (await session.scalars(select(Broadcast).where(Broadcast.id != reminder.id))).one()
        assert notice.event_id == event.id and notice.urgent
        assert notice.status == BroadcastStatus.READY
        texts = {text.language: text.text for text in notice.texts}
        assert set(texts) == {"de", "ar"}
        assert texts["de"].startswith("Abgesagt: Nähcafé")
        assert "مقهى الخياطة" in texts["ar"], "the Arabic title from the translation memory"
        queued = (
            await session.scalars(
                select(OutboxMessage.language).where(OutboxMessage.broadcast_id == notice.id)
            )
        ).all()
        assert sorted(queued) == ["ar", "de"]
        rsvps = await session.scalar(select(func.count()).select_from(EventRsvp))
        assert rsvps == 3, "nobody's answer is dropped"
        upcoming = await events.upcoming(session, hub_id=content_items.berlin_id)
        assert event.id not in [each.id for each in upcoming]
    [entry] = await _audit(sessionmaker, "content.cancel")
    assert entry.detail["notified"] == 2 and entry.detail["waiting"] == 1
    assert entry.detail["reminders_stopped"] == 2
    page = await client.get(f"/content/events/{content_items.event_id}")
    assert "This event is cancelled." in page.text
    again = await client.post(path, data={"csrf": await csrf_of(client), "version": "2"})
    assert again.status_code == 400


async def test_a_new_service_is_named_in_answers_until_it_is_removed(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.COORDINATOR)
    csrf = await csrf_of(client)
    refused = await client.post(
        "/content/services/new",
        data=_service_form(csrf, url="javascript:alert(1)", phone="call me"),
    )
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert "The website must start with https:// or http://." in text
    assert "The phone number may hold digits" in text
    assert 'value="javascript:alert(1)"' in text and 'value="Mieterverein Nord"' in text
    for url in ("https://", "https://exa mple.org", "ftp://files.example.org"):
        bad = await client.post("/content/services/new", data=_service_form(csrf, url=url))
        assert bad.status_code == 400, url
        assert "The website must start with https:// or http://." in html.unescape(bad.text)
    missing = await client.post("/content/services/new", data=_service_form(csrf, body=""))
    assert missing.status_code == 400 and "de: title and description are required." in missing.text
    created = await client.post("/content/services/new", data=_service_form(csrf))
    assert created.status_code == 303, created.text
    async with sessionmaker() as session:
        service = await session.scalar(select(Service).where(Service.partner.is_not(None)))
        assert service is not None and service.version == 2
        assert service.slug == "berlin-housing-mietrechtsberatung"
        assert service.staff_languages == ["de", "ar"]
        service_id = service.id
    answer = await _compose(sessionmaker, content_items.berlin_id)
    assert "Mietrechtsberatung" in answer and "+49 30 1234567" in answer
    [entry] = await _audit(sessionmaker, "content.create")
    assert entry.target == f"services={service_id}"

    path = f"/content/services/{service_id}"
    changed = await client.post(
        f"{path}/details",
        data={**_service_form(csrf, phone="+49 30 7654321"), "version": "2"},
    )
    assert changed.status_code == 303
    assert "+49 30 7654321" in await _compose(sessionmaker, content_items.berlin_id)
    [entry] = await _audit(sessionmaker, "content.details")
    assert entry.detail["changes"] == {"phone": {"from": "+49 30 1234567", "to": "+49 30 7654321"}}

    confirm = await client.get(f"{path}/remove")
    assert confirm.status_code == 200 and "Mietrechtsberatung" in confirm.text
    stale = await client.post(f"{path}/remove", data={"csrf": csrf, "version": "2"})
    assert stale.status_code == 409
    removed = await client.post(f"{path}/remove", data={"csrf": csrf, "version": "3"})
    assert removed.status_code == 303
    listing = await client.get(removed.headers["location"])
    assert "The service was removed." in listing.text and "Mietrechtsberatung" not in listing.text
    assert "Mietrechtsberatung" not in await _compose(sessionmaker, content_items.berlin_id)
    assert "Wohnberatung" in await _compose(sessionmaker, content_items.berlin_id)
    [entry] = await _audit(sessionmaker, "content.remove")
    assert entry.target == "services:berlin-housing-mietrechtsberatung"


async def test_the_import_keeps_what_the_dashboard_made_changed_or_removed(
    signed_in: SignedIn,
    sessionmaker: async_sessionmaker[AsyncSession],
    content_dir: Path,
) -> None:
    async with sessionmaker() as session:
        await import_content(session, content_dir)
        await session.commit()
        tenant = await session.scalar(
            select(Service).where(Service.slug == "berlin-housing-tenant-advice")
        )
        search = await session.scalar(
            select(Service).where(Service.slug == "berlin-housing-search-help")
        )
        cafe = await session.scalar(
            select(Event).where(Event.slug == "berlin-reparaturcafe-2027-01-15")
        )
        assert tenant is not None and search is not None and cafe is not None
        berlin_id = tenant.hub_id
    client = await signed_in(StaffRole.ADMIN)
    csrf = await csrf_of(client)
    assert (
        await client.post(
            f"/content/services/{tenant.id}/remove", data={"csrf": csrf, "version": "1"}
        )
    ).status_code == 303
    moved = {"csrf": csrf, "version": "1", "starts": "2027-01-15T17:00", "ends": "2027-01-15T20:00"}
    moved.update(room="Hof", capacity="", topics="events")
    assert (await client.post(f"/content/events/{cafe.id}/details", data=moved)).status_code == 303
    made = await client.post("/content/services/new", data=_service_form(csrf))
    assert made.status_code == 303
    async with sessionmaker() as session:
        report = await import_content(session, content_dir)
        await session.commit()
    assert report.removed == ("berlin-housing-tenant-advice",)
    assert "events:berlin-reparaturcafe-2027-01-15" in report.kept
    async with sessionmaker() as session:
        slugs = set((await session.scalars(select(Service.slug))).all())
        assert "berlin-housing-tenant-advice" not in slugs
        assert (
            "berlin-housing-mietrechtsberatung" in slugs and "berlin-housing-search-help" in slugs
        )
        count = await session.scalar(
            select(func.count()).select_from(Service).where(Service.partner == "Mieterverein Nord")
        )
        assert count == 1, "not duplicated"
        cafe_now = await session.get(Event, cafe.id)
        assert cafe_now is not None and cafe_now.room == "Hof"
        assert cafe_now.starts_at.replace(tzinfo=UTC) == datetime(2027, 1, 15, 16, tzinfo=UTC)
    assert "Mietrechtsberatung" in await _compose(sessionmaker, berlin_id)
    # Told to overwrite edits, the files win for what they contain; the dashboard's own stays.
    async with sessionmaker() as session:
        report = await import_content(session, content_dir, keep_edits=False)
        await session.commit()
        slugs = set((await session.scalars(select(Service.slug))).all())
        assert {"berlin-housing-tenant-advice", "berlin-housing-mietrechtsberatung"} <= slugs
        cafe_now = await session.get(Event, cafe.id)
        assert cafe_now is not None and cafe_now.room != "Hof"
