"""The one error handler: log the failure, apologise in the resident's language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import HubContext
from bot.text import for_display

logger = logging.getLogger(__name__)


async def apologise(update: object, context: HubContext) -> None:
    """Log the exception and tell the resident something went wrong on our side."""
    logger.error("handling an update failed", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    scope = context._scope
    if scope is not None:
        scope.failed = True
    _ = scope.translator if scope is not None else context.deps.catalogue.translator(None)
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            for_display(
                _.gettext(
                    "Sorry, something went wrong on our side. Please try again in a moment; "
                    "if it keeps happening, please contact the hub team."
                ),
                rtl=_.rtl,
            ),
        )
    except TelegramError as error:
        logger.warning("could not send the apology: %s", error)
