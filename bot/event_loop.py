"""Run the bot's event loop on uvloop where it is installed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on uvloop, or on asyncio's own loop without it.

    Every update costs the bot several socket round trips (Bot API, NLU server, database),
    and asyncio's pure-Python loop was a large share of the bot's CPU time under load;
    uvloop (libuv) runs the same callbacks for less. It does not build on Windows, hence
    the fallback.
    """
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
