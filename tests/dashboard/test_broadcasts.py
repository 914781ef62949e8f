"""Broadcasts in the dashboard: compose, preview, correct, approve, progress and cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.broadcasting import compose, outbox
from db.base import utcnow
from db.models import (
    AuditEntry,
    Broadcast,
    BroadcastStatus,
    Event,
    EventRsvp,
    Hub,
    OutboxMessage,
    Resident,
    RsvpStatus,
    Staff,
    StaffRole,
    Subscription,
    TranslationMemoryEntry,
)
from tests.dashboard.conftest import (
    PASSWORD,
    TRANSLATION,
    SignedIn,
    add_stuttgart_account,
    anonymous_client,
    csrf_of,
    sign_in,
)

LOCATION = re.compile(r"^/broadcasts/(\d+)")


@dataclass(frozen=True)
class Segment:
    """Two hubs and who lives there."""

    berlin: int
    stuttgart: int
    # Berlin residents subscribed to events, by language.
    events_de: int
    events_ar: int


@pytest.fixture
async def segment(sessionmaker: async_sessionmaker[AsyncSession]) -> Segment:
    """Store Berlin (de and ar subscribed to events, uk without topics) and Stuttgart (de)."""
    async with sessionmaker() as session:
        berlin = Hub(slug="berlin", city="Berlin", names={"de": "Berlin"})
        stuttgart = Hub(slug="stuttgart", city="Stuttgart", names={"de": "Stuttgart"})
        session.add_all([berlin, stuttgart])
        await session.flush()
        people = [
            (8_100_001, "de", berlin.id, ["events"]),
            (8_100_002, "ar", berlin.id, ["events", "jobs"]),
            (8_100_003, "uk", berlin.id, []),
            (8_100_004, "de", stuttgart.id, ["events"]),
        ]
        ids = []
        for user_id, language, hub_id, topics in people:
            resident = Resident(
                telegram_user_id=user_id, chat_id=user_id, language=language, hub_id=hub_id
            )
            session.add(resident)
            await session.flush()
            ids.append(resident.id)
            session.add_all(Subscription(resident_id=resident.id, topic=t) for t in topics)
        await session.commit()
        return Segment(berlin.id, stuttgart.id, ids[0], ids[1])


async def _compose(client: httpx.AsyncClient, **fields: object) -> httpx.Response:
    data: dict[str, object] = {"csrf": await csrf_of(client), "language": "de", **fields}
    return await client.post("/broadcasts/new", data=data)


async def _composed(client: httpx.AsyncClient, **fields: object) -> int:
    response = await _compose(client, **fields)
    assert response.status_code == 303, response.text
    match = LOCATION.match(response.headers["location"])
    assert match is not None
    return int(match.group(1))


async def _rows(
    sessionmaker: async_sessionmaker[AsyncSession], broadcast_id: int
) -> dict[str, set[str]]:
    """Return the outbox statuses of a broadcast by language."""
    async with sessionmaker() as session:
        rows = await session.execute(
            select(OutboxMessage.language, OutboxMessage.status).where(
                OutboxMessage.broadcast_id == broadcast_id
            )
        )
        found: dict[str, set[str]] = {}
        for language, status in rows:
            found.setdefault(language, set()).add(status)
        return found


async def _post(client: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    return await client.post(path, data={"csrf": await csrf_of(client), **fields})


async def _audited(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(select(AuditEntry.actor, AuditEntry.action))
        return [(actor, action) for actor, action in rows]


async def test_staff_compose_and_correct_a_coordinator_approves(
    signed_in: SignedIn, segment: Segment, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await signed_in(StaffRole.STAFF)
    number = await _composed(
        staff, text="Sommerfest am Samstag", hub=str(segment.berlin), topics="events"
    )
    preview = await staff.get(f"/broadcasts/{number}")
    # Berlin's residents subscribed to events: the German and the Arabic one.
    assert '<dd class="recipients">2</dd>' in preview.text
    assert "[ar] Sommerfest am Samstag" in preview.text
    assert "[uk] Sommerfest am Samstag" in preview.text
    assert "machine-translated, not reviewed" in preview.text
    assert 'name="text_ar" rows="5" dir="rtl"' in preview.text
    assert "Approve and send" not in preview.text
    refused = await _post(staff, f"/broadcasts/{number}/approve")
    assert refused.status_code == 403

    corrected = await _post(
        staff, f"/broadcasts/{number}/texts", text_ar="حفلة صيفية يوم السبت\r\nمن الساعة 15"
    )
    assert corrected.status_code == 303
    assert "Corrections saved." in (await staff.get(corrected.headers["location"])).text
    async with sessionmaker() as session:
        draft = await session.get(Broadcast, number)
        assert draft is not None and draft.status == BroadcastStatus.DRAFT
        arabic = draft.text_in("ar")
        assert arabic is not None and arabic.reviewed and not arabic.machine
        assert arabic.text == "حفلة صيفية يوم السبت\nمن الساعة 15"
        remembered = await session.scalar(
            select(TranslationMemoryEntry).where(TranslationMemoryEntry.target_language == "ar")
        )
        assert remembered is not None and remembered.reviewed
    assert await _rows(sessionmaker, number) == {}

    coordinator = await signed_in(StaffRole.COORDINATOR)
    approved = await _post(coordinator, f"/broadcasts/{number}/approve")
    assert approved.status_code == 303
    assert await _rows(sessionmaker, number) == {"de": {"pending"}, "ar": {"pending"}}
    again = await _post(coordinator, f"/broadcasts/{number}/approve")
    notice = await coordinator.get(again.headers["location"])
    assert "already approved or cancelled" in notice.text
    async with sessionmaker() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == 2
    listing = await staff.get("/broadcasts")
    assert "Sommerfest am Samstag" in listing.text and "queued" in listing.text
    actions = await _audited(sessionmaker)
    assert ("staff@hub.example", "broadcast.compose") in actions
    assert ("staff@hub.example", "broadcast.correct") in actions
    assert ("staff@hub.example", "access.refused") in actions
    assert ("coordinator@hub.example", "broadcast.approve") in actions


@pytest.mark.parametrize(
    ("fields", "recipients"),
    [
        ({}, 4),  # every hub, every language: a notice for everyone
        ({"hub": "berlin"}, 3),
        ({"hub": "berlin", "topics": ["events", "jobs"]}, 2),
        ({"topics": "jobs"}, 1),
        ({"languages": ["de", "uk"]}, 3),
        ({"hub": "stuttgart", "languages": "ar"}, 0),
    ],
)
async def test_the_recipient_count_is_the_segment_that_gets_it(
    signed_in: SignedIn,
    segment: Segment,
    sessionmaker: async_sessionmaker[AsyncSession],
    fields: dict[str, object],
    recipients: int,
) -> None:
    hubs = {"berlin": str(segment.berlin), "stuttgart": str(segment.stuttgart)}
    if "hub" in fields:
        fields = {**fields, "hub": hubs[str(fields["hub"])]}
    admin = await signed_in(StaffRole.ADMIN)
    number = await _composed(admin, text="Heute geschlossen", **fields)
    preview = await admin.get(f"/broadcasts/{number}")
    assert f'<dd class="recipients">{recipients}</dd>' in preview.text
    approved = await _post(admin, f"/broadcasts/{number}/approve")
    notice = (await admin.get(approved.headers["location"])).text
    assert ("nobody is in this target" in notice) == (recipients == 0)
    async with sessionmaker() as session:
        queued = (await session.scalars(select(OutboxMessage))).all()
        broadcast = await session.get(Broadcast, number)
    assert len(queued) == recipients
    assert broadcast is not None
    # Nobody to send to is finished at once.
    assert broadcast.status == (BroadcastStatus.DONE if recipients == 0 else BroadcastStatus.READY)


async def test_a_critical_broadcast_is_not_sent_in_an_unreviewed_language(
    signed_in: SignedIn, segment: Segment, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    number = await _composed(
        coordinator, text="Wasserschaden: heute geschlossen", hub=str(segment.berlin), critical="1"
    )
    preview = await coordinator.get(f"/broadcasts/{number}")
    assert "these languages wait until a person reviews them" in preview.text
    assert "العربية" in preview.text
    await _post(coordinator, f"/broadcasts/{number}/approve")
    assert await _rows(sessionmaker, number) == {
        "de": {"pending"},
        "ar": {"held"},
        "uk": {"held"},
    }
    # Staff may not release held recipients of a queued broadcast: that is sending.
    staff = await signed_in(StaffRole.STAFF)
    refused = await _post(staff, f"/broadcasts/{number}/texts", reviewed_ar="1")
    assert refused.status_code == 403
    assert (await _rows(sessionmaker, number))["ar"] == {"held"}
    # A coordinator checks the Arabic machine translation: Arabic goes out, Ukrainian waits.
    reviewed = await _post(coordinator, f"/broadcasts/{number}/texts", reviewed_ar="1")
    assert reviewed.status_code == 303
    assert await _rows(sessionmaker, number) == {
        "de": {"pending"},
        "ar": {"pending"},
        "uk": {"held"},
    }


async def test_cancel_stops_what_is_not_sent(
    signed_in: SignedIn, segment: Segment, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    number = await _composed(coordinator, text="Heute geschlossen", hub=str(segment.berlin))
    await _post(coordinator, f"/broadcasts/{number}/approve")
    async with sessionmaker() as session:
        # The worker already sent the German copy.
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.resident_id == segment.events_de)
            .values(status="sent", sent_at=utcnow())
        )
        await session.commit()
    listing = await coordinator.get("/broadcasts")
    assert f'action="/broadcasts/{number}/cancel"' in listing.text
    staff = await signed_in(StaffRole.STAFF)
    assert f'action="/broadcasts/{number}/cancel"' not in (await staff.get("/broadcasts")).text
    assert (await _post(staff, f"/broadcasts/{number}/cancel")).status_code == 403

    cancelled = await _post(coordinator, f"/broadcasts/{number}/cancel")
    assert cancelled.status_code == 303
    assert await _rows(sessionmaker, number) == {
        "de": {"sent"},
        "ar": {"cancelled"},
        "uk": {"cancelled"},
    }
    page = await coordinator.get(f"/broadcasts/{number}")
    assert "cancelled" in page.text and '<dd class="sent">1</dd>' in page.text
    assert f'action="/broadcasts/{number}/cancel"' not in page.text
    assert ("coordinator@hub.example", "broadcast.cancel") in await _audited(sessionmaker)


async def test_forms_without_the_csrf_token_change_nothing(
    signed_in: SignedIn, segment: Segment, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin = await signed_in(StaffRole.ADMIN)
    forged = await admin.post("/broadcasts/new", data={"text": "Hallo", "language": "de"})
    assert forged.status_code == 403
    number = await _composed(admin, text="Hallo")
    for action in ("approve", "discard", "texts"):
        response = await admin.post(f"/broadcasts/{number}/{action}", data={"csrf": "forged"})
        assert response.status_code == 403
    async with sessionmaker() as session:
        assert len((await session.scalars(select(Broadcast))).all()) == 1
        broadcast = await session.get(Broadcast, number)
        assert broadcast is not None and broadcast.status == BroadcastStatus.DRAFT
    assert await _rows(sessionmaker, number) == {}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "  "}, "Write the message."),
        ({"text": "x" * 3501}, "The message is too long."),
        ({"text": "Hallo", "language": "xx"}, "Choose the language"),
        ({"text": "Hallo", "hub": "999999"}, "There is no such hub."),
        ({"text": "Hallo", "hub": "berlin"}, "There is no such hub."),
        ({"text": "Hallo", "hub": "9" * 30}, "There is no such hub."),
        ({"text": "Hallo", "event": "999999"}, "This event is not open"),
        ({"text": "Hallo", "event": "9" * 30}, "This event is not open"),
        ({"text": "Hallo", "send_at": "morgen früh"}, "I could not read this time."),
        ({"text": "Hallo", "send_at": "2020-01-01T09:00"}, "This time has passed."),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_stored(
    signed_in: SignedIn,
    segment: Segment,
    sessionmaker: async_sessionmaker[AsyncSession],
    fields: dict[str, str],
    message: str,
) -> None:
    admin = await signed_in(StaffRole.ADMIN)
    response = await _compose(admin, **fields)
    assert response.status_code == 400
    assert message in response.text
    async with sessionmaker() as session:
        assert (await session.scalars(select(Broadcast))).all() == []


async def test_a_hub_member_sends_only_to_their_hub_and_sees_only_its_broadcasts(
    dashboard_app: Starlette,
    staff_accounts: None,
    segment: Segment,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_stuttgart_account(sessionmaker, email="lena@hub.example", role=StaffRole.COORDINATOR)
    admin_number = 0
    async with anonymous_client(dashboard_app) as admin:
        await sign_in(admin, "admin@hub.example", PASSWORD)
        admin_number = await _composed(admin, text="Berlin only", hub=str(segment.berlin))
    async with anonymous_client(dashboard_app) as lena:
        await sign_in(lena, "lena@hub.example", PASSWORD)
        form = await lena.get("/broadcasts/new")
        assert "All hubs" not in form.text and ">Berlin<" not in form.text
        refused = await _compose(lena, text="Hallo", hub=str(segment.berlin))
        assert refused.status_code == 400
        # Without a hub chosen, their own hub is the target.
        number = await _composed(lena, text="Hallo Stuttgart")
        assert '<dd class="recipients">1</dd>' in (await lena.get(f"/broadcasts/{number}")).text
        assert (await lena.get(f"/broadcasts/{admin_number}")).status_code == 404
        assert (await _post(lena, f"/broadcasts/{admin_number}/approve")).status_code == 404
        assert "Berlin only" not in (await lena.get("/broadcasts")).text


async def test_a_scheduled_broadcast_waits_until_the_hub_time(
    signed_in: SignedIn, segment: Segment, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    local = (datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(days=2)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    number = await _composed(
        coordinator,
        text="Sprechstunde",
        hub=str(segment.berlin),
        send_at=local.strftime("%Y-%m-%dT%H:%M"),
    )
    page = await coordinator.get(f"/broadcasts/{number}")
    assert f"Sent at {local.strftime('%Y-%m-%d %H:%M')}." in page.text
    await _post(coordinator, f"/broadcasts/{number}/approve")
    async with sessionmaker() as session:
        times = set((await session.scalars(select(OutboxMessage.not_before))).all())
    assert times == {local.astimezone(UTC)}


async def test_the_guests_of_an_event_are_the_recipients(
    signed_in: SignedIn, segment: Segment, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        start = utcnow() + timedelta(days=3)
        event = Event(
            slug="naehcafe",
            hub_id=segment.berlin,
            titles={"de": "Nähcafé"},
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=1,
        )
        session.add(event)
        await session.flush()
        session.add(
            EventRsvp(event_id=event.id, resident_id=segment.events_ar, status=RsvpStatus.GOING)
        )
        session.add(
            EventRsvp(event_id=event.id, resident_id=segment.events_de, status=RsvpStatus.WAITING)
        )
        await session.commit()
        event_id = event.id
    coordinator = await signed_in(StaffRole.COORDINATOR)
    form = await coordinator.get("/broadcasts/new")
    assert "berlin: Nähcafé" in form.text
    number = await _composed(coordinator, text="Der Raum ändert sich", event=str(event_id))
    assert '<dd class="recipients">1</dd>' in (await coordinator.get(f"/broadcasts/{number}")).text
    await _post(coordinator, f"/broadcasts/{number}/approve")
    assert await _rows(sessionmaker, number) == {"ar": {"pending"}}


async def test_the_dashboard_and_the_chat_write_the_same_rows(
    signed_in: SignedIn, segment: Segment, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    admin = await signed_in(StaffRole.ADMIN)
    number = await _composed(admin, text="Sommerfest", hub=str(segment.berlin), topics="events")
    await _post(admin, f"/broadcasts/{number}/texts", text_ar="حفلة صيفية")
    await _post(admin, f"/broadcasts/{number}/approve")
    # The same broadcast as the /broadcast conversation composes it, step by step.
    async with sessionmaker() as session:
        staff = await session.scalar(select(Staff).where(Staff.email == "admin@hub.example"))
        assert staff is not None
        chat = await compose.start(
            session, staff=staff, staff_user_id=99, chat_id=99, language="de"
        )
        compose.set_text(chat, "Sommerfest")
        chat.hub_id = segment.berlin
        compose.toggle_topic(chat, "events")
        await compose.translate(session, chat, TRANSLATION)
        await compose.correct(session, chat, "ar", "حفلة صيفية")
        assert await compose.confirm(session, chat) == 2
        await session.commit()
        chat_id = chat.id

    async def shape(broadcast_id: int) -> tuple[object, ...]:
        async with sessionmaker() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            assert broadcast is not None
            rows = await session.execute(
                select(OutboxMessage.resident_id, OutboxMessage.language, OutboxMessage.status)
                .where(OutboxMessage.broadcast_id == broadcast_id)
                .order_by(OutboxMessage.resident_id)
            )
            texts = sorted((t.language, t.text, t.machine, t.reviewed) for t in broadcast.texts)
            fields = (broadcast.status, broadcast.hub_id, broadcast.topics, broadcast.critical)
            return fields, texts, list(rows)

    assert await shape(number) == await shape(chat_id)
    async with sessionmaker() as session:
        assert set((await outbox.progress(session, [number, chat_id])).values()) == {
            outbox.Progress(pending=2)
        }


async def test_the_broadcast_pages_speak_german(signed_in: SignedIn, segment: Segment) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    await _post(coordinator, "/language", language="de", next="/broadcasts")
    number = await _composed(coordinator, text="Heute geschlossen", hub=str(segment.berlin))
    preview = await coordinator.get(f"/broadcasts/{number}")
    assert "Freigeben und senden" in preview.text and "wartet auf Freigabe" in preview.text
    form = await coordinator.get("/broadcasts/new")
    assert "Neue Rundnachricht" in form.text and "Geschrieben auf" in form.text
    refused = await _compose(coordinator, text="")
    assert "Schreiben Sie die Nachricht." in refused.text


async def test_unknown_broadcasts_are_not_found(signed_in: SignedIn, segment: Segment) -> None:
    admin = await signed_in(StaffRole.ADMIN)
    for number in ("424242", "9" * 30):
        assert (await admin.get(f"/broadcasts/{number}")).status_code == 404
        assert (await _post(admin, f"/broadcasts/{number}/approve")).status_code == 404
    stored = await _composed(admin, text="Null\x00byte\r\nzweite Zeile")
    assert "Null" in (await admin.get(f"/broadcasts/{stored}")).text
