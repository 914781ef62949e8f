"""Fixtures: a migrated database on SQLite and on PostgreSQL, and hubbot on the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import ConsoleMessage, Page, async_playwright
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp

from bot.config import PROJECT_ROOT
from bot.sandbox import SandboxConfig, create_sandbox_app
from db import migrate
from db.base import Base
from db.content import import_content
from db.engine import create_engine, create_sessionmaker
from tests.support import serving

# python-telegram-bot 22 warns on every 429 unless it may use timedeltas for retry_after.
os.environ.setdefault("PTB_TIMEDELTA", "1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ServeAsgi = Callable[[ASGIApp], Awaitable[str]]

POSTGRES_ADMIN_DSN = os.environ.get(
    "HUBBOT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return a fresh, migrated SQLite database."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'hubbot.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """Create a fresh PostgreSQL database for this run, migrate it, drop it afterwards."""
    name = f"hubbot_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Yield a session factory on an empty database; empty it again afterwards."""
    engine = create_engine(database_url)
    factory = create_sessionmaker(engine)
    await _empty(factory)
    try:
        yield factory
    finally:
        await _empty(factory)
        await engine.dispose()


async def _empty(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))
        await session.commit()


@pytest.fixture
def content_dir() -> Path:
    """Return the demo content folder."""
    return PROJECT_ROOT / "content"


@pytest.fixture
async def demo_hubs(sessionmaker: async_sessionmaker[AsyncSession], content_dir: Path) -> None:
    """Load the demo hubs."""
    async with sessionmaker() as session:
        await import_content(session, content_dir)
        await session.commit()


@pytest.fixture
async def serve_asgi() -> AsyncIterator[ServeAsgi]:
    """Yield a function that serves an ASGI app until the test ends and returns its base URL."""
    async with contextlib.AsyncExitStack() as stack:

        async def serve(app: ASGIApp) -> str:
            return await stack.enter_async_context(serving(app))

        yield serve


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Return the sandbox settings; parametrize this fixture to change limits."""
    return SandboxConfig(webhook_retry_s=0.05)


@pytest.fixture
async def sandbox_server(serve_asgi: ServeAsgi, sandbox_config: SandboxConfig) -> str:
    """Serve a fresh sandbox and return its base URL, e.g. http://127.0.0.1:41234."""
    return await serve_asgi(create_sandbox_app(sandbox_config))


def console_errors(page: Page, *, expected: str | None = None) -> list[str]:
    """Collect the page's console errors from now on; a browser test asserts there are none.

    `expected` leaves out the errors that contain it (a form refused on purpose logs its 400).
    """
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" and (expected is None or expected not in message.text):
            errors.append(message.text)

    page.on("console", note)
    return errors


async def sign_in_on(page: Page, email: str, password: str) -> None:
    """Fill in the dashboard's sign-in form on the page and send it."""
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


@pytest.fixture
async def browser_page() -> AsyncIterator[Page]:
    """Yield a page of Debian's headless chromium (never a downloaded browser)."""
    if not CHROMIUM.exists():  # noqa: ASYNC240
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium)",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(locale="en-US")
            page = await context.new_page()
            yield page
            await context.close()
        finally:
            await browser.close()
