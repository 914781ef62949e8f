"""Pace sends under Telegram's limits: a token bucket overall, a minimum gap per chat."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict


class Pacer:
    """Let `rate_per_s` sends through per second overall, and one per chat per interval.

    A 429 from Telegram pauses every send for its `retry_after`.
    """

    def __init__(
        self, *, rate_per_s: float, chat_interval_s: float, burst: int = 1, chats: int = 100_000
    ) -> None:
        self._rate = rate_per_s
        self._burst = float(max(1, burst))
        self._tokens = self._burst
        self._updated = time.monotonic()
        self._chat_interval = chat_interval_s
        # Recent sends by chat, oldest first; only the last interval's matter.
        self._last_sent: OrderedDict[int, float] = OrderedDict()
        self._max_chats = chats
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Hold every send for a while (Telegram said to retry after it)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def wait(self, chat_id: int) -> None:
        """Return when one more message to this chat may go out, and count it."""
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
                self._updated = now
                delay = max(
                    self._paused_until - now,
                    (1.0 - self._tokens) / self._rate if self._tokens < 1.0 else 0.0,
                    self._last_sent.get(chat_id, -1e9) + self._chat_interval - now,
                )
                if delay <= 0:
                    break
                await asyncio.sleep(delay)
            self._tokens -= 1.0
            self._last_sent[chat_id] = now
            self._last_sent.move_to_end(chat_id)
            while len(self._last_sent) > self._max_chats:
                self._last_sent.popitem(last=False)
