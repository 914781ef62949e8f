"""A person completes /start in the sandbox web chat, in headless Debian chromium."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from bot.application import HubbotApplication

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_person_completes_start_in_arabic(
    application: HubbotApplication, sandbox_server: str, browser_page: Page
) -> None:
    page = browser_page
    await page.goto(sandbox_server + "/")
    await page.fill("#name", "Amal")
    await page.select_option("#language", "ar")
    await page.click("#start")

    await page.locator("button.inline-button[data-callback='lang:ar']").click()
    await page.locator("button.inline-button[data-callback='hub:berlin']").click()
    await page.locator("button.inline-button[data-callback='f:consent:c:yes']").click()

    menu = page.locator("button.inline-button[data-callback='menu:ask']").last
    await expect(menu).to_be_visible(timeout=15_000)
    last_bot_text = page.locator(".msg.bot .text").last
    assert await last_bot_text.evaluate("node => getComputedStyle(node).direction") == "rtl"
