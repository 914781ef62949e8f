"""Start and stop hubbot's processes together, for `make run`."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys

import httpx

from bot.config import Settings

READY_TIMEOUT_S = 60.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")


async def _wait_until_up(url: str) -> bool:
    async with httpx.AsyncClient(timeout=2.0) as client:
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_S
        while asyncio.get_running_loop().time() < deadline:
            try:
                response = await client.get(url)
                if response.status_code < 500:
                    return True
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    return False


async def _start(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    # Children get their own process group, so Ctrl-C reaches them only through us and
    # they stop in order.
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, start_new_session=True, env=env
    )


async def supervise(settings: Settings) -> int:
    """Run the NLU server, the sandbox (without a token), the bot and the broadcast worker.

    The NLU server trains first when its inputs changed and takes a while to load: the bot
    starts at once and answers with the fallback search until the model is up.
    """
    processes: list[asyncio.subprocess.Process] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    env = dict(os.environ)
    # The NLU server and the bot must share a token; one made up per run is enough.
    env.setdefault("NLU_TOKEN", secrets.token_urlsafe(24))
    # `make run` serves the dashboard over plain http on this machine, where a Secure cookie
    # would not come back from every browser; a production setting is left as it is.
    if settings.dashboard_host in LOOPBACK and "dashboard_secure_cookies" not in (
        settings.model_fields_set
    ):
        env["DASHBOARD_SECURE_COOKIES"] = "false"
    # Not essential: without it the bot answers with its fallback search.
    nlu = await _start("nlu", "serve", env=env)
    if settings.uses_sandbox:
        processes.append(await _start("sandbox", env=env))
        if not await _wait_until_up(settings.sandbox_url + "/"):
            print("The sandbox did not start.", file=sys.stderr)
            stop.set()
    processes.append(await _start("run", env=env))
    processes.append(await _start("worker", env=env))
    processes.append(await _start("dashboard", env=env))
    if settings.uses_sandbox and not stop.is_set():
        print(f"Chat with hubbot: {settings.sandbox_url}/", flush=True)
    elif not stop.is_set():
        print("hubbot is connected to Telegram. Press Ctrl-C to stop.", flush=True)
    if not stop.is_set():
        print(f"Dashboard: {settings.dashboard_url}/", flush=True)
    waiters = [asyncio.create_task(process.wait()) for process in processes]
    processes.insert(0, nlu)
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([stopper, *waiters], return_when=asyncio.FIRST_COMPLETED)
    for process in reversed(processes):
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in reversed(processes):
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
    stopper.cancel()
    print("hubbot stopped.", flush=True)
    failed = [process.returncode for process in processes if process.returncode not in (0, -15)]
    return 1 if failed and not stop.is_set() else 0
