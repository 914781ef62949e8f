"""Retrain with the real Rasa (a tiny pipeline): train, measure, hot-load only if not worse.

The served model is a fake NLU server whose answers set the accuracy to beat; the new model
is trained by `hubbot nlu train` in .venv-nlu and served on a free port to be measured.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.config import Settings
from bot.measure import all_held_out
from db.models import RetrainRun, RetrainStatus, StaffRole
from tests.conftest import ServeAsgi
from tests.dashboard.conftest import Conversations, SignedIn, csrf_of
from tests.fakes import FakeNlu

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Share trained tiny models between the tests of this module (same inputs, same hash)."""
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture
def fake_nlu() -> FakeNlu:
    """Return the served model: answers nothing right unless a test says otherwise."""
    return FakeNlu()


@pytest.fixture
async def dashboard_settings(
    dashboard_settings: Settings, fake_nlu: FakeNlu, serve_asgi: ServeAsgi, nlu_cache: Path
) -> Settings:
    """Point the dashboard at the fake served model and the shared model cache."""
    url = await serve_asgi(fake_nlu.app())
    return dashboard_settings.model_copy(
        update={
            "nlu_url": url,
            "nlu_token": SecretStr(fake_nlu.token),
            "nlu_model_cache": nlu_cache,
        }
    )


async def _annotate_and_retrain(
    client: httpx.AsyncClient, app: Starlette, conversations: Conversations
) -> str:
    csrf = await csrf_of(client)
    annotated = await client.post(
        f"/messages/{conversations.unanswered_message_id}/annotate",
        data={"intent": "language_course", "csrf": csrf},
    )
    assert annotated.status_code == 303
    started = await client.post("/annotations/retrain", data={"csrf": csrf})
    assert started.status_code == 303
    await app.state.dashboard.retrainer.wait()
    return (await client.get("/annotations")).text


async def test_a_model_that_is_not_worse_is_trained_measured_and_loaded(
    signed_in: SignedIn,
    conversations: Conversations,
    dashboard_app: Starlette,
    dashboard_settings: Settings,
    fake_nlu: FakeNlu,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    page = await _annotate_and_retrain(coordinator, dashboard_app, conversations)
    async with sessionmaker() as session:
        run = await session.scalar(select(RetrainRun))
    assert run is not None and run.status == RetrainStatus.LOADED, run and run.error
    assert run.old_accuracy == 0.0 and run.new_accuracy is not None and run.examples_added == 1
    model = dashboard_settings.models_dir / f"{run.model_name}.tar.gz"
    assert fake_nlu.loaded == [str(model.resolve())] and model.exists()
    assert "new model loaded" in page and "0.00" in page
    annotated = dashboard_settings.nlu_data_dir / "data" / "ar" / "annotated.yml"
    assert "أين أجد دورة لغة ألمانية مجانية؟" in annotated.read_text("utf-8")


async def test_a_worse_model_is_kept_out(
    signed_in: SignedIn,
    conversations: Conversations,
    dashboard_app: Starlette,
    dashboard_settings: Settings,
    fake_nlu: FakeNlu,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tests = dashboard_settings.nlu_data_dir / "tests" / "de" / "test_nlu.yml"
    # An intent the training data lacks: the new model cannot get it, the served one does.
    tests.write_text(
        tests.read_text("utf-8") + "- intent: goodbye\n  examples: |\n    - tschüss bis morgen\n",
        encoding="utf-8",
    )
    for examples in all_held_out(tests.parent.parent).values():
        fake_nlu.intents.update({example.text: (example.intent, 0.9) for example in examples})
    coordinator = await signed_in(StaffRole.COORDINATOR)
    page = await _annotate_and_retrain(coordinator, dashboard_app, conversations)
    async with sessionmaker() as session:
        run = await session.scalar(select(RetrainRun))
    assert run is not None and run.status == RetrainStatus.KEPT, run and run.error
    assert run.old_accuracy == 1.0 and run.new_accuracy is not None and run.new_accuracy < 1.0
    assert fake_nlu.loaded == []
    assert "current model kept" in page
