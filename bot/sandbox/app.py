"""Build the sandbox: a fake Telegram Bot API plus the human side and the web chat."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import uvicorn
from starlette.applications import Starlette

from .botapi import BotApi
from .config import SandboxConfig
from .humanapi import HumanApi
from .webchat import webchat_routes
from .webhook import WebhookSender
from .world import World

_WEBHOOK_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Telegram keeps an idle connection open far longer than clients keep it in their pools.
# uvicorn's default (5 s) equals httpx's keep-alive expiry, so a client could reuse a
# connection in the instant the server drops it and lose that request to a ReadError: under
# load in `hubbot bench` a reply went missing that way.
KEEP_ALIVE_S = 75


def sandbox_server(app: Starlette, *, host: str, port: int) -> uvicorn.Server:
    """Return a uvicorn server for a sandbox app that keeps idle connections like Telegram."""
    return uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", timeout_keep_alive=KEEP_ALIVE_S
        )
    )


def create_sandbox_app(config: SandboxConfig) -> Starlette:
    """Return an app with its own in-memory Telegram; the webhook sender runs in its lifespan."""
    world = World(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # trust_env=False: webhooks are local and must never go through a proxy.
        async with httpx.AsyncClient(timeout=_WEBHOOK_TIMEOUT, trust_env=False) as client:
            sender = WebhookSender(world.updates, client, config.webhook_retry_s)
            task = asyncio.create_task(sender.run(), name="sandbox-webhook-sender")
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(
        routes=[*BotApi(world).routes(), *HumanApi(world).routes(), *webchat_routes()],
        lifespan=lifespan,
    )
    app.state.world = world
    return app
