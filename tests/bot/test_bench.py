"""`hubbot bench replies` runs a real bot through the sandbox and reports what issue 4 asks."""

from __future__ import annotations

import io

import pytest

from bot.bench import bench, bench_questions, questions_of
from bot.config import Settings
from bot.measure import read_held_out
from bot.services.intent_search import read_examples
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
