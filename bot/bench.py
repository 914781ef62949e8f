"""`hubbot bench replies`: reply latency and throughput through the sandbox, and bot memory.

Starts a sandbox (limits lifted: this measures hubbot, not Telegram's flood control), a bot
process on a throw-away SQLite database, and simulated residents who finish /start and then
ask questions. Latency is from the resident's send to hubbot's reply appearing in the chat.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx
import uvicorn

from bot.config import Settings
from bot.nlu_server import configured_client
from bot.ports import free_port
from bot.sandbox import SandboxConfig, create_sandbox_app

QUESTIONS = (
    ("de", "Ich suche eine Wohnung, was kann ich tun?"),
    ("ar", "ابحث عن شقة في برلين"),
    ("uk", "де знайти курс німецької мови"),
    ("tr", "kita yeri lazim cocugum icin"),
    ("fr", "j'ai recu une lettre du jobcenter je comprends pas"),
    ("fa", "دنبال کار هستم، کمک می‌خوام"),
    ("ru", "как записаться к врачу"),
    ("en", "where can i get help with my CV"),
)
POLL_S = 0.005
Message = dict[str, object]


@dataclass(frozen=True, slots=True)
class Round:
    """One measured load level."""

    users: int
    latencies: list[float]
    seconds: float


async def _bot_messages(client: httpx.AsyncClient, user: int, after: int) -> list[Message]:
    response = await client.get("/sandbox/api/messages", params={"user_id": user, "after": after})
    result: list[Message] = response.json()
    return result


async def _exchange(
    client: httpx.AsyncClient, path: str, body: dict[str, object], user: int, after: int
) -> tuple[float, int]:
    """Do one action and wait for hubbot's answer; return seconds taken and the newest id."""
    started = time.perf_counter()
    await client.post(path, json=body)
    while True:
        new = await _bot_messages(client, user, after)
        if new:
            return time.perf_counter() - started, max(int(str(m["message_id"])) for m in new)
        await asyncio.sleep(POLL_S)


async def _resident(client: httpx.AsyncClient, user: int, questions: int) -> list[float]:
    language, question = QUESTIONS[user % len(QUESTIONS)]
    base = {"user_id": user, "language_code": language, "first_name": "Bench"}
    _, last = await _exchange(client, "/sandbox/api/send", {**base, "text": "/start"}, user, 0)
    for data in (f"lang:{language}", "hub:berlin", "consent:yes"):
        press = {"user_id": user, "message_id": last, "data": data}
        _, last = await _exchange(client, "/sandbox/api/press", press, user, last)
        await asyncio.sleep(0.2)  # let every part of a multi-message reply arrive
        last = max(
            [last] + [int(str(m["message_id"])) for m in await _bot_messages(client, user, last)]
        )
    latencies = []
    for _ in range(questions):
        seconds, last = await _exchange(
            client, "/sandbox/api/send", {**base, "text": question}, user, last
        )
        latencies.append(seconds)
    return latencies


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bench(
    settings: Settings,
    *,
    users: list[int],
    questions: int,
    out: TextIO,
    database_url: str | None = None,
) -> None:
    """Run the rounds and print a table; a throw-away SQLite database unless one is given."""
    port = free_port()
    sandbox = uvicorn.Server(
        uvicorn.Config(
            create_sandbox_app(
                SandboxConfig(
                    global_rate_per_s=1e6, global_burst=10**6, chat_rate_per_s=1e6, chat_burst=10**6
                )
            ),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    serving = asyncio.create_task(sandbox.serve())
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            DATABASE_URL=database_url or f"sqlite+aiosqlite:///{tmp}/bench.db",
            SANDBOX_PORT=str(port),
            BOT_PORT=str(free_port()),
            LOG_LEVEL="WARNING",
        )
        env.pop("TELEGRAM_BOT_TOKEN", None)
        for step in (("db", "upgrade"), ("content", "import")):
            setup = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                *step,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await setup.wait()
        while not sandbox.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
            await asyncio.sleep(0.05)
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env)
        rounds: list[Round] = []
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                await asyncio.sleep(3)  # the bot connects and starts polling
                next_user = 500_000
                for count in users:
                    ids = range(next_user, next_user + count)
                    next_user += count
                    started = time.perf_counter()
                    results = await asyncio.gather(*(_resident(client, u, questions) for u in ids))
                    rounds.append(
                        Round(count, [s for r in results for s in r], time.perf_counter() - started)
                    )
            memory = _rss_mb(bot.pid)
        finally:
            bot.terminate()
            await bot.wait()
            sandbox.should_exit = True
            await serving
    nlu = "NLU server" if await _reachable(settings) else "fallback search (NLU server not running)"
    out.write(f"understanding: {nlu}; database: {'given' if database_url else 'SQLite'}\n")
    out.write("users  questions   p50 ms   p95 ms   max ms   questions/s (incl. /start)\n")
    for entry in rounds:
        ordered = sorted(entry.latencies)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        rate = entry.users * (questions + 4) / entry.seconds
        out.write(
            f"{entry.users:>5}  {len(ordered):>9}  {statistics.median(ordered) * 1000:>7.1f}  "
            f"{p95 * 1000:>7.1f}  {ordered[-1] * 1000:>7.1f}   {rate:>8.1f}\n"
        )
    out.write(f"bot process resident memory: {memory:.0f} MB\n")


async def _reachable(settings: Settings) -> bool:
    async with httpx.AsyncClient() as http:
        return await configured_client(settings, http, timeout_s=1.0).is_reachable()
