"""An unmodified PTB Application polls the sandbox and answers commands and buttons."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

USER = 31337
SANDBOX_TOKEN = "123456:SANDBOX-abcdefghij"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with a button."""
    assert update.effective_message is not None
    button = InlineKeyboardButton("Weiter", callback_data="next")
    await update.effective_message.reply_html(
        "<b>Hallo</b>!", reply_markup=InlineKeyboardMarkup([[button]])
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("OK")
    await query.edit_message_text("Weiter geht's")


async def wait_for_messages(
    human: httpx.AsyncClient, check: Any, wait_s: float = 5.0
) -> list[dict[str, Any]]:
    """Poll the human API until `check(messages)` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        messages: list[dict[str, Any]] = (
            await human.get("/sandbox/api/messages", params={"user_id": USER})
        ).json()
        if check(messages) or loop.time() > deadline:
            return messages
        await asyncio.sleep(0.05)


async def test_application_polls_and_answers(sandbox_server: str, human: httpx.AsyncClient) -> None:
    application = (
        ApplicationBuilder()
        .token(SANDBOX_TOKEN)
        .base_url(f"{sandbox_server}/bot")
        .base_file_url(f"{sandbox_server}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, drop_pending_updates=True)
        try:
            await human.post("/sandbox/api/send", json={"user_id": USER, "text": "/start"})
            messages = await wait_for_messages(human, lambda m: len(m) == 1)
            assert [m["text"] for m in messages] == ["Hallo!"]
            await human.post(
                "/sandbox/api/press",
                json={"user_id": USER, "message_id": messages[0]["message_id"], "data": "next"},
            )
            messages = await wait_for_messages(human, lambda m: m and m[0]["edited"])
            assert messages[0]["text"] == "Weiter geht's"
            assert messages[0]["reply_markup"] is None
            answers = (
                await human.get("/sandbox/api/callback_answers", params={"user_id": USER})
            ).json()
            assert [a["text"] for a in answers] == ["OK"]
        finally:
            await application.updater.stop()
            await application.stop()
