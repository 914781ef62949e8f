"""In Debian's chromium: sign in, filter to unanswered questions, open a conversation."""

from __future__ import annotations

import pytest
from playwright.async_api import ConsoleMessage, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from dashboard import create_app
from db.models import StaffRole
from tests.conftest import ServeAsgi
from tests.dashboard.conftest import KEYS, PASSWORD, Conversations, email_of


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
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    browser_page.on("console", note)
    page = browser_page
    await page.goto(f"{base}/conversations")
    assert page.url.startswith(f"{base}/login")
    await page.get_by_label("E-mail address").fill(email_of(StaffRole.STAFF))
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
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
