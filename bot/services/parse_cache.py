"""Remember the NLU server's readings of recent messages: people repeat short messages.

"hallo", "danke", "ok", "Jobcenter Termin" and the like come again and again; each costs the
NLU server an e5 embedding, the most expensive step of a reply. A reading depends only on
the text and the model, so a repeated text is read from here. Entries expire after
`ttl_s`, so a model hot-loaded by another process is used within that time; a model loaded
through this process's client empties the cache at once. Keys are digests, so the cache
never holds a resident's words.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.services.nlu import NluResult


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class ParseCache:
    """A bounded least-recently-used map from message text to reading, with an expiry."""

    def __init__(
        self, *, size: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._size = size
        self._ttl = ttl_s
        self._clock = clock
        self._entries: OrderedDict[bytes, tuple[float, NluResult]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> NluResult | None:
        """Return the remembered reading of exactly this text, if still fresh."""
        key = _key(text)
        entry = self._entries.get(key)
        if entry is None or self._clock() - entry[0] > self._ttl:
            if entry is not None:
                del self._entries[key]
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, text: str, reading: NluResult) -> None:
        """Remember a reading, forgetting the least recently used one beyond the size."""
        if self._size <= 0:
            return
        key = _key(text)
        self._entries[key] = (self._clock(), reading)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every reading (the model changed)."""
        self._entries.clear()
