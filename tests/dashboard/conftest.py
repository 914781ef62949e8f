"""Fixtures: the dashboard on a real database, staff of every role, residents' messages."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.config import Settings
from bot.services.translation import TermShield, TranslationService, source_hash
from dashboard import create_app
from dashboard.accounts import add_account
from dashboard.keys import DashboardKeys
from db.base import utcnow
from db.models import (
    Answer,
    AnswerText,
    Broadcast,
    BroadcastText,
    Event,
    Handover,
    HandoverMessage,
    Hub,
    MessageLog,
    Programme,
    ProgrammeRun,
    Resident,
    ReviewStatus,
    Service,
    ServiceText,
    StaffRole,
    TranslationMemoryEntry,
)
from tests.support import free_port

PASSWORD = "correct horse battery staple"
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
KEYS = DashboardKeys(secret=b"test-secret", pseudonym=b"test-pseudonyms")
TINY_NLU = Path(__file__).resolve().parents[1] / "tiny_nlu"


class BracketProvider:
    """A machine translation that marks its output: "[ar] text"."""

    name = "bracket"

    async def translate(self, text: str, *, source: str, target: str) -> str:
        """Return the text with the target language in front."""
        return f"[{target}] {text}"


TRANSLATION = TranslationService(BracketProvider(), terms=TermShield([]), timeout_s=3.0)


def email_of(role: StaffRole) -> str:
    """Return the test account's e-mail address for a role."""
    return f"{role.value}@hub.example"


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    """Return a copy of the tiny NLU project, so annotations are never written into nlu_data/."""
    return Path(shutil.copytree(TINY_NLU, tmp_path / "nlu_data"))


