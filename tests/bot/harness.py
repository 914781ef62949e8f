"""Drive the real hubbot Application through the sandbox, as a resident would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.application import HubbotApplication, build_application
from bot.context import Dependencies

WAIT_S = 15.0


@asynccontextmanager
async def polling(deps: Dependencies) -> AsyncIterator[HubbotApplication]:
    """Run one hubbot process's application, polling the sandbox, until the block ends."""
    app = build_application(deps)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@dataclass
class SandboxResident:
    """A person chatting with hubbot in the sandbox."""

    client: httpx.AsyncClient
    application: HubbotApplication
    user_id: int
    language_code: str = "de"
    first_name: str = "Test"
    seen: int = 0
    last_update_id: int = field(default=0)

    async def send(
        self, text: str = "", *, kind: str = "text", reply_to: int | None = None
    ) -> None:
        """Write to hubbot (or send a sticker, photo, ... with `kind`; reply with `reply_to`)."""
        body: dict[str, object] = {
            "user_id": self.user_id,
            "text": text,
            "language_code": self.language_code,
            "first_name": self.first_name,
            "kind": kind,
        }
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        response = await self.client.post("/sandbox/api/send", json=body)
        response.raise_for_status()
        self.last_update_id = int(response.json()["update_id"])

    async def press(self, data: str) -> None:
        """Tap the newest inline button with this callback data."""
        for message in reversed(await self.messages()):
            if data in _callback_data(message):
                response = await self.client.post(
                    "/sandbox/api/press",
                    json={
                        "user_id": self.user_id,
                        "message_id": message["message_id"],
                        "data": data,
                    },
                )
                response.raise_for_status()
                self.last_update_id = int(response.json()["update_id"])
                return
        raise AssertionError(f"no button {data!r} in the chat")

    async def block(self) -> None:
        """Block hubbot."""
        response = await self.client.post("/sandbox/api/block", json={"user_id": self.user_id})
        response.raise_for_status()
        self.last_update_id = int(response.json()["update_id"])

    async def messages(self, after: int = 0) -> list[dict[str, Any]]:
        """Return hubbot's messages in this chat, oldest first."""
        response = await self.client.get(
            "/sandbox/api/messages", params={"user_id": self.user_id, "after": after}
        )
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    async def settled(self) -> None:
        """Wait until hubbot has finished handling everything this resident sent."""
        deadline = asyncio.get_running_loop().time() + WAIT_S
        while self.last_update_id and self.last_update_id not in self.application.finished_updates:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("hubbot did not handle the update in time")
            await asyncio.sleep(0.02)

    async def replies(self) -> list[dict[str, Any]]:
        """Wait until hubbot has answered the last action; return its new messages."""
        await self.settled()
        new = await self.messages(after=self.seen)
        if new:
            self.seen = max(message["message_id"] for message in new)
        return new

    async def reply(self) -> dict[str, Any]:
        """Return hubbot's newest message after the last action."""
        new = await self.replies()
        assert new, "hubbot did not answer"
        return new[-1]


def _callback_data(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [
        button.get("callback_data", "")
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


def buttons(message: dict[str, Any]) -> list[str]:
    """Return the labels of a message's inline buttons, row by row."""
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


def button_data(message: dict[str, Any]) -> list[str]:
    """Return the callback data of a message's inline buttons."""
    return _callback_data(message)


def visible(text: str) -> str:
    """Return text without the invisible direction marks hubbot adds for right-to-left."""
    return text.translate({0x200E: None, 0x200F: None})
