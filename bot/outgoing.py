"""Send text to a chat the way every hubbot message goes out: split, direction-marked."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden

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
    parts = split_message(for_display(text, rtl=rtl))
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        try:
            await bot.send_message(chat_id, part, reply_markup=markup)
        except Forbidden:
            return False
    return True
