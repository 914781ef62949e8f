"""The real Rasa server, trained from nlu_data/, answers an Arabic question end to end."""

from __future__ import annotations

import io
import json
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.measure import ask
from bot.nlu_model import ensure_model, serve_command, serving_environment
from bot.services.nlu import NluClient
from tests.bot.harness import SandboxResident, visible
from tests.bot.test_first_conversation import onboard
from tests.bot.test_questions import expected_answer
from tests.support import free_port

# Starts with a dash as one in 64 generated tokens does: rasa must still read it as the token.
TOKEN = "-e2e-token"
STARTUP_S = 240


@pytest.fixture(scope="session")
def rasa_url() -> Iterator[str]:
    """Train the model if its inputs changed (else reuse it) and serve it for this run."""
    port = free_port()
    settings = Settings(_env_file=None, nlu_url=f"http://127.0.0.1:{port}")  # type: ignore[call-arg]
    model = ensure_model(settings)
    process = subprocess.Popen(
        serve_command(settings, model.path, TOKEN),
        cwd=settings.nlu_data_dir,
        env=serving_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = settings.nlu_url
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert process.poll() is None, "the Rasa server exited"
            try:
                if (
                    httpx.get(f"{url}/status", params={"token": TOKEN}, timeout=2).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the Rasa server did not come up"
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture
async def nlu_client(rasa_url: str) -> AsyncIterator[NluClient]:
    """Point hubbot at the real Rasa server."""
    async with httpx.AsyncClient() as http:
        yield NluClient(http, base_url=rasa_url, token=TOKEN, timeout_s=5.0)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_arabic_question_is_answered_about_housing(
    resident: Callable[..., SandboxResident], sessionmaker: object
) -> None:
    person = resident("ar")
    await onboard(person, "ar")
    await person.send("مرحبا، ابحث عن شقة للايجار، شو لازم اعمل؟")
    answer = await person.reply()
    expected = await expected_answer(sessionmaker, "housing", "ar")  # type: ignore[arg-type]
    assert visible(answer["text"]) == visible(expected)


async def test_the_server_reads_several_languages(nlu_client: NluClient) -> None:
    questions = {
        "Ich brauche einen Deutschkurs": "language_course",
        "де знайти лікаря для дитини": "health",
        "kita yeri lazım": "childcare_school",
    }
    for text, intent in questions.items():
        assert (await nlu_client.parse(text)).intent == intent, text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_ask_starts_its_own_nlu_server_when_none_answers(
    rasa_url: str,
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """`hubbot ask` on a machine where `make run` is not running: it serves the model itself."""
    nobody = f"http://127.0.0.1:{free_port()}"
    settings = Settings(_env_file=None, database_url=database_url, nlu_url=nobody)  # type: ignore[call-arg]
    out = io.StringIO()
    assert await ask(settings, ["مرحبا، ابحث عن شقة للايجار، شو لازم اعمل؟"], out) == 1
    record = json.loads(out.getvalue())
    assert (record["language"], record["intent"]) == ("ar", "housing")
    assert record["confidence"] > 0.5
    assert record["answer"] == await expected_answer(sessionmaker, "housing", "ar")
