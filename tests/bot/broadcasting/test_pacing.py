"""The pacer keeps the overall rate, the gap per chat, and Telegram's retry_after."""

from __future__ import annotations

import time

from bot.broadcasting.pacing import Pacer


async def test_the_overall_rate_is_kept() -> None:
    pacer = Pacer(rate_per_s=50, chat_interval_s=0)
    started = time.monotonic()
    for chat in range(26):
        await pacer.wait(chat)
    # One token at the start, then 25 more at 50 a second.
    assert time.monotonic() - started >= 0.48


async def test_one_chat_waits_for_its_interval_and_a_pause_holds_everyone() -> None:
    pacer = Pacer(rate_per_s=1000, chat_interval_s=0.2)
    started = time.monotonic()
    await pacer.wait(1)
    await pacer.wait(2)
    assert time.monotonic() - started < 0.1  # other chats do not wait
    await pacer.wait(1)
    assert time.monotonic() - started >= 0.2
    pacer.pause(0.2)
    before = time.monotonic()
    await pacer.wait(3)
    assert time.monotonic() - before >= 0.19
