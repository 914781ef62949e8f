"""Everything the fake Telegram remembers, owned by one app instance."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import mimetypes
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .config import SandboxConfig
from .models import (
    CallbackAnswer,
    CallbackQueryRecord,
    SandboxUser,
    Sender,
    Stats,
    StoredFile,
    StoredMessage,
)
from .ratelimit import FloodControl
from .updates import UpdateQueue

# Used for updates created before the bot ever called the API (getMe tells us its real id).
DEFAULT_BOT_ID = 123456


def now() -> int:
    """Return the current unix time, as Telegram dates are."""
    return int(time.time())


@dataclass
class BotProfile:
    """What the bot configured about itself: commands, descriptions, names, menu buttons."""

    bot_id: int = DEFAULT_BOT_ID
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)


class World:
    """Users, chats, messages, files and counters of one sandbox."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.profile = BotProfile()
        self.updates = UpdateQueue()
        self.flood = self._new_flood_control()
        self.stats = Stats()
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, dict[int, StoredMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_answers: dict[int, list[CallbackAnswer]] = {}
        self._serial = itertools.count(1)
        # Human-side clients waiting for the bot's next message in a chat (long polling).
        self._bot_message_waiters: dict[int, list[asyncio.Future[None]]] = {}

    def _new_flood_control(self) -> FloodControl:
        config = self.config
        return FloodControl(
            global_rate_per_s=config.global_rate_per_s,
            global_burst=config.global_burst,
            chat_rate_per_s=config.chat_rate_per_s,
            chat_burst=config.chat_burst,
        )

    def ensure_user(
        self, user_id: int, *, first_name: str | None, language_code: str | None
    ) -> SandboxUser:
        """Return the user, creating them and their private chat on first contact."""
        user = self.users.get(user_id)
        if user is None:
            user = SandboxUser(id=user_id, first_name=first_name or f"User {user_id}")
            self.users[user_id] = user
            self.chats[user_id] = {}
        if first_name:
            user.first_name = first_name
        if language_code:
            user.language_code = language_code
        return user

    def add_message(
        self, chat_id: int, sender: Sender, sender_id: int, **fields: Any
    ) -> StoredMessage:
        """Store a new message with the chat's next message_id (shared by both sides)."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        message = StoredMessage(
            message_id=message_id,
            chat_id=chat_id,
            sender=sender,
            sender_id=sender_id,
            date=now(),
            **fields,
        )
        self.chats.setdefault(chat_id, {})[message_id] = message
        if sender == "bot":
            self._wake(chat_id)
        return message

    def _wake(self, chat_id: int) -> None:
        for waiter in self._bot_message_waiters.pop(chat_id, []):
            if not waiter.done():
                waiter.set_result(None)

    async def next_bot_message(self, chat_id: int, *, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until the bot sends a new message to a chat, or `timeout` seconds pass."""
        waiter = asyncio.get_running_loop().create_future()
        waiters = self._bot_message_waiters.setdefault(chat_id, [])
        waiters.append(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, timeout)
        finally:
            if waiter in waiters:
                waiters.remove(waiter)
                if not waiters:
                    self._bot_message_waiters.pop(chat_id, None)

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """Return a stored message or None."""
        return self.chats.get(chat_id, {}).get(message_id)

    def store_file(
        self, content: bytes, *, folder: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Keep uploaded bytes and give them Telegram-like ids and a download path."""
        serial = next(self._serial)
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            extension = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=f"SBX{serial}_{secrets.token_urlsafe(24)}",
            file_unique_id=f"U{serial}{secrets.token_hex(4)}",
            file_path=f"{folder}/file_{serial}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            content=content,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        """Return the file stored under `file_path`, or None."""
        return self._files_by_path.get(file_path)

    def new_callback_query(self, user_id: int, message_id: int, data: str) -> CallbackQueryRecord:
        """Record a button press with a fresh, Telegram-sized string id."""
        query_id = str(secrets.randbelow(10**18) + 10**18)
        record = CallbackQueryRecord(query_id, user_id, message_id, data, now())
        self.callback_queries[query_id] = record
        return record

    def next_serial(self) -> int:
        """Return a process-unique number for ids such as chat_instance."""
        return next(self._serial)

    async def reset(self) -> None:
        """Forget users, chats, files, updates, the webhook and counters; keep the bot profile."""
        self.users.clear()
        self.chats.clear()
        self._last_message_id.clear()
        self.files.clear()
        self._files_by_path.clear()
        self.callback_queries.clear()
        self.callback_answers.clear()
        for chat_id in list(self._bot_message_waiters):
            self._wake(chat_id)
        self.stats = Stats()
        self.flood = self._new_flood_control()
        await self.updates.reset()
