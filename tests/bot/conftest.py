"""hubbot running against a fresh sandbox, on each database."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.application import HubbotApplication
from bot.config import PROJECT_ROOT, Settings
from bot.context import Dependencies
from bot.i18n import Catalogue
from bot.services.answers import ContentAnswerService
from bot.services.events import EventService
from bot.services.flows import FlowService
from bot.services.intent_search import IntentSearch, read_examples
from bot.services.language import MessageLanguage
from bot.services.nlu import NluClient
from bot.services.safety import SafetyCheck
from bot.services.talent import INTAKE, build_talent_service
from bot.services.translation import (
    LibreTranslateProvider,
    TermShield,
    TranslationProvider,
    TranslationService,
)
from db.content import read_term_explanations, read_terms
from flows import load_definitions
from tests.bot.harness import SandboxResident, polling
from tests.conftest import ServeAsgi
from tests.fakes import FakeLibreTranslate
from tests.support import free_port

# Far above any serial id, so that "no row still holds their id" cannot hit an unrelated row.
_user_ids = itertools.count(7_100_000_001)
# The NLU server is not part of these tests: the fallback search understands instead.
SEARCH = IntentSearch(read_examples(PROJECT_ROOT / "nlu_data" / "data"))
SAFETY = SafetyCheck.load(PROJECT_ROOT / "content")
TERMS = read_terms(PROJECT_ROOT / "content")
LANGUAGE = MessageLanguage(office_terms=set(TERMS))
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
TALENT = build_talent_service(
    PROJECT_ROOT / "content" / "skills",
    semantic=True,
    cache_dir=SETTINGS.embedding_cache,
    engine=SETTINGS.e5_engine,
)
FLOWS = FlowService(load_definitions(), {INTAKE: TALENT.host})


@pytest.fixture(scope="session", autouse=True)
def embedded_talent_passages() -> None:
    """Embed the talent passages once, before any conversation waits on it (cached on disk)."""
    if TALENT.matcher.semantic is not None:
        TALENT.matcher.semantic.warm_up()


def make_settings(database_url: str, sandbox_url: str, **overrides: object) -> Settings:
    """Return settings that point hubbot at a test database and sandbox."""
    port = int(sandbox_url.rsplit(":", 1)[1])
    values: dict[str, object] = {
        "database_url": database_url,
        "telegram_bot_token": None,
        "sandbox_host": "127.0.0.1",
        "sandbox_port": port,
        "bot_port": free_port(),
        "locales_dir": PROJECT_ROOT / "locales",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_deps(
    database_url: str,
    sandbox_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    http: httpx.AsyncClient,
    nlu: NluClient | None = None,
    translation_provider: TranslationProvider | None = None,
    **overrides: object,
) -> Dependencies:
    """Return hubbot's dependencies for a test database and sandbox."""
    settings = make_settings(database_url, sandbox_url, **overrides)
    translation = TranslationService(
        translation_provider,
        terms=TermShield(TERMS, read_term_explanations(PROJECT_ROOT / "content")),
        timeout_s=settings.translation_timeout_s,
    )
    return Dependencies(
        settings=settings,
        engine=sessionmaker.kw["bind"],
        sessionmaker=sessionmaker,
        catalogue=Catalogue.load(settings.locales_dir),
        answers=ContentAnswerService(nlu=nlu, search=SEARCH, threshold=settings.nlu_confidence),
        http=http,
        nlu=nlu,
        languages=LANGUAGE,
        safety=SAFETY,
        translation=translation,
        events=EventService(translation),
        talent=TALENT,
        flows=FLOWS,
    )


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Return settings a test module wants changed, e.g. a staff chat."""
    return {}


@pytest.fixture
def translation_provider() -> TranslationProvider | None:
    """Return the machine translation provider; none unless a test module sets one."""
    return None


@pytest.fixture
async def fake_translation_provider(
    serve_asgi: ServeAsgi, fake_translator: FakeLibreTranslate
) -> AsyncIterator[LibreTranslateProvider]:
    """Serve the module's `fake_translator` script; return a provider that asks it."""
    url = await serve_asgi(fake_translator.app())
    async with httpx.AsyncClient() as http:
        yield LibreTranslateProvider(http, url=url, api_key=None)


@pytest.fixture
def nlu_client() -> NluClient | None:
    """Return the NLU client hubbot uses; None (the fallback search) unless overridden."""
    return None


@pytest.fixture
async def application(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_hubs: None,
    sandbox_server: str,
    nlu_client: NluClient | None,
    translation_provider: TranslationProvider | None,
    settings_overrides: dict[str, object],
) -> AsyncIterator[HubbotApplication]:
    """Run hubbot, polling the sandbox, until the test ends."""
    async with httpx.AsyncClient() as http:
        deps = make_deps(
            database_url,
            sandbox_server,
            sessionmaker,
            http=http,
            nlu=nlu_client,
            translation_provider=translation_provider,
            **settings_overrides,
        )
        async with polling(deps) as app:
            yield app


@pytest.fixture
async def sandbox_client(sandbox_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """Yield an HTTP client for the sandbox's human-side API."""
    async with httpx.AsyncClient(base_url=sandbox_server, timeout=10) as client:
        yield client


@pytest.fixture
def resident(
    application: HubbotApplication, sandbox_client: httpx.AsyncClient
) -> Callable[..., SandboxResident]:
    """Return a factory of new people chatting with hubbot."""

    def new(language_code: str = "de", first_name: str = "Test") -> SandboxResident:
        return SandboxResident(
            sandbox_client, application, next(_user_ids), language_code, first_name
        )

    return new


@pytest.fixture
async def staff_member(
    resident: Callable[..., SandboxResident], settings_overrides: dict[str, object]
) -> SandboxResident:
    """Return the staff member whose private chat is the staff chat, chat already open."""
    staff = resident("de")
    staff.user_id = int(str(settings_overrides["staff_chat_id"]))
    await staff.send("Hallo")  # a bot can only write to a chat the person opened
    await staff.replies()
    return staff


@pytest.fixture
def project_root() -> Path:
    """Return the repository root."""
    return PROJECT_ROOT
