"""The bot's start: what it builds once is kept out of the garbage collector's walks."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.runner import settle


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_what_the_warm_up_built_is_no_longer_walked_by_full_collections() -> None:
    built: list[list[int]] = []

    def warm_up() -> None:
        built.extend([index] for index in range(50_000))

    settle(warm_up)

    assert len(built) == 50_000, "the warm-up ran first"
    assert gc.get_freeze_count() >= 50_000
    walked = {id(tracked) for tracked in gc.get_objects()}
    assert id(built) not in walked
    assert not any(id(item) in walked for item in built[::1000])


@pytest.mark.usefixtures("unfrozen")
def test_without_a_model_to_warm_up_the_start_is_frozen_all_the_same() -> None:
    kept = [[index] for index in range(10_000)]

    settle(None)

    assert id(kept) not in {id(tracked) for tracked in gc.get_objects()}
