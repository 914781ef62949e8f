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
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.config import Settings
from dashboard import create_app
from dashboard.accounts import add_account
from dashboard.keys import DashboardKeys
from db.base import utcnow
from db.models import Hub, MessageLog, Resident, StaffRole

PASSWORD = "correct horse battery staple"
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
KEYS = DashboardKeys(secret=b"test-secret", pseudonym=b"test-pseudonyms")
TINY_NLU = Path(__file__).resolve().parents[1] / "tiny_nlu"


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
        nlu_data_dir=nlu_dir,
        models_dir=tmp_path / "models",
        nlu_model_cache=tmp_path / "nlu-cache",
        retrain_config=TINY_NLU / "config.yml",
        # Nothing listens on the discard port: retraining fails at once unless a test
        # points this at a (fake or real) NLU server.
        nlu_url="http://127.0.0.1:9",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def dashboard_app(
    dashboard_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> Starlette:
    """Return the dashboard app on the test database."""
    return create_app(dashboard_settings, sessionmaker=sessionmaker, keys=KEYS)


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
        await session.commit()
        return Conversations(
            resident_id=resident.id,
            arabic_resident_id=arabic.id,
            script_message_id=script.id,
            unanswered_message_id=unanswered.id,
            formula_message_id=formula.id,
            old_message_id=old.id,
        )


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
