"""`hubbot bench replies` runs a real bot through the sandbox and reports what issue 4 asks."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.bench import bench, bench_questions, questions_of, wait_until_warm
from bot.config import Settings
from bot.measure import read_held_out
from bot.services.intent_search import read_examples
from tests.conftest import ServeAsgi
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


def test_bench_residents_ask_different_held_out_questions_that_get_one_answer() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    pool = bench_questions(settings.nlu_data_dir / "tests")
    assert set(pool) == {"ar", "de", "en", "fa", "fr", "ru", "tr", "uk"}
    runs = [questions_of(pool, user, 20) for user in range(500_000, 500_050)]
    asked = [question for _, questions in runs for question in questions]
    assert len(set(asked)) == len(asked) == 1000, "no question repeats within a round"
    assert {language for language, _ in runs} == set(pool)
    training = {example.text for example in read_examples(settings.nlu_data_dir / "data")}
    assert not training & set(asked)
    intents = {
        example.text: example.intent
        for examples in read_held_out(settings.nlu_data_dir / "tests")["plain"].values()
        for example in examples
    }
    assert not {intents[question] for question in asked} & {"offer_talent", "delete_my_data"}


async def test_bench_waits_until_the_bot_has_embedded_the_talent_passages(
    serve_asgi: ServeAsgi, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first start on a machine embeds for minutes: measured then, the bot reads half as fast."""
    states = ["loading", "loading", "ready"]

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "semantic": states.pop(0) if states else "ready"})

    url = await serve_asgi(Starlette(routes=[Route("/healthz", healthz)]))
    bot: Any = SimpleNamespace(returncode=None)
    assert await wait_until_warm(f"{url}/healthz", bot, poll_s=0.01)
    assert states == []
    assert "waiting for the bot to embed the talent passages" in capsys.readouterr().err
    assert not await wait_until_warm(f"{url}/healthz", bot, poll_s=0.01)
