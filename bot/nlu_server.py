"""Reach an NLU server for a command: the configured one, or one started for the duration."""

from __future__ import annotations

import asyncio
import logging
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import httpx

from bot.config import Settings
from bot.nlu_model import ensure_model, serve_command, serving_environment
from bot.ports import free_port
from bot.services.nlu import NluClient
from bot.services.parse_cache import ParseCache

STARTUP_S = 300.0
START_ATTEMPTS = 2

logger = logging.getLogger(__name__)


class ServerExited(RuntimeError):
    """The NLU server stopped before it answered."""


async def _wait_until_up(
    client: NluClient, process: asyncio.subprocess.Process, log: IO[bytes]
) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_S
    while not await client.is_reachable():
        if process.returncode is not None:
            # Say why: Rasa's own last words, not only its exit code.
            log.seek(0)
            last = log.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise ServerExited(
                f"the NLU server exited with code {process.returncode}: " + " | ".join(last)
            )
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError("the NLU server did not come up in time")
        await asyncio.sleep(1.0)


def configured_client(
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    timeout_s: float | None = None,
    cache: ParseCache | None = None,
) -> NluClient:
    """Return a client for the NLU server the settings name (NLU_URL, NLU_TOKEN)."""
    token = settings.nlu_token.get_secret_value() if settings.nlu_token else None
    return NluClient(
        http,
        base_url=settings.nlu_url,
        token=token,
        timeout_s=settings.nlu_timeout_s if timeout_s is None else timeout_s,
        cache=cache,
    )


@asynccontextmanager
async def started_server(
    settings: Settings, http: httpx.AsyncClient, *, model: Path | None = None
) -> AsyncIterator[NluClient]:
    """Serve a model (the current one by default) on a free port until the block ends."""
    model = model or (await asyncio.to_thread(ensure_model, settings)).path
    token = secrets.token_urlsafe(16)
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        local = settings.model_copy(update={"nlu_url": f"http://127.0.0.1:{port}"})
        log = tempfile.TemporaryFile()
        process = await asyncio.create_subprocess_exec(
            *serve_command(local, model, token),
            cwd=settings.nlu_data_dir,
            env=serving_environment(settings),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        client = NluClient(http, base_url=local.nlu_url, token=token, timeout_s=30.0)
        try:
            try:
                await _wait_until_up(client, process, log)
            except ServerExited as error:
                # The free port can be taken between choosing it and Rasa binding it.
                if attempt == START_ATTEMPTS:
                    raise
                logger.warning("the NLU server did not start (%s); trying another port", error)
                continue
            yield client
            return
        finally:
            log.close()
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 60)
                except TimeoutError:
                    process.kill()
                    await process.wait()


@asynccontextmanager
async def nlu_for_command(settings: Settings, http: httpx.AsyncClient) -> AsyncIterator[NluClient]:
    """Use the configured NLU server if it answers, else start one for the command."""
    configured = configured_client(settings, http, timeout_s=30.0)
    if await configured.is_reachable():
        yield configured
        return
    async with started_server(settings, http) as client:
        yield client
