"""In Debian's chromium: sign in, filter to unanswered questions, open a conversation; send a
broadcast that the worker delivers to sandbox chats."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.sandbox import SandboxConfig, create_sandbox_app
from dashboard import create_app
from db.models import Hub, StaffRole
from tests.bot.broadcasting.support import (
    add_residents,
    person,
    received,
    running_worker,
    until_settled,
    worker_settings,
)
from tests.bot.harness import visible
from tests.conftest import ServeAsgi, console_errors, sign_in_on
from tests.dashboard.conftest import KEYS, PASSWORD, TRANSLATION, Conversations, email_of


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("secure_cookies", [True, False], ids=["secure", "plain-http"])
async def test_sign_in_filter_unanswered_open_conversation(
    sessionmaker: async_sessionmaker[AsyncSession],
    staff_accounts: None,
    conversations: Conversations,
    dashboard_settings: Settings,
    browser_page: Page,
    serve_asgi: ServeAsgi,
    secure_cookies: bool,
) -> None:
    # serve_asgi comes after the database fixtures, so the server stops before they close.
    settings = dashboard_settings.model_copy(update={"dashboard_secure_cookies": secure_cookies})
    base = await serve_asgi(create_app(settings, sessionmaker=sessionmaker, keys=KEYS))
    problems = console_errors(browser_page)
    page = browser_page
    await page.goto(f"{base}/conversations")
    assert page.url.startswith(f"{base}/login")
    await sign_in_on(page, email_of(StaffRole.STAFF), PASSWORD)
    await page.wait_for_url(f"{base}/conversations")
    await page.get_by_label("Unanswered", exact=True).check()
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**/conversations?*unanswered=1*")
    rows = page.locator("tr.question")
    assert await rows.count() == 1
    assert "دورة لغة" in await rows.first.inner_text()
    await rows.first.get_by_role("link").click()
    await page.wait_for_url(f"**/conversations/{conversations.arabic_resident_id}*")
    question = page.locator(f"#m{conversations.unanswered_message_id} .text")
    assert await question.get_attribute("dir") == "rtl"
    assert (
        "language_course"
        in await page.locator(f"#m{conversations.unanswered_message_id}").inner_text()
    )
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_send_a_broadcast(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    staff_accounts: None,
    dashboard_settings: Settings,
    browser_page: Page,
    serve_asgi: ServeAsgi,
) -> None:
    sandbox = await serve_asgi(create_sandbox_app(SandboxConfig()))
    async with sessionmaker() as session:
        session.add(Hub(slug="berlin", city="Berlin", names={"de": "Berlin", "en": "Berlin"}))
        await session.commit()
    german, arab, unsubscribed = (
        person("de", topics=["events"]),
        person("ar", topics=["events"]),
        person("de"),
    )
    async with httpx.AsyncClient(base_url=sandbox, timeout=10) as chats:
        await add_residents(sessionmaker, chats, [german, arab, unsubscribed])
    settings = dashboard_settings.model_copy(update={"dashboard_secure_cookies": False})
    base = await serve_asgi(
        create_app(settings, sessionmaker=sessionmaker, keys=KEYS, translation=TRANSLATION)
    )
    page = browser_page
    problems = console_errors(page)

    await page.goto(f"{base}/broadcasts")
    await sign_in_on(page, email_of(StaffRole.COORDINATOR), PASSWORD)
    await page.wait_for_url(f"{base}/broadcasts")
    await page.get_by_role("link", name="New broadcast").click()
    await page.get_by_label("Message").fill("Sommerfest am Samstag ab 15 Uhr")
    await page.get_by_label("Written in").select_option(label="Deutsch")
    await page.locator('select[name="hub"]').select_option(label="Berlin")
    await page.get_by_label("Events", exact=True).check()
    await page.get_by_role("button", name="Preview").click()
    await page.wait_for_url(re.compile(rf"{base}/broadcasts/\d+$"))
    assert await page.locator("dd.recipients").inner_text() == "2"
    arabic = page.get_by_label("Text in العربية")
    assert await arabic.input_value() == "[ar] Sommerfest am Samstag ab 15 Uhr"
    assert "machine-translated, not reviewed" in await page.locator("#lang-ar").inner_text()
    await arabic.fill("حفلة صيفية يوم السبت من الساعة 15")
    await page.get_by_role("button", name="Save corrections").click()
    await page.get_by_text("Corrections saved.").wait_for()
    assert "reviewed" in await page.locator("#lang-ar .state").inner_text()
    await page.get_by_role("button", name="Approve and send").click()
    await page.get_by_text("Approved").wait_for()
    number = int(page.url.rsplit("/", 1)[1].split("?")[0])

    async with httpx.AsyncClient(base_url=sandbox, timeout=10) as chats:
        async with running_worker(worker_settings(database_url, sandbox), sessionmaker):
            assert (await until_settled(sessionmaker, number)).sent == 2
        [to_german] = await received(chats, german.user_id)
        [to_arab] = await received(chats, arab.user_id)
        assert await received(chats, unsubscribed.user_id) == []
    assert to_german.startswith("📢 Sommerfest am Samstag ab 15 Uhr")
    assert "حفلة صيفية يوم السبت" in visible(to_arab)
    assert "[ar]" not in to_arab

    await page.goto(f"{base}/broadcasts")
    row = page.locator(f"#b{number}")
    assert await row.locator("td.status").inner_text() == "done"
    assert not problems, problems
