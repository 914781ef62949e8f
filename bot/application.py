"""Build the python-telegram-bot Application that runs hubbot."""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot import handlers, replies
from bot.config import Settings
from bot.context import Dependencies, HubContext
from bot.i18n import FALLBACK_LANGUAGE, LANGUAGES, language_from_telegram
from bot.services.residents import UpdateScope, open_scope
from bot.telegram_request import AiohttpRequest
from bot.text import for_display
from bot.updates import PerChatUpdateProcessor
from db import repositories

logger = logging.getLogger(__name__)


class HubbotApplication(Application):  # type: ignore[type-arg]
    """An Application that handles each update in one database transaction, once.

    The update id is claimed in the same transaction as everything the handlers change, so
    several bot processes behind one webhook, or a redelivered update, never handle an
    update twice; a failed update is rolled back but still claimed, and the resident got an
    apology, so a poisonous update cannot loop.
    """

    def __init__(self, *, deps: Dependencies, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deps = deps
        self._scopes: dict[int, UpdateScope] = {}
        # The ids of recently finished updates, for tests and benchmarks to wait on.
        self.finished_updates: deque[int] = deque(maxlen=10_000)

    async def initialize(self) -> None:
        """Initialise, then publish the command menu."""
        # Not post_init: PTB runs that only from run_polling/run_webhook, and the runner
        # starts the application by hand to serve /healthz beside it.
        await super().initialize()
        await publish_commands(self)

    def scope_for(self, update: Update) -> UpdateScope | None:
        """Return the scope opened for an update being processed."""
        return self._scopes.get(id(update))

    async def process_update(self, update: object) -> None:
        """Process an update inside its own transaction, skipping one already handled."""
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        try:
            await self._process_in_transaction(update)
        except (SQLAlchemyError, OSError) as error:
            # The database is unreachable: say so rather than stay silent.
            logger.error("update %s not handled: database error: %s", update.update_id, error)
            await self._apologise_without_database(update)
        finally:
            self.finished_updates.append(update.update_id)

    async def _process_in_transaction(self, update: Update) -> None:
        async with self.deps.sessionmaker() as session:
            if not await repositories.claim_update(session, update_id=update.update_id):
                logger.info("update %s was handled already; skipped", update.update_id)
                return
            scope = await open_scope(
                session,
                update,
                catalogue=self.deps.catalogue,
                consent_version=self.deps.settings.consent_version,
                staff_chat_id=self.deps.settings.staff_chat_id,
            )
            self._scopes[id(update)] = scope
            try:
                await super().process_update(update)
            finally:
                del self._scopes[id(update)]
            if not scope.failed:
                await session.commit()
                return
            await session.rollback()
        async with self.deps.sessionmaker() as session:
            await repositories.claim_update(session, update_id=update.update_id)
            await session.commit()

    async def _apologise_without_database(self, update: Update) -> None:
        if update.effective_chat is None or update.effective_user is None:
            return
        _ = self.deps.catalogue.translator(
            language_from_telegram(update.effective_user.language_code)
        )
        text = _.gettext(
            "Sorry, hubbot cannot work at the moment. Please try again later; "
            "the hub team can help you in person."
        )
        try:
            await self.bot.send_message(update.effective_chat.id, for_display(text, rtl=_.rtl))
        except TelegramError as error:
            logger.warning("could not send the apology: %s", error)


def _concurrency(settings: Settings) -> int:
    # SQLite has one writer at a time and each update is one write transaction: concurrent
    # updates would only queue for the lock (and time out under load). PostgreSQL scales.
    if settings.database_url.startswith("sqlite"):
        return 1
    return settings.max_concurrent_updates


def build_application(deps: Dependencies, *, with_updater: bool = True) -> HubbotApplication:
    """Create the bot application for Telegram or the sandbox, with every handler added."""
    settings = deps.settings
    builder = (
        ApplicationBuilder()
        .application_class(HubbotApplication, kwargs={"deps": deps})
        .token(settings.bot_token)
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_base_file_url)
        .context_types(ContextTypes(context=HubContext))
        # aiohttp rather than PTB's default httpx: a third of the CPU per request (see the module).
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.bot_send_rate_per_s, max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(_concurrency(settings)))
        .arbitrary_callback_data(False)
    )
    if not with_updater:
        builder = builder.updater(None)
    application = builder.build()
    assert isinstance(application, HubbotApplication)
    handlers.register(application, staff_chat_id=settings.staff_chat_id)
    return application


async def publish_commands(application: HubbotApplication) -> None:
    """Publish the command menu in every language Telegram can key it by."""
    catalogue = application.deps.catalogue
    try:
        for language in LANGUAGES:
            if language.telegram_code is None:
                continue
            _ = catalogue.translator(language.code)
            commands = [BotCommand(name, _.gettext(text)) for name, text in replies.COMMANDS]
            await application.bot.set_my_commands(commands, language_code=language.telegram_code)
        _ = catalogue.translator(FALLBACK_LANGUAGE)
        await application.bot.set_my_commands(
            [BotCommand(name, _.gettext(text)) for name, text in replies.COMMANDS]
        )
    except TelegramError as error:
        # A missing command menu is cosmetic; the bot itself must still start.
        logger.warning("could not publish the command menu: %s", error)
