"""Fixtures that drive the sandbox (served by tests/conftest.py) with PTB and plain HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

SANDBOX_TOKEN = "123456:SANDBOX-abcdefghij"


@pytest.fixture
async def sandbox_bot(sandbox_server: str) -> AsyncIterator[Bot]:
    """Yield an initialized PTB Bot that talks to the sandbox."""
    bot = Bot(
        SANDBOX_TOKEN,
        base_url=f"{sandbox_server}/bot",
        base_file_url=f"{sandbox_server}/file/bot",
    )
    async with bot:
        yield bot


@pytest.fixture
async def human(sandbox_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """Yield an HTTP client for the sandbox's human-side JSON API."""
    async with httpx.AsyncClient(base_url=sandbox_server, timeout=10.0) as client:
        yield client
