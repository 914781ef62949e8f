"""`hubbot up` (what `make run` starts) prints the chat address and Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from db import migrate
from tests.support import free_ports


def test_up_serves_the_chat_and_ctrl_c_stops_every_process(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hubbot.db'}"
    migrate.upgrade(database_url)
    sandbox_port, bot_port, dashboard_port, nlu_port = free_ports(4)
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SANDBOX_PORT=str(sandbox_port),
        BOT_PORT=str(bot_port),
        DASHBOARD_PORT=str(dashboard_port),
        DASHBOARD_SECRET_KEY="test-secret",
        PSEUDONYM_KEY="test-pseudonyms",
        # No NLU environment here: the server fails at once and the bot uses its fallback.
        NLU_VENV=str(tmp_path / "no-venv"),
        NLU_URL=f"http://127.0.0.1:{nlu_port}",
    )
    env.pop("TELEGRAM_BOT_TOKEN", None)
    with subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as up:
        _check_and_stop(up, sandbox_port, bot_port, dashboard_port)
    for port in (sandbox_port, bot_port, dashboard_port):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
        except httpx.TransportError:
            continue
        raise AssertionError(f"something still listens on port {port}")


def _get_until_up(url: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"nothing answers at {url}"
            time.sleep(0.2)


def _check_and_stop(
    up: subprocess.Popen[str], sandbox_port: int, bot_port: int, dashboard_port: int
) -> None:
    try:
        assert up.stdout is not None
        first_line = up.stdout.readline()
        assert first_line.strip() == f"Chat with hubbot: http://127.0.0.1:{sandbox_port}/"
        assert httpx.get(f"http://127.0.0.1:{sandbox_port}/", timeout=5).status_code == 200
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{bot_port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the bot did not start"
                time.sleep(0.2)
        assert health.json()["database"] == "ok"
        assert up.stdout.readline().strip() == f"Dashboard: http://127.0.0.1:{dashboard_port}/"
        assert _get_until_up(f"http://127.0.0.1:{dashboard_port}/healthz").status_code == 200

        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=40) == 0
        assert "hubbot stopped." in up.stdout.read()
    finally:
        if up.poll() is None:
            up.kill()
