"""The bot process's own HTTP endpoints: /healthz, and /telegram for webhook mode."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.application import HubbotApplication

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT_S = 2.0


def create_web_app(application: HubbotApplication, *, webhook_secret: str | None) -> Starlette:
    """Create the Starlette app served next to the bot."""

    async def healthz(request: Request) -> JSONResponse:
        """Report whether the database and the NLU server can be reached.

        Only the database decides the status code: without the NLU server hubbot still
        answers (with its fallback search), so it stays in service, reported as degraded.
        `semantic` says whether talents are matched by meaning yet: after a first start on a
        machine, embedding the programmes' passages takes minutes, and talents are matched by
        their words meanwhile (not degraded: the words alone still recommend).
        """
        database = "ok"
        try:
            async with application.deps.sessionmaker() as session:
                await asyncio.wait_for(session.execute(text("SELECT 1")), HEALTH_TIMEOUT_S)
        except Exception as error:  # noqa: BLE001  (any failure means "not healthy")
            database = f"error: {type(error).__name__}"
        nlu = "not configured"
        if application.deps.nlu is not None:
            nlu = "ok" if await application.deps.nlu.is_reachable() else "unreachable"
        semantic = application.deps.talent.matcher.semantic
        body = {
            "status": "ok" if database == "ok" and nlu != "unreachable" else "degraded",
            "database": database,
            "nlu": nlu,
            "semantic": "off" if semantic is None else semantic.state,
        }
        return JSONResponse(body, status_code=200 if database == "ok" else 503)

    async def telegram_webhook(request: Request) -> Response:
        """Handle one update from Telegram before answering, so a failure is redelivered."""
        given = request.headers.get(SECRET_HEADER, "")
        if webhook_secret is None or not hmac.compare_digest(
            given.encode("utf-8"), webhook_secret.encode("utf-8")
        ):
            return Response(status_code=403)
        try:
            payload = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return Response(status_code=400)
        update = Update.de_json(payload, application.bot)
        await application.process_update(update)
        return Response(status_code=200)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if webhook_secret is not None:
        routes.append(Route("/telegram", telegram_webhook, methods=["POST"]))
    return Starlette(routes=routes)
