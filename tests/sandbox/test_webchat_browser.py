"""The web chat page in headless Debian chromium, with the test playing the bot through PTB."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

ARABIC_REPLY = "مرحبا أمينة! كيف يمكننا مساعدتك؟"


async def next_updates(bot: Bot, offset: int, wait_s: int = 10) -> tuple[Update, ...]:
    """Long-poll until at least one update arrives."""
    updates = await bot.get_updates(offset=offset, timeout=wait_s)
    assert updates, "nothing reached the sandbox"
    return updates


@pytest.mark.browser
async def test_person_chats_in_arabic_and_presses_a_button(
    browser_page: Page, sandbox_server: str, sandbox_bot: Bot
) -> None:
    page = browser_page
    await page.goto(sandbox_server + "/")
    await page.fill("#name", "Amina")
    await page.select_option("#language", "ar")
    await page.click("#start")

    updates = await next_updates(sandbox_bot, offset=0)
    start = updates[0].message
    assert start is not None and start.text == "/start"
    assert start.from_user is not None
    assert (start.from_user.first_name, start.from_user.language_code) == ("Amina", "ar")

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("العربية ✅", callback_data="lang:ar")]])
    await sandbox_bot.send_message(
        start.chat.id, f"<b>{ARABIC_REPLY}</b>", parse_mode="HTML", reply_markup=keyboard
    )
    reply = page.locator(".msg.bot").last
    await expect(reply.locator(".text")).to_have_text(ARABIC_REPLY)
    await expect(reply.locator(".text strong")).to_have_count(1)
    assert await reply.evaluate("node => getComputedStyle(node).direction") == "rtl"
    await expect(page.locator(".msg.user .text").first).to_have_text("/start")

    await page.click('button.inline-button[data-callback="lang:ar"]')
    updates = await next_updates(sandbox_bot, offset=updates[-1].update_id + 1)
    query = updates[0].callback_query
    assert query is not None and query.data == "lang:ar"
    assert query.from_user.id == start.chat.id

    await query.answer("تم")
    await expect(page.locator(".toast")).to_have_text("تم")

    await page.fill("#text", "شكرا")
    await page.press("#text", "Enter")
    updates = await next_updates(sandbox_bot, offset=updates[-1].update_id + 1)
    assert updates[0].message is not None and updates[0].message.text == "شكرا"
