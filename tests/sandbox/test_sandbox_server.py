"""The sandbox's HTTP server keeps connections the way Telegram does."""

from __future__ import annotations

import asyncio

from bot.ports import free_port
from bot.sandbox import SandboxConfig, create_sandbox_app, sandbox_server

GET_ME = b"GET /bot123456:sandbox-token/getMe HTTP/1.1\r\nHost: sandbox\r\n\r\n"


async def _response_head(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return head


async def test_an_idle_connection_outlives_the_clients_keep_alive_expiry() -> None:
    # httpx (and so python-telegram-bot) reuses a pooled connection for up to 5 s; a server
    # that drops it at the same moment makes the bot lose the request it was sending.
    port = free_port()
    server = sandbox_server(create_sandbox_app(SandboxConfig()), host="127.0.0.1", port=port)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(GET_ME)
        assert (await _response_head(reader)).startswith(b"HTTP/1.1 200")
        await asyncio.sleep(5.5)
        writer.write(GET_ME)
        assert (await _response_head(reader)).startswith(b"HTTP/1.1 200")
        writer.close()
    finally:
        server.should_exit = True
        await serving
