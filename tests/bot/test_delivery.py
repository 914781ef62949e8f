"""Updates are handled once, blocked residents are noticed, webhooks are authenticated."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bot.application import HubbotApplication, build_application
from bot.web import create_web_app
from tests.bot.conftest import make_deps
from tests.bot.harness import SandboxResident
from tests.bot.test_first_conversation import onboard, stored_resident
from tests.conftest import ServeAsgi


async def test_a_redelivered_update_is_handled_once(
    application: HubbotApplication,
    resident: Callable[..., SandboxResident],
) -> None:
    person = resident("de")
    await onboard(person, "de")
    before = len(await person.messages())
    payload = {
        "update_id": 987_654,
        "message": {
            "message_id": 4242,
            "date": 1_790_000_000,
            "chat": {"id": person.user_id, "type": "private", "first_name": "Test"},
            "from": {"id": person.user_id, "is_bot": False, "first_name": "Test"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    for _ in range(3):
        await application.process_update(Update.de_json(payload, application.bot))
    assert len(await person.messages()) == before + 1


async def test_blocking_marks_the_resident_and_writing_again_unblocks(
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("tr")
    await onboard(person, "tr")
    await person.block()
    await person.send("merhaba")  # the sandbox unblocks a user who writes again
    await person.reply()
    stored = await stored_resident(sessionmaker, person)
    assert stored is not None and stored.blocked_at is None


async def test_a_blocked_resident_is_recorded(
    application: HubbotApplication,
    resident: Callable[..., SandboxResident],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = resident("tr")
    await onboard(person, "tr")
    await person.block()
    await person.settled()
    stored = await stored_resident(sessionmaker, person)
    assert stored is not None and stored.blocked_at is not None


@pytest.fixture
async def webhook_bot(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_hubs: None,
    sandbox_server: str,
    serve_asgi: ServeAsgi,
) -> AsyncIterator[tuple[HubbotApplication, str]]:
    """Run hubbot in webhook mode behind its own web server; yield it and its URL."""
    async with httpx.AsyncClient() as http:
        deps = make_deps(database_url, sandbox_server, sessionmaker, http=http)
        app = build_application(deps, with_updater=False)
        await app.initialize()
        await app.start()
        url = await serve_asgi(create_web_app(app, webhook_secret="s3cret-token"))
        await app.bot.set_webhook(url=f"{url}/telegram", secret_token="s3cret-token")
        try:
            yield app, url
        finally:
            await app.bot.delete_webhook()
            await app.stop()
            await app.shutdown()


async def test_webhook_mode_answers_through_telegram_calls(
    webhook_bot: tuple[HubbotApplication, str],
    sandbox_client: httpx.AsyncClient,
) -> None:
    application, _url = webhook_bot
    person = SandboxResident(sandbox_client, application, 77_001, "de")
    await person.send("/start")
    picker = await person.reply()
    assert picker["reply_markup"]["inline_keyboard"][0][0]["text"] == "Deutsch"


async def test_webhook_refuses_a_wrong_secret(webhook_bot: tuple[HubbotApplication, str]) -> None:
    _application, url = webhook_bot
    async with httpx.AsyncClient() as client:
        wrong = await client.post(
            f"{url}/telegram",
            json={"update_id": 1},
            headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
        )
        missing = await client.post(f"{url}/telegram", json={"update_id": 1})
    assert (wrong.status_code, missing.status_code) == (403, 403)


async def test_healthz_reports_the_database(webhook_bot: tuple[HubbotApplication, str]) -> None:
    _application, url = webhook_bot
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{url}/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
