"""`hubbot bench replies`: reply latency and throughput through the sandbox, and bot memory.

Starts a sandbox (limits lifted: this measures hubbot, not Telegram's flood control), a bot
process on a throw-away database, and simulated residents who finish /start and then ask
questions, each waiting for the answer before asking again. Latency is from the resident's
send to hubbot's complete reply (the message carrying its buttons) appearing in the chat;
throughput counts the questions answered while every resident of a round is asking.

The questions are the held-out plain test sentences of each resident's language (never trained
on), each resident taking its own run of them, so that a round asks as many different questions
as a day of real messages would and the NLU readings cache does not make repeats look cheap.
Intents that lead into a conversation rather than an answer (the talent intake, deletion) are
left out: the next question would be taken as the answer to it.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx
import uvicorn
from sqlalchemy import text

from bot.bench_database import throwaway_database
from bot.config import Settings
from bot.keyboards import CONSENT_ACCEPT, HUB_PREFIX, LANGUAGE_PREFIX
from bot.measure import read_held_out
from bot.nlu_server import configured_client
from bot.ports import free_port
from bot.sandbox import SandboxConfig, create_sandbox_app, human_actions, sandbox_server
from bot.sandbox.human_media import MediaOptions
from bot.sandbox.views import message_view
from bot.sandbox.world import World
from db.engine import create_engine

LEADING_INTO_A_CONVERSATION = frozenset({"offer_talent", "delete_my_data"})
HUB = "berlin"
REPLY_TIMEOUT_S = 60.0
# A first start on a machine embeds the talent passages (minutes on 2 cores, in a thread of the
# bot): measured meanwhile, the bot read 70-83 questions/s instead of 162.
WARM_UP_TIMEOUT_S = 1800.0
# Onboarding is not measured; a short pause lets the last part of a reply arrive.
SETTLE_S = 0.3
# Issue 4's targets.
TARGET_P95_MS = 60.0
TARGET_RATE = 100.0
TARGET_RSS_MB = 400.0
Message = dict[str, object]


class BenchError(RuntimeError):
    """hubbot did not answer as a resident expects."""


@dataclass(frozen=True, slots=True)
class Round:
    """One measured load level."""

    users: int
    latencies: list[float]
    seconds: float
    # CPU seconds the bot process and this process (sandbox and residents) spent meanwhile.
    bot_cpu: float
    sandbox_cpu: float
    # The same for the database server's processes serving the bot (PostgreSQL on this host).
    database_cpu: float | None = None
    # The same for the NLU server (`rasa run` on this host), when one is running.
    nlu_cpu: float | None = None

    @property
    def rate(self) -> float:
        """Return questions answered per second."""
        return len(self.latencies) / self.seconds

    def cpu_ms(self, seconds: float) -> float:
        """Return CPU seconds spent per question, in milliseconds."""
        return seconds / len(self.latencies) * 1000

    def percentile(self, share: float) -> float:
        """Return a latency percentile in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        return ordered[max(0, round(len(ordered) * share) - 1)] * 1000


def _message_id(message: Message) -> int:
    return int(str(message["message_id"]))


def _callback_data(message: Message) -> list[str]:
    markup = message.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [str(button.get("callback_data", "")) for row in rows for button in row]


