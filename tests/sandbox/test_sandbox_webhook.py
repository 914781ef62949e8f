"""Webhook delivery from the sandbox to a tiny local receiver, driven by PTB."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp
from telegram import Bot
from telegram.error import Conflict

USER = 77
ServeAsgi = Callable[[ASGIApp], Awaitable[str]]


@dataclass
class Receiver:
    """A webhook endpoint that records deliveries and can fail on purpose."""

    failures_left: int = 0
    deliveries: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def endpoint(self, request: Request) -> Response:
        """Record the update and answer 500 while failures are left, else 200."""
        self.deliveries.append(
            (await request.json(), request.headers.get("x-telegram-bot-api-secret-token"))
        )
        self.arrived.set()
        if self.failures_left:
            self.failures_left -= 1
            return Response(status_code=500)
        return Response(status_code=200)

    async def wait_for(self, count: int) -> None:
        """Wait until `count` deliveries were made."""
        while len(self.deliveries) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)

    def app(self) -> Starlette:
        """Return the receiver as an ASGI app."""
        return Starlette(routes=[Route("/hook", self.endpoint, methods=["POST"])])


async def test_webhook_delivers_with_secret_and_redelivers_after_failure(
    sandbox_bot: Bot, human: httpx.AsyncClient, serve_asgi: ServeAsgi
) -> None:
    receiver = Receiver(failures_left=1)
    url = await serve_asgi(receiver.app()) + "/hook"
    assert await sandbox_bot.set_webhook(url, secret_token="s3cr3t-token")
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await sandbox_bot.get_updates()

    sent = await human.post("/sandbox/api/send", json={"user_id": USER, "text": "hallo"})
    await receiver.wait_for(2)
    (first, secret), (second, _) = receiver.deliveries[:2]
    assert secret == "s3cr3t-token"
    assert first == second  # the same update, same update_id, after the 500
    assert first["update_id"] == sent.json()["update_id"]
    assert first["message"]["text"] == "hallo"

    for _ in range(50):
        if (await sandbox_bot.get_webhook_info()).pending_update_count == 0:
            break
        await asyncio.sleep(0.02)
    info = await sandbox_bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    assert info.last_error_message is not None and "500" in info.last_error_message

    await human.post("/sandbox/api/send", json={"user_id": USER, "text": "noch was"})
    await receiver.wait_for(3)
    assert receiver.deliveries[2][0]["update_id"] == first["update_id"] + 1

    assert await sandbox_bot.delete_webhook()
    assert await sandbox_bot.get_updates() == ()


async def test_delete_webhook_can_drop_pending_updates(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    await human.post("/sandbox/api/send", json={"user_id": USER, "text": "one"})
    assert (await sandbox_bot.get_webhook_info()).pending_update_count == 1
    assert await sandbox_bot.delete_webhook(drop_pending_updates=True)
    assert await sandbox_bot.get_updates() == ()
