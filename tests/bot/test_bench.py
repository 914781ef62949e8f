"""`hubbot bench replies` runs a real bot through the sandbox and reports what issue 4 asks."""

from __future__ import annotations

import io

import pytest

from bot.bench import bench
from bot.config import Settings
from tests.support import free_port


async def test_bench_onboards_residents_and_reports_latency_throughput_and_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No NLU server answers there: the fallback search understands, as without `make run`.
    monkeypatch.setenv("NLU_URL", f"http://127.0.0.1:{free_port()}")
    out = io.StringIO()
    rounds = await bench(
        Settings(_env_file=None),  # type: ignore[call-arg]
        users=[1, 3],
        questions=2,
        out=out,
    )
    assert [(entry.users, len(entry.latencies)) for entry in rounds] == [(1, 2), (3, 6)]
    assert all(0 < latency < 10 for entry in rounds for latency in entry.latencies)
    assert all(entry.rate > 0 and entry.bot_cpu > 0 for entry in rounds)
    report = out.getvalue()
    assert "database: SQLite" in report and "fallback search" in report
    assert "bot process resident memory:" in report
    assert "issue 4: p95 with one user" in report
