"""Token buckets with an injected clock."""

from __future__ import annotations

import pytest

from bot.sandbox.ratelimit import FloodControl, TokenBucket


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_refills_at_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate_per_s=2.0, burst=3, clock=clock)
    for _ in range(3):
        assert bucket.wait_time() == 0.0
        bucket.take()
    assert bucket.wait_time() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.wait_time() == 0.0
    clock.now += 100  # a long pause refills only up to the burst
    for _ in range(3):
        bucket.take()
    assert bucket.wait_time() > 0


def test_bucket_rejects_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="positive rate"):
        TokenBucket(rate_per_s=0, burst=1)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(rate_per_s=1, burst=0)


def test_flood_control_reports_whole_seconds_and_refusals_take_nothing() -> None:
    clock = FakeClock()
    flood = FloodControl(
        global_rate_per_s=30, global_burst=30, chat_rate_per_s=0.25, chat_burst=2, clock=clock
    )
    assert flood.acquire(1) == 0
    assert flood.acquire(1) == 0
    assert flood.acquire(1) == 4  # one token needs 4 s at 0.25/s
    assert flood.acquire(2) == 0  # other chats have their own bucket
    clock.now += 3.5
    assert flood.acquire(1) == 1  # never 0 while refused: at least one second
    clock.now += 0.5
    assert flood.acquire(1) == 0


def test_global_bucket_limits_all_chats_together() -> None:
    clock = FakeClock()
    flood = FloodControl(
        global_rate_per_s=10, global_burst=3, chat_rate_per_s=1, chat_burst=20, clock=clock
    )
    assert [flood.acquire(chat) for chat in (1, 2, 3, 4)] == [0, 0, 0, 1]
    clock.now += 0.1
    assert flood.acquire(4) == 0
