"""In Debian's chromium: a coordinator corrects an answer's Arabic text and sees it saved."""

from __future__ import annotations

import pytest
from playwright.async_api import Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from dashboard import create_app
from db.models import Answer, StaffRole
from tests.conftest import ServeAsgi, console_errors, sign_in_on
from tests.dashboard.conftest import KEYS, PASSWORD, ContentItems, email_of

NEW_ARABIC = "للبحث عن سكن، تعال إلى {hub} يوم الثلاثاء."


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_edit_an_answer_in_arabic(
    sessionmaker: async_sessionmaker[AsyncSession],
    staff_accounts: None,
    content_items: ContentItems,
    dashboard_settings: Settings,
    browser_page: Page,
    serve_asgi: ServeAsgi,
) -> None:
    # serve_asgi comes after the database fixtures, so the server stops before they close.
    settings = dashboard_settings.model_copy(update={"dashboard_secure_cookies": False})
    base = await serve_asgi(create_app(settings, sessionmaker=sessionmaker, keys=KEYS))
    problems = console_errors(browser_page)
    page = browser_page
    await page.goto(f"{base}/content")
    await sign_in_on(page, email_of(StaffRole.COORDINATOR), PASSWORD)
    await page.wait_for_url(f"{base}/content")
    await page.locator("tr.item", has_text="housing").get_by_role("link").click()
    await page.wait_for_url(f"**/content/answers/{content_items.answer_id}")
    arabic = page.locator("#lang-ar")
    text = arabic.get_by_label("Text")
    assert await text.get_attribute("dir") == "rtl"
    await text.fill(NEW_ARABIC)
    await arabic.get_by_label("Review status").select_option("reviewed")
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url("**?saved=1")
    assert await page.get_by_role("status").inner_text() == (
        "Saved. The bot uses the new text from the next question on."
    )
    assert await page.locator("#lang-ar").get_by_label("Text").input_value() == NEW_ARABIC
    assert "Version 2" in await page.locator("p.meta").inner_text()
    async with sessionmaker() as session:
        answer = await session.get(Answer, content_items.answer_id)
        assert answer is not None
        stored = answer.text_in("ar")
    assert stored is not None and stored.text == NEW_ARABIC and stored.status == "reviewed"
    assert not problems, problems
