"""The dashboard's line to residents: the Bot API (Telegram or the sandbox) and translation."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.config import Settings
from bot.i18n import Catalogue
from bot.services.handover import Relay
from bot.services.translation import TranslationService
from bot.worker import build_bot

logger = logging.getLogger(__name__)


class ResidentLine:
    """Build the relay at start (no I/O); greet the Bot API on first use; close at the end."""

    def __init__(
        self, settings: Settings, catalogue: Catalogue, translation: TranslationService
    ) -> None:
        self._bot: Bot = build_bot(settings)
        self.relay = Relay(self._bot, translation, catalogue, settings.consent_version)

    async def ready(self) -> None:
        """Initialise the bot once; if Telegram is down, sending reports it per message."""
        try:
            await self._bot.initialize()
        except TelegramError as error:
            logger.warning("the Bot API is not reachable: %s", error)

    async def close(self) -> None:
        """Close the Bot API connections."""
        await self._bot.shutdown()
