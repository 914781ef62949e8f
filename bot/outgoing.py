"""Send text to a chat the way every hubbot message goes out: split, direction-marked."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import Forbidden

from bot.formatting import Line, html_parts
from bot.text import for_display, split_message


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    rtl: bool,
    keyboard: InlineKeyboardMarkup | None = None,
) -> bool:
    """Send text in Telegram-sized parts, the keyboard under the last; False if blocked."""
    return await _send_parts(bot, chat_id, split_message(for_display(text, rtl=rtl)), keyboard)


async def send_lines(
    bot: Bot,
    chat_id: int,
    lines: Sequence[Line],
    *,
    rtl: bool,
    keyboard: InlineKeyboardMarkup | None = None,
) -> bool:
    """Send formatted lines as HTML in Telegram-sized parts; False if blocked."""
    parts = html_parts(lines, rtl=rtl)
    return await _send_parts(bot, chat_id, parts, keyboard, parse_mode=ParseMode.HTML)


async def _send_parts(
    bot: Bot,
    chat_id: int,
    parts: Sequence[str],
    keyboard: InlineKeyboardMarkup | None,
    *,
    parse_mode: str | None = None,
) -> bool:
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        try:
            await bot.send_message(chat_id, part, reply_markup=markup, parse_mode=parse_mode)
        except Forbidden:
            return False
    return True
