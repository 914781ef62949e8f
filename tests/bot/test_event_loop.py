"""The bot process runs on uvloop."""

from __future__ import annotations

import asyncio

import uvloop

from bot.event_loop import run_event_loop


async def _loop_type() -> type[asyncio.AbstractEventLoop]:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop())


def test_the_bot_runs_on_uvloop_when_it_is_installed() -> None:
    assert run_event_loop(_loop_type()) is uvloop.Loop
