"""Token buckets that reproduce Telegram's flood limits (overall and per chat)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable

Clock = Callable[[], float]


class TokenBucket:
    """Allow `burst` calls at once and `rate_per_s` calls per second sustained."""

    def __init__(self, rate_per_s: float, burst: int, clock: Clock = time.monotonic) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self._rate = rate_per_s
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        self._updated = now

    def wait_time(self) -> float:
        """Return the seconds until one token is free (0.0 when one is free now)."""
        self._refill()
        if self._tokens >= 1.0:
            return 0.0
        return (1.0 - self._tokens) / self._rate

    def take(self) -> None:
        """Consume one token; call only after `wait_time()` returned 0."""
        self._refill()
        self._tokens -= 1.0


class FloodControl:
    """Combine one bucket for the whole bot with one bucket per chat."""

    def __init__(
        self,
        *,
        global_rate_per_s: float,
        global_burst: int,
        chat_rate_per_s: float,
        chat_burst: int,
        clock: Clock = time.monotonic,
    ) -> None:
        self._clock = clock
        self._global_rate = global_rate_per_s
        self._global_burst = global_burst
        self._chat_rate = chat_rate_per_s
        self._chat_burst = chat_burst
        self._global = TokenBucket(global_rate_per_s, global_burst, clock)
        self._chats: dict[Hashable, TokenBucket] = {}

    def _chat_bucket(self, chat_key: Hashable) -> TokenBucket:
        bucket = self._chats.get(chat_key)
        if bucket is None:
            bucket = TokenBucket(self._chat_rate, self._chat_burst, self._clock)
            self._chats[chat_key] = bucket
        return bucket

    def acquire(self, chat_key: Hashable) -> int:
        """Take a token from both buckets and return 0, or return whole seconds to wait.

        A refused call takes nothing, so a bot that backs off is not punished twice.
        """
        chat_bucket = self._chat_bucket(chat_key)
        wait = max(self._global.wait_time(), chat_bucket.wait_time())
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.take()
        chat_bucket.take()
        return 0

    def reset(self) -> None:
        """Forget every chat bucket and refill the overall one."""
        self._chats.clear()
        self._global = TokenBucket(self._global_rate, self._global_burst, self._clock)
