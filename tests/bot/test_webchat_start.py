"""A person completes /start in the sandbox web chat, in headless Debian chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from bot.application import HubbotApplication

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

pytestmark = pytest.mark.browser


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    """Yield a page of Debian's chromium; `make test` installs it."""
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make browser`"  # noqa: ASYNC240
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        page = await browser.new_page()
        try:
            yield page
        finally:
            await browser.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_person_completes_start_in_arabic(
    application: HubbotApplication, sandbox: str, page: Page
) -> None:
    await page.goto(sandbox + "/")
    await page.fill("#name", "Amal")
    await page.select_option("#language", "ar")
    await page.click("#start")

    await page.locator("button.inline-button[data-callback='lang:ar']").click()
    await page.locator("button.inline-button[data-callback='hub:berlin']").click()
    await page.locator("button.inline-button[data-callback='consent:yes']").click()

    menu = page.locator("button.inline-button[data-callback='menu:ask']").last
    await expect(menu).to_be_visible(timeout=15_000)
    last_bot_text = page.locator(".msg.bot .text").last
    assert await last_bot_text.evaluate("node => getComputedStyle(node).direction") == "rtl"
