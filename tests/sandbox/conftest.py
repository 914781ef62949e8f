"""Fixtures that serve the sandbox on a real port and drive it with PTB and a browser.

`serve_asgi`, `sandbox_config`, `sandbox_server` and `browser_page` are written so they can move
to the top-level tests/conftest.py unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Page, async_playwright
from starlette.types import ASGIApp
from telegram import Bot

from bot.sandbox import SandboxConfig, create_sandbox_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SANDBOX_TOKEN = "123456:SANDBOX-abcdefghij"

ServeAsgi = Callable[[ASGIApp], Awaitable[str]]


@contextlib.asynccontextmanager
async def _serving(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free loopback port inside the running loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws="none",
        # A pending long poll must not hold the test up at shutdown.
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def serve_asgi() -> AsyncIterator[ServeAsgi]:
    """Yield a function that serves an ASGI app until the test ends and returns its base URL."""
    async with contextlib.AsyncExitStack() as stack:

        async def serve(app: ASGIApp) -> str:
            return await stack.enter_async_context(_serving(app))

        yield serve


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Return the sandbox settings; parametrize this fixture to change limits."""
    return SandboxConfig(webhook_retry_s=0.05)


@pytest.fixture
async def sandbox_server(serve_asgi: ServeAsgi, sandbox_config: SandboxConfig) -> str:
    """Serve a fresh sandbox and return its base URL, e.g. http://127.0.0.1:41234."""
    return await serve_asgi(create_sandbox_app(sandbox_config))


@pytest.fixture
async def browser_page() -> AsyncIterator[Page]:
    """Yield a page of Debian's headless chromium (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(locale="en-US")
            page = await context.new_page()
            yield page
            await context.close()
        finally:
            await browser.close()


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
