"""Build the dashboard's Starlette application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.config import Settings
from bot.i18n import Catalogue
from bot.services.translation import TranslationService, build_translation_service
from dashboard.annotation import NluDataCache
from dashboard.deps import DashboardState, make_templates
from dashboard.keys import DashboardKeys, load_keys
from dashboard.retention import retention_loop
from dashboard.retrain import Retrainer
from dashboard.routes import (
    annotation,
    audit_log,
    auth,
    broadcasts,
    content,
    conversations,
    events,
    handovers,
    reports,
    retention,
    services,
    talent_labels,
    translations,
)
from dashboard.telegram import ResidentLine
from db.engine import create_engine, create_sessionmaker

HERE = Path(__file__).resolve().parent

# No inline script or style, nothing from another origin; forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Add the CSP and friends to every response; pages with data are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def create_app(
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    keys: DashboardKeys | None = None,
    run_retention: bool = True,
    translation: TranslationService | None = None,
) -> Starlette:
    """Create the dashboard; without a sessionmaker it opens (and closes) its own engine,
    without a translation service it builds the configured one (and closes its client)."""
    engine = None
    if sessionmaker is None:
        engine = create_engine(settings.database_url)
        sessionmaker = create_sessionmaker(engine)
    http = None
    if translation is None:
        http = httpx.AsyncClient()
        translation = build_translation_service(settings, http)
    # All nine: replies and notices to residents (handovers, cancelled events) are in theirs.
    catalogue = Catalogue.load(settings.locales_dir)
    state = DashboardState(
        settings=settings,
        keys=keys or load_keys(settings),
        sessionmaker=sessionmaker,
        templates=make_templates(_environment()),
        catalogue=catalogue,
        translation=translation,
        line=ResidentLine(settings, catalogue, translation),
        nlu_data=NluDataCache(settings.nlu_data_dir),
        retrainer=Retrainer(settings, sessionmaker),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        job = None
        stop = asyncio.Event()
        await state.retrainer.recover()
        if run_retention and settings.retention_interval_s > 0:
            job = asyncio.create_task(
                retention_loop(
                    state.sessionmaker,
                    days=settings.retention_days,
                    interval_s=settings.retention_interval_s,
                    stop=stop,
                )
            )
        try:
            yield
        finally:
            stop.set()
            await state.retrainer.stop()
            if job is not None:
                await job
            await state.line.close()
            if http is not None:
                await http.aclose()
            if engine is not None:
                await engine.dispose()

    routes = [
        *auth.routes,
        *conversations.routes,
        *broadcasts.routes,
        *events.routes,
        *services.routes,
        *content.routes,
        *translations.routes,
        *handovers.routes,
        *annotation.routes,
        *talent_labels.routes,
        *reports.routes,
        *retention.routes,
        *audit_log.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    app.state.dashboard = state
    return app