@dataclass
class Resident:
    """A simulated resident, acting on the sandbox's world in this process.

    Residents write and read in-process, as Telegram's apps do on other machines: only the
    bot's side (the Bot API over HTTP) is on this machine in production, so only it is measured
    with its transport.
    """

    world: World
    user_id: int
    language: str
    last: int = 0

    def _new_messages(self) -> list[Message]:
        chat = self.world.chats.get(self.user_id, {})
        new = [chat[mid] for mid in sorted(chat) if mid > self.last]
        if new:
            self.last = new[-1].message_id
        return [message_view(message) for message in new if message.sender == "bot"]

    async def reply(self) -> list[Message]:
        """Wait for hubbot's complete reply (the message with buttons) and return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_TIMEOUT_S
        new: list[Message] = []
        while not any(_callback_data(message) for message in new):
            batch = self._new_messages()
            new.extend(batch)
            if batch:
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise BenchError(f"resident {self.user_id}: no reply in {REPLY_TIMEOUT_S:.0f} s")
            await self.world.next_bot_message(self.user_id, timeout=remaining)
        return new

    async def send(self, text: str) -> None:
        """Write to hubbot."""
        user = self.world.ensure_user(self.user_id, first_name="Bench", language_code=self.language)
        await human_actions.send(
            self.world, user, kind="text", text=text, caption=None, options=MediaOptions()
        )

    async def press(self, messages: list[Message], data: str) -> None:
        """Tap the newest button whose callback data is `data`."""
        for message in reversed(messages):
            if data in _callback_data(message):
                user = self.world.users[self.user_id]
                await human_actions.press(self.world, user, _message_id(message), data)
                return
        raise BenchError(f"resident {self.user_id}: no button {data!r} in hubbot's reply")

    async def onboard(self) -> None:
        """Finish /start: language, hub, consent."""
        await self.send("/start")
        for data in (f"{LANGUAGE_PREFIX}{self.language}", f"{HUB_PREFIX}{HUB}", CONSENT_ACCEPT):
            await self.press(await self.reply(), data)
        await self.reply()
        await asyncio.sleep(SETTLE_S)
        await self.reply_parts_left()

    async def reply_parts_left(self) -> None:
        """Skip messages that are still arriving from an earlier reply."""
        self._new_messages()

    async def ask(self, questions: list[str]) -> list[float]:
        """Ask each question after the last answer; return the latencies."""
        latencies = []
        for question in questions:
            started = time.perf_counter()
            await self.send(question)
            await self.reply()
            latencies.append(time.perf_counter() - started)
        return latencies


def _cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _nlu_server_pid() -> int | None:
    """Return the pid of a `rasa run` on this host, if there is one."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(word.endswith(b"rasa") for word in words) and b"run" in words:
            return int(entry.name)
    return None


class DatabaseCpu:
    """CPU time of the PostgreSQL server processes connected to the bench's database."""

    def __init__(self, database_url: str) -> None:
        self._engine = create_engine(database_url) if database_url.startswith("postgres") else None

    async def sample(self) -> dict[int, float] | None:
        """Return CPU seconds by server process, or None when they cannot be seen from here."""
        if self._engine is None:
            return None
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            pids = [int(row[0]) for row in rows]
        try:
            return {pid: _cpu_seconds(pid) for pid in pids}
        except OSError:  # another host, or a process that just ended
            return None

    @staticmethod
    def spent(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
        """Return the CPU seconds spent between two samples."""
        if before is None or after is None:
            return None
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())

    async def close(self) -> None:
        """Close the connection pool."""
        if self._engine is not None:
            await self._engine.dispose()


def bench_questions(tests_dir: Path) -> dict[str, list[str]]:
    """Return the held-out plain questions per language that hubbot answers in one reply."""
    plain = read_held_out(tests_dir).get("plain", {})
    return {
        language: [
            example.text
            for example in examples
            if example.intent not in LEADING_INTO_A_CONVERSATION
        ]
        for language, examples in plain.items()
    }


def questions_of(pool: dict[str, list[str]], user: int, count: int) -> tuple[str, list[str]]:
    """Return a resident's language and its own run of `count` questions in it."""
    languages = sorted(pool)
    language = languages[user % len(languages)]
    texts = pool[language]
    start = user // len(languages) * count
    return language, [texts[(start + index) % len(texts)] for index in range(count)]


