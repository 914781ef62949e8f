"""Run the bot process: the Application plus its small web server, until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import secrets
import threading
from collections.abc import Callable
from datetime import timedelta

import uvicorn
from telegram import Update
from telegram.error import NetworkError

from bot.application import HubbotApplication, build_application
from bot.config import Settings
from bot.context import Dependencies
from bot.i18n import Catalogue
from bot.nlu_server import configured_client
from bot.outbound_http import outbound_client
from bot.services.answers import ContentAnswerService
from bot.services.composer import ComposedAnswers
from bot.services.events import EventService
from bot.services.flows import FlowService
from bot.services.intent_search import IntentSearch, read_examples
from bot.services.language import MessageLanguage
from bot.services.parse_cache import ParseCache
from bot.services.safety import SafetyCheck
from bot.services.talent import INTAKE, build_talent_service
from bot.services.translation import build_translation_service
from bot.web import create_web_app
from db import repositories
from db.base import utcnow
from db.content import read_terms
from db.engine import create_engine, create_sessionmaker
from flows import load_definitions

logger = logging.getLogger(__name__)

STARTUP_RETRY_S = 2.0
STARTUP_ATTEMPTS = 30
# Telegram gives up redelivering an update after a day; keep the ids a little longer.
PROCESSED_UPDATE_RETENTION = timedelta(days=2)
HOUSEKEEPING_INTERVAL_S = 3600.0


def build_dependencies(settings: Settings) -> Dependencies:
    """Build the engine, catalogue, HTTP client and services the bot needs."""
    # One connection for each update handled at once, and for housekeeping and /healthz.
    engine = create_engine(settings.database_url, pool_size=settings.max_concurrent_updates + 2)
    http = outbound_client()
    nlu = configured_client(
        settings,
        http,
        cache=ParseCache(size=settings.nlu_cache_size, ttl_s=settings.nlu_cache_ttl_s)
        if settings.nlu_cache_size
        else None,
    )
    search = IntentSearch(read_examples(settings.nlu_data_dir / "data"))
    translation = build_translation_service(settings, http)
    languages = MessageLanguage(office_terms=set(read_terms(settings.content_dir)))
    talent = build_talent_service(
        settings.content_dir / "skills",
        semantic=settings.match_semantic,
        cache_dir=settings.embedding_cache,
        engine=settings.e5_engine,
        languages=languages,
    )
    return Dependencies(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        catalogue=Catalogue.load(settings.locales_dir),
        answers=ContentAnswerService(
            nlu=nlu,
            search=search,
            threshold=settings.nlu_confidence,
            composed=ComposedAnswers(ttl_s=settings.content_cache_ttl_s),
        ),
        http=http,
        nlu=nlu,
        languages=languages,
        safety=SafetyCheck.load(settings.content_dir),
        translation=translation,
        events=EventService(translation),
        talent=talent,
        flows=FlowService(load_definitions(), {INTAKE: talent.host}),
    )


async def _initialize(application: HubbotApplication) -> None:
    # The sandbox or Telegram may come up after us (make run starts both at once).
    for attempt in range(1, STARTUP_ATTEMPTS + 1):
        try:
            await application.initialize()
            return
        except NetworkError as error:
            logger.warning("Bot API not reachable (%s), attempt %d", error, attempt)
            await asyncio.sleep(STARTUP_RETRY_S)
    raise SystemExit("The Bot API cannot be reached; is the sandbox or the network up?")


async def _housekeeping(deps: Dependencies) -> None:
    """Forget processed update ids that Telegram can no longer redeliver, every hour."""
    while True:
        try:
            async with deps.sessionmaker() as session:
                forgotten = await repositories.forget_processed_updates(
                    session, before=utcnow() - PROCESSED_UPDATE_RETENTION
                )
                await session.commit()
            logger.info("forgot %d processed update ids", forgotten)
        except Exception:  # noqa: BLE001  (housekeeping must not stop the bot)
            logger.exception("housekeeping failed")
        await asyncio.sleep(HOUSEKEEPING_INTERVAL_S)


def settle(warm_up: Callable[[], None] | None) -> None:
    """Run `warm_up`, then take everything built so far out of the garbage collector's walks.

    The content, word lists, caches and model the bot starts with live as long as it does, yet
    each full collection walked them all: 160,000 to 380,000 objects, 60 to 160 ms with the
    event loop stopped, eight times in one `make bench` (session 23). Frozen (gc.freeze, once
    the garbage of the start is collected), a full collection walks what came since: 9 to
    13 ms there.
    """
    if warm_up is not None:
        warm_up()
    gc.collect()
    gc.freeze()
    _return_freed_memory()


def _return_freed_memory() -> None:
    """Hand the heap the start freed back to the system (glibc keeps it otherwise).

    Building the wording model (bot/services/wording.py) frees about 35 MB of short-lived
    strings and lists that glibc kept: the bot's memory under `make bench` read 396 MB against
    329 before that model (session 24). Elsewhere than glibc this does nothing.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


async def run_bot(settings: Settings) -> None:
    """Start polling or the webhook, serve /healthz, and stop cleanly on a signal."""
    deps = build_dependencies(settings)
    polling = settings.webhook_url is None
    application = build_application(deps, with_updater=polling)
    secret = None
    if not polling:
        secret = (
            settings.webhook_secret.get_secret_value()
            if settings.webhook_secret is not None
            else secrets.token_urlsafe(32)
        )
    web = create_web_app(application, webhook_secret=secret)
    server = uvicorn.Server(
        uvicorn.Config(web, host=settings.bot_host, port=settings.bot_port, log_level="warning")
    )
    await _initialize(application)
    try:
        await application.start()
        if polling:
            await application.bot.delete_webhook()
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        else:
            await application.bot.set_webhook(
                url=settings.webhook_url or "",
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
        logger.info("hubbot is running (%s)", "polling" if polling else "webhook")
        similarity = deps.talent.matcher.semantic
        # Embed the talent passages in the background (a minute without the cache); until
        # then talents are matched by their words. Then freeze what the start built. A daemon
        # thread: stopping never waits.
        threading.Thread(
            target=settle,
            args=(similarity.warm_up if similarity is not None else None,),
            name="warm-up",
            daemon=True,
        ).start()
        housekeeping = asyncio.create_task(_housekeeping(deps))
        await server.serve()
        housekeeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await housekeeping
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        await deps.http.aclose()
        await deps.engine.dispose()
