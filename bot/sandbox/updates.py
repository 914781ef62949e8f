"""The bot's pending updates: confirmed by getUpdates offsets or by webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from .errors import Conflict

# Telegram leaves these out unless a bot asks for them explicitly.
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
WEBHOOK_CONFLICT = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
POLLER_CONFLICT = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


@dataclass(frozen=True)
class WebhookSettings:
    """Where and how updates are pushed while a webhook is set."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: tuple[str, ...] | None = None


@dataclass(frozen=True)
class WebhookError:
    """The last failed delivery, reported by getWebhookInfo."""

    date: int
    message: str


class UpdateQueue:
    """Hold pending updates in order and wake long pollers and the webhook sender."""

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        # Like Telegram, ids do not restart at 1: a restarted sandbox must not reuse ids that
        # a bot's database already recorded as handled.
        self._next_update_id = int(time.time() * 1000)
        self._allowed: frozenset[str] | None = None
        self._condition_instance: asyncio.Condition | None = None
        self._condition_loop: asyncio.AbstractEventLoop | None = None
        self._poll_generation = 0
        self.webhook: WebhookSettings | None = None
        self.webhook_error: WebhookError | None = None

    @property
    def _condition(self) -> asyncio.Condition:
        """Return the condition of the running loop (an app may outlive one test's loop)."""
        loop = asyncio.get_running_loop()
        if self._condition_instance is None or self._condition_loop is not loop:
            self._condition_instance = asyncio.Condition()
            self._condition_loop = loop
        return self._condition_instance

    @property
    def pending_count(self) -> int:
        """Return how many updates wait for confirmation."""
        return len(self._pending)

    def _is_allowed(self, kind: str) -> bool:
        if not self._allowed:
            return kind not in _OPT_IN_TYPES
        return kind in self._allowed

    def _set_allowed(self, allowed_updates: list[str] | tuple[str, ...] | None) -> None:
        # None keeps the previous choice, as in Telegram; an empty list means the defaults.
        if allowed_updates is not None:
            self._allowed = frozenset(allowed_updates)

    async def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        """Append an update of `kind` and return its update_id (kept even if filtered out)."""
        update_id = self._next_update_id
        self._next_update_id += 1
        if self._is_allowed(kind):
            self._pending.append({"update_id": update_id, kind: payload})
            async with self._condition:
                self._condition.notify_all()
        return update_id

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    async def poll(
        self,
        *,
        offset: int,
        limit: int,
        timeout: float,  # noqa: ASYNC109  (the Bot API parameter of that name)
        allowed_updates: list[str] | None,
    ) -> list[dict[str, Any]]:
        """Confirm updates before `offset` and return the next ones, waiting up to `timeout`."""
        if self.webhook is not None:
            raise Conflict(WEBHOOK_CONFLICT)
        self._set_allowed(allowed_updates)
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._condition:
            # Wake an older long poll so it ends with 409, as Telegram does for two pollers.
            self._condition.notify_all()
            while True:
                if generation != self._poll_generation:
                    raise Conflict(POLLER_CONFLICT)
                if self.webhook is not None:
                    raise Conflict(WEBHOOK_CONFLICT)
                remaining = deadline - loop.time()
                if self._pending or remaining <= 0:
                    return list(self._pending[:limit])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._condition.wait(), remaining)

    async def set_webhook(self, settings: WebhookSettings | None, *, drop_pending: bool) -> None:
        """Set or remove the webhook, optionally dropping pending updates."""
        self.webhook = settings
        self.webhook_error = None
        if settings is not None:
            self._set_allowed(settings.allowed_updates)
        if drop_pending:
            self._pending.clear()
        async with self._condition:
            self._condition.notify_all()

    async def next_for_webhook(self) -> tuple[dict[str, Any], WebhookSettings]:
        """Wait until a webhook is set and an update is pending; return both."""
        async with self._condition:
            while self.webhook is None or not self._pending:
                await self._condition.wait()
            return self._pending[0], self.webhook

    def mark_delivered(self, update_id: int) -> None:
        """Drop the update the webhook accepted, unless the queue changed meanwhile."""
        if self._pending and self._pending[0]["update_id"] == update_id:
            self._pending.pop(0)

    def record_webhook_error(self, message: str) -> None:
        """Remember why the last delivery failed."""
        self.webhook_error = WebhookError(int(time.time()), message)

    def allowed_updates(self) -> list[str] | None:
        """Return the explicit allowed_updates choice, if any."""
        return sorted(self._allowed) if self._allowed else None

    async def reset(self) -> None:
        """Forget pending updates, the webhook and filters; update ids keep increasing."""
        self._pending.clear()
        self._allowed = None
        self.webhook = None
        self.webhook_error = None
        async with self._condition:
            self._condition.notify_all()