async def _round(
    world: World,
    bot: int,
    database: DatabaseCpu,
    pool: dict[str, list[str]],
    *,
    first_user: int,
    users: int,
    questions: int,
) -> Round:
    asked = {
        user: questions_of(pool, user, questions) for user in range(first_user, first_user + users)
    }
    residents = [Resident(world, user, language) for user, (language, _) in asked.items()]
    await asyncio.gather(*(resident.onboard() for resident in residents))
    started = time.perf_counter()
    database_before = await database.sample()
    nlu = _nlu_server_pid()
    nlu_cpu = _cpu_seconds(nlu) if nlu is not None else None
    bot_cpu, own_cpu = _cpu_seconds(bot), time.process_time()
    results = await asyncio.gather(
        *(resident.ask(asked[resident.user_id][1]) for resident in residents)
    )
    seconds = time.perf_counter() - started
    bot_cpu, own_cpu = _cpu_seconds(bot) - bot_cpu, time.process_time() - own_cpu
    if nlu is not None and nlu_cpu is not None:
        nlu_cpu = _cpu_seconds(nlu) - nlu_cpu
    return Round(
        users,
        [latency for result in results for latency in result],
        seconds,
        bot_cpu=bot_cpu,
        sandbox_cpu=own_cpu,
        database_cpu=DatabaseCpu.spent(database_before, await database.sample()),
        nlu_cpu=nlu_cpu,
    )