@pytest.fixture
def dashboard_settings(database_url: str, nlu_dir: Path, tmp_path: Path) -> Settings:
    """Return settings for a dashboard on the test database and a tiny NLU project."""
    return Settings(
        database_url=database_url,
        retention_interval_s=0,
        staff_language="en",
        # Nothing listens there: a message for a resident finds Telegram down.
        sandbox_port=free_port(),
        nlu_data_dir=nlu_dir,
        # Talent labels are exported under it: never into the checkout's content/.
        content_dir=tmp_path / "content",
        models_dir=tmp_path / "models",
        nlu_model_cache=tmp_path / "nlu-cache",
        retrain_config=TINY_NLU / "config.yml",
        # Nothing listens on the discard port: retraining fails at once unless a test
        # points this at a (fake or real) NLU server.
        nlu_url="http://127.0.0.1:9",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def dashboard_app(
    dashboard_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Starlette]:
    """Yield the dashboard app on the test database; close its connections afterwards."""
    app = create_app(
        dashboard_settings, sessionmaker=sessionmaker, keys=KEYS, translation=TRANSLATION
    )
    yield app
    # The test clients call the app directly, without its lifespan, which would close them.
    await app.state.dashboard.line.close()


@pytest.fixture
async def staff_accounts(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Create one account per role, all with PASSWORD."""
    async with sessionmaker() as session:
        for role in StaffRole:
            await add_account(session, email=email_of(role), role=role, password=PASSWORD)
        await session.commit()


@dataclass
class Conversations:
    """Ids of the residents and messages the tests look at."""

    resident_id: int
    arabic_resident_id: int
    script_message_id: int
    unanswered_message_id: int
    formula_message_id: int
    old_message_id: int
    handover_id: int


@pytest.fixture
async def conversations(sessionmaker: async_sessionmaker[AsyncSession]) -> Conversations:
    """Store two residents' conversations: a script injection, an unanswered Arabic question."""
    now = utcnow()
    async with sessionmaker() as session:
        hub = Hub(slug="berlin", city="Berlin", names={"de": "Berlin"})
        session.add(hub)
        await session.flush()
        resident = Resident(telegram_user_id=424242, chat_id=424242, language="de", hub_id=hub.id)
        arabic = Resident(telegram_user_id=515151, chat_id=515151, language="ar", hub_id=hub.id)
        session.add_all([resident, arabic])
        await session.flush()

        def message(resident_id: int, text: str | None, **fields: object) -> MessageLog:
            row = MessageLog(resident_id=resident_id, direction="in", text=text, **fields)
            session.add(row)
            return row

        script = message(
            resident.id,
            "<script>alert('x')</script> Wo ist das Jobcenter?",
            language="de",
            intent="jobcenter",
            confidence=0.91,
            outcome="answered",
            helpful=False,
            created_at=now - timedelta(hours=3),
        )
        session.add(
            MessageLog(
                resident_id=resident.id,
                direction="out",
                text="Das Jobcenter ist in der Hauptstraße 1.",
                created_at=now - timedelta(hours=3) + timedelta(seconds=1),
            )
        )
        formula = message(
            resident.id,
            "=1+1",
            language="de",
            intent="=1+1",
            confidence=0.5,
            outcome="answered",
            created_at=now - timedelta(hours=2),
        )
        unanswered = message(
            arabic.id,
            "أين أجد دورة لغة ألمانية مجانية؟",
            language="ar",
            intent="language_course",
            confidence=0.21,
            scores=[["language_course", 0.21], ["job_support", 0.19], ["events", 0.12]],
            outcome="unsure",
            created_at=now - timedelta(hours=1),
        )
        old = message(
            arabic.id,
            "سؤال قديم جدا",
            language="ar",
            intent="housing",
            confidence=0.8,
            outcome="answered",
            created_at=now - timedelta(days=200),
        )
        handover = Handover(resident_id=arabic.id, hub_id=hub.id, language="ar")
        session.add(handover)
        await session.flush()
        session.add(
            HandoverMessage(
                handover_id=handover.id,
                direction="in",
                text="<script>alert('t')</script> أحتاج مساعدة في رسالة من مكتب العمل",
                language="ar",
                translation="I need help with a letter from the job centre",
                translation_language="en",
                created_at=now - timedelta(minutes=30),
            )
        )
        await session.commit()
        return Conversations(
            resident_id=resident.id,
            arabic_resident_id=arabic.id,
            script_message_id=script.id,
            unanswered_message_id=unanswered.id,
            formula_message_id=formula.id,
            old_message_id=old.id,
            handover_id=handover.id,
        )


@pytest.fixture
async def draft_broadcast(
    sessionmaker: async_sessionmaker[AsyncSession], conversations: Conversations
) -> int:
    """Store a draft composed in the dashboard for the residents' hub; return its id."""
    async with sessionmaker() as session:
        hub_id = await session.scalar(select(Hub.id).where(Hub.slug == "berlin"))
        broadcast = Broadcast(
            staff_user_id=0,
            staff_chat_id=0,
            step="review",
            source_language="de",
            text="Heute geschlossen",
            hub_id=hub_id,
            texts=[BroadcastText(language="de", text="Heute geschlossen", reviewed=True)],
        )
        session.add(broadcast)
        await session.commit()
        return broadcast.id


def anonymous_client(app: Starlette) -> httpx.AsyncClient:
    """Return a client without a session, over https so Secure cookies are kept."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="https://testserver",
        headers={"accept-language": "en"},
    )


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    """Fill in and send the sign-in form."""
    form = await client.get("/login")
    token = LOGIN_TOKEN.search(form.text)
    assert token is not None, form.text
    return await client.post(
        "/login", data={"login_token": token.group(1), "email": email, "password": password}
    )


async def csrf_of(client: httpx.AsyncClient) -> str:
    """Return the session's CSRF token from a page."""
    page = await client.get("/conversations")
    match = CSRF.search(page.text)
    assert match is not None
    return match.group(1)


async def add_stuttgart_account(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    email: str,
    role: StaffRole,
    create_hub: bool = False,
) -> None:
    """Add an account at the Stuttgart hub (creating the hub first if asked), whose staff must
    not see into Berlin's residents and content."""
    async with sessionmaker() as session:
        if create_hub:
            session.add(Hub(slug="stuttgart", city="Stuttgart", names={"de": "Stuttgart"}))
            await session.flush()
        await add_account(session, email=email, role=role, password=PASSWORD, hub_slug="stuttgart")
        await session.commit()


SignedIn = Callable[[StaffRole], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def signed_in(dashboard_app: Starlette, staff_accounts: None) -> AsyncIterator[SignedIn]:
    """Yield a function that returns a client signed in with a role."""
    clients: list[httpx.AsyncClient] = []

    async def make(role: StaffRole) -> httpx.AsyncClient:
        client = anonymous_client(dashboard_app)
        clients.append(client)
        response = await sign_in(client, email_of(role), PASSWORD)
        assert response.status_code == 303, response.text
        return client

    yield make
    for client in clients:
        await client.aclose()


@dataclass
class ContentItems:
    """Ids of the hub content the content and translation tests edit."""

    berlin_id: int
    answer_id: int
    service_id: int
    programme_id: int
    event_id: int
    translation_id: int


@pytest.fixture
async def content_items(sessionmaker: async_sessionmaker[AsyncSession]) -> ContentItems:
    """Store an answer for every hub, a Berlin service, a programme, an event, a translation."""
    async with sessionmaker() as session:
        berlin = await session.scalar(select(Hub).where(Hub.slug == "berlin"))
        if berlin is None:
            berlin = Hub(slug="berlin", city="Berlin", names={"de": "Berlin"})
            session.add(berlin)
        session.add(Hub(slug="stuttgart", city="Stuttgart", names={"de": "Stuttgart"}))
        await session.flush()
        answer = Answer(
            intent="housing",
            hub_id=None,
            texts=[
                AnswerText(language="de", text="Wohnungssuche: fragen Sie im {hub}."),
                AnswerText(language="en", text="Looking for a flat: ask at {hub}."),
                AnswerText(
                    language="ar",
                    text="البحث عن شقة: اسأل في المركز.",
                    status=ReviewStatus.MACHINE_TRANSLATED,
                ),
            ],
        )
        service = Service(
            slug="berlin-housing-advice",
            hub_id=berlin.id,
            intent="housing",
            texts=[ServiceText(language="de", title="Wohnberatung", body="Dienstags.")],
        )
        programme = Programme(
            slug="kitchen-lab",
            names={"de": "Küchenlabor", "en": "Kitchen lab"},
            summaries={"de": "Kochen", "en": "Cooking"},
            descriptions={"de": "Gemeinsam kochen.", "en": "Cooking together."},
        )
        start = utcnow() + timedelta(days=3)
        event = Event(
            slug="sewing-cafe",
            hub_id=berlin.id,
            titles={"de": "Nähcafé"},
            descriptions={"de": "Nähen und reden."},
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        entry = TranslationMemoryEntry(
            source_hash=source_hash("Nähcafé", "de"),
            source_language="de",
            target_language="ar",
            source_text="Nähcafé",
            text="مقهى الخياطة الآلي",
            provider="libretranslate",
        )
        session.add_all([answer, service, programme, event, entry])
        await session.flush()
        session.add(
            ProgrammeRun(
                programme_id=programme.id,
                hub_id=berlin.id,
                capacity=10,
                coordinator_name="Aylin",
            )
        )
        await session.commit()
        return ContentItems(
            berlin_id=berlin.id,
            answer_id=answer.id,
            service_id=service.id,
            programme_id=programme.id,
            event_id=event.id,
            translation_id=entry.id,
        )