def _memory_mb(pid: int) -> tuple[float, float]:
    """Return the resident memory of a process now and at its peak, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()
    return int(fields["VmRSS"][0]) / 1024, int(fields["VmHWM"][0]) / 1024


async def _setup(env: dict[str, str]) -> None:
    for step in (("db", "upgrade"), ("content", "import")):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *step,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, errors = await process.communicate()
        if process.returncode != 0:
            raise BenchError(f"hubbot {' '.join(step)} failed: {errors.decode()[-2000:]}")


async def _serve_sandbox() -> tuple[uvicorn.Server, asyncio.Task[None], int, World]:
    port = free_port()
    unlimited = SandboxConfig(
        global_rate_per_s=1e6, global_burst=10**6, chat_rate_per_s=1e6, chat_burst=10**6
    )
    app = create_sandbox_app(unlimited)
    server = sandbox_server(app, host="127.0.0.1", port=port)
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    world: World = app.state.world
    return server, serving, port, world


async def _wait_until_polling(world: World, bot: asyncio.subprocess.Process) -> None:
    """Wait until the bot answers /start, so its start-up is not measured."""
    probe = Resident(world, 1, "de")
    await probe.send("/start")
    waiting = asyncio.ensure_future(probe.reply())
    exited = asyncio.ensure_future(bot.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        raise BenchError(f"the bot exited with code {bot.returncode}")
    exited.cancel()
    waiting.result()


async def wait_until_warm(
    health_url: str, bot: asyncio.subprocess.Process, *, poll_s: float = 1.0
) -> bool:
    """Wait until the bot has embedded the talent passages, so that it is not measured.

    Return whether there was anything to wait for.
    """
    said = False
    deadline = time.monotonic() + WARM_UP_TIMEOUT_S
    async with httpx.AsyncClient(timeout=5.0) as client:
        while (await client.get(health_url)).json().get("semantic") == "loading":
            if bot.returncode is not None or time.monotonic() > deadline:
                raise BenchError("the bot did not finish embedding the talent passages")
            if not said:
                print(
                    "waiting for the bot to embed the talent passages (a first start on this "
                    "machine; cached afterwards)",
                    file=sys.stderr,
                )
                said = True
            await asyncio.sleep(poll_s)
    return said


async def bench(
    settings: Settings,
    *,
    users: list[int],
    questions: int,
    out: TextIO,
    database_url: str | None = None,
    postgres_admin_dsn: str | None = None,
    nlu_cache: bool = True,
) -> list[Round]:
    """Run the rounds and print a table; a throw-away database unless one is given."""
    server, serving, port, world = await _serve_sandbox()
    try:
        async with throwaway_database(postgres_admin_dsn) as scratch:
            url = database_url or scratch
            env = dict(
                os.environ,
                DATABASE_URL=url,
                SANDBOX_PORT=str(port),
                BOT_PORT=str(free_port()),
                LOG_LEVEL="WARNING",
            )
            env.pop("TELEGRAM_BOT_TOKEN", None)
            env.pop("WEBHOOK_URL", None)
            # Like the sandbox's flood limits, the bot's own cap at Telegram's 30 messages/s
            # would measure Telegram, not hubbot.
            env["BOT_SEND_RATE_PER_S"] = "0"
            if not nlu_cache:
                env["NLU_CACHE_SIZE"] = "0"
            await _setup(env)
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", env=env
            )
            try:
                pool = bench_questions(settings.nlu_data_dir / "tests")
                health = f"http://127.0.0.1:{env['BOT_PORT']}/healthz"
                rounds = await _measure(world, bot, url, health, pool, users, questions)
                memory = _memory_mb(bot.pid)
            finally:
                if bot.returncode is None:
                    bot.terminate()
                await bot.wait()
    finally:
        server.should_exit = True
        await serving
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    understanding = "fallback search (NLU server not running)"
    if await _reachable(settings):
        cached = nlu_cache and settings.nlu_cache_size > 0
        understanding = f"NLU server, readings cache {'on' if cached else 'off'}"
    _report(out, rounds, memory, understanding=understanding, database=database)
    return rounds


async def _measure(
    world: World,
    bot: asyncio.subprocess.Process,
    url: str,
    health_url: str,
    pool: dict[str, list[str]],
    users: list[int],
    questions: int,
) -> list[Round]:
    database = DatabaseCpu(url)
    try:
        await _wait_until_polling(world, bot)
        await wait_until_warm(health_url, bot)
        rounds = []
        next_user = 500_000
        for count in users:
            rounds.append(
                await _round(
                    world,
                    bot.pid,
                    database,
                    pool,
                    first_user=next_user,
                    users=count,
                    questions=questions,
                )
            )
            next_user += count
        return rounds
    finally:
        await database.close()


def _report(
    out: TextIO,
    rounds: list[Round],
    memory: tuple[float, float],
    *,
    understanding: str,
    database: str,
) -> None:
    out.write(f"understanding: {understanding}; database: {database}\n")
    out.write(
        "users  questions   p50 ms   p95 ms   max ms   questions/s   "
        "CPU ms/question: bot  NLU server  PostgreSQL  sandbox+residents\n"
    )
    for entry in rounds:
        database_cpu, nlu_cpu = (
            "-" if seconds is None else f"{entry.cpu_ms(seconds):.1f}"
            for seconds in (entry.database_cpu, entry.nlu_cpu)
        )
        out.write(
            f"{entry.users:>5}  {len(entry.latencies):>9}  "
            f"{statistics.median(entry.latencies) * 1000:>7.1f}  {entry.percentile(0.95):>7.1f}  "
            f"{max(entry.latencies) * 1000:>7.1f}   {entry.rate:>11.1f}   "
            f"{entry.cpu_ms(entry.bot_cpu):>20.1f}  {nlu_cpu:>10}  {database_cpu:>10}  "
            f"{entry.cpu_ms(entry.sandbox_cpu):>17.1f}\n"
        )
    now, peak = memory
    out.write(f"bot process resident memory: {now:.0f} MB (peak {peak:.0f} MB)\n")
    single = [entry for entry in rounds if entry.users == 1]
    busiest = max(rounds, key=lambda entry: entry.rate, default=None)
    checks = [
        (
            f"p95 with one user <= {TARGET_P95_MS:.0f} ms",
            bool(single) and single[0].percentile(0.95) <= TARGET_P95_MS,
        ),
        (
            f"throughput >= {TARGET_RATE:.0f} questions/s",
            busiest is not None and busiest.rate >= TARGET_RATE,
        ),
        (f"peak memory < {TARGET_RSS_MB:.0f} MB", peak < TARGET_RSS_MB),
    ]
    out.write(
        "issue 4: "
        + "; ".join(f"{name}: {'met' if met else 'NOT met'}" for name, met in checks)
        + "\n"
    )


async def _reachable(settings: Settings) -> bool:
    async with httpx.AsyncClient() as http:
        return await configured_client(settings, http, timeout_s=1.0).is_reachable()
