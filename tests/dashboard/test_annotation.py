"""Coordinators label questions; the labels become reviewable training data in nlu_data/."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import yaml
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.config import Settings
from dashboard.retrain import Retrainer
from db import repositories
from db.models import (
    Annotation,
    AuditEntry,
    MessageLog,
    Resident,
    RetrainRun,
    RetrainStatus,
    StaffRole,
)
from tests.conftest import ServeAsgi
from tests.dashboard.conftest import (
    PASSWORD,
    Conversations,
    SignedIn,
    add_stuttgart_account,
    anonymous_client,
    csrf_of,
    sign_in,
)
from tests.fakes import FakeNlu


async def _annotate(
    client: httpx.AsyncClient,
    message_id: int,
    *,
    intent: str = "",
    new_intent: str = "",
    csrf: str = "",
) -> httpx.Response:
    data = {"intent": intent, "new_intent": new_intent, "csrf": csrf}
    return await client.post(f"/messages/{message_id}/annotate", data=data)


async def _question(
    sessionmaker: async_sessionmaker[AsyncSession], text: str | None, language: str = "ar"
) -> int:
    async with sessionmaker() as session:
        resident = await session.scalar(select(Resident).where(Resident.language == "ar"))
        assert resident is not None
        message = MessageLog(
            resident_id=resident.id,
            direction="in",
            text=text,
            language=language,
            intent="housing",
            confidence=0.3,
            outcome="unsure",
        )
        session.add(message)
        await session.commit()
        return message.id


async def test_a_coordinator_annotates_a_question_and_exports_it(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
    nlu_dir: Path,
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    page = await coordinator.get(f"/conversations/{conversations.arabic_resident_id}")
    assert 'name="new_intent"' in page.text and '<option value="language_course"' in page.text
    csrf = await csrf_of(coordinator)
    response = await coordinator.post(
        f"/messages/{conversations.unanswered_message_id}/annotate",
        data={"intent": "language_course", "new_intent": "", "csrf": csrf},
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/conversations/{conversations.arabic_resident_id}#m{conversations.unanswered_message_id}"
    )
    page = await coordinator.get(f"/conversations/{conversations.arabic_resident_id}")
    assert "Annotated as language_course" in page.text
    listing = await coordinator.get("/annotations")
    assert "أين أجد دورة لغة ألمانية مجانية؟" in listing.text and "not yet" in listing.text

    exported = await coordinator.post("/annotations/export", data={"csrf": csrf})
    assert exported.status_code == 303
    document = yaml.safe_load((nlu_dir / "data" / "ar" / "annotated.yml").read_text("utf-8"))
    assert document["nlu"] == [
        {"intent": "language_course", "examples": "- أين أجد دورة لغة ألمانية مجانية؟\n"}
    ]
    async with sessionmaker() as session:
        annotation = await session.scalar(select(Annotation))
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert annotation is not None and annotation.exported and annotation.staff_id is not None
    assert {"message.annotate", "annotations.export"} <= set(actions)
    listing = await coordinator.get("/annotations")
    assert "coordinator@hub.example" in listing.text


async def test_a_new_intent_is_accepted_and_relabelling_replaces_the_label(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin = await signed_in(StaffRole.ADMIN)
    csrf = await csrf_of(admin)
    message_id = conversations.script_message_id
    first = await _annotate(admin, message_id, intent="housing", new_intent="jobcenter", csrf=csrf)
    second = await _annotate(admin, message_id, intent="language_course", csrf=csrf)
    assert first.status_code == second.status_code == 303
    async with sessionmaker() as session:
        rows = list(await session.scalars(select(Annotation)))
    assert [(row.intent, row.language) for row in rows] == [("language_course", "de")]


async def test_bad_annotations_are_refused_with_a_reason(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    csrf = await csrf_of(coordinator)
    held_out = await _question(sessionmaker, "وين في دورة لغة المانية")
    not_kept = await _question(sessionmaker, None)
    cases = [
        (conversations.unanswered_message_id, "Visa Fragen!", 400, "An intent name is"),
        (held_out, "language_course", 400, "held-out tests"),
        (not_kept, "housing", 400, "was not kept"),
        (999_999, "housing", 404, "no such question"),
    ]
    for message_id, intent, status, reason in cases:
        response = await _annotate(coordinator, message_id, new_intent=intent, csrf=csrf)
        assert response.status_code == status, reason
        assert reason in response.text
    async with sessionmaker() as session:
        assert list(await session.scalars(select(Annotation))) == []


async def test_staff_may_not_annotate_and_the_form_needs_its_token(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    staff = await signed_in(StaffRole.STAFF)
    page = await staff.get(f"/conversations/{conversations.arabic_resident_id}")
    assert 'name="new_intent"' not in page.text
    refused = await _annotate(
        staff, conversations.unanswered_message_id, intent="housing", csrf=await csrf_of(staff)
    )
    coordinator = await signed_in(StaffRole.COORDINATOR)
    forged = await _annotate(
        coordinator, conversations.unanswered_message_id, intent="housing", csrf="forged"
    )
    assert refused.status_code == forged.status_code == 403
    assert (await staff.get("/annotations")).status_code == 403
    async with sessionmaker() as session:
        assert list(await session.scalars(select(Annotation))) == []


async def test_deleting_a_resident_deletes_their_annotations(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    await _annotate(
        coordinator,
        conversations.unanswered_message_id,
        intent="language_course",
        csrf=await csrf_of(coordinator),
    )
    async with sessionmaker() as session:
        resident = await session.get(Resident, conversations.arabic_resident_id)
        assert resident is not None
        await repositories.delete_resident(session, resident=resident)
        await session.commit()
        assert list(await session.scalars(select(Annotation))) == []


async def test_retraining_with_the_nlu_server_down_says_so(
    signed_in: SignedIn, dashboard_app: Starlette, conversations: Conversations
) -> None:
    coordinator = await signed_in(StaffRole.COORDINATOR)
    started = await coordinator.post(
        "/annotations/retrain", data={"csrf": await csrf_of(coordinator)}
    )
    assert started.status_code == 303
    await dashboard_app.state.dashboard.retrainer.wait()
    page = await coordinator.get("/annotations")
    assert "failed: the NLU server does not answer" in page.text
    assert "Traceback" not in page.text


async def test_one_retraining_at_a_time_and_a_restart_ends_the_one_left_behind(
    signed_in: SignedIn,
    dashboard_app: Starlette,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        session.add(RetrainRun(step="training"))
        await session.commit()
    coordinator = await signed_in(StaffRole.COORDINATOR)
    page = await coordinator.get("/annotations")
    assert "running: training" in page.text and 'http-equiv="refresh"' in page.text
    second = await coordinator.post(
        "/annotations/retrain", data={"csrf": await csrf_of(coordinator)}
    )
    assert second.status_code == 409 and "already running" in second.text
    await dashboard_app.state.dashboard.retrainer.recover()
    page = await coordinator.get("/annotations")
    assert "stopped when the dashboard stopped" in page.text
    assert 'http-equiv="refresh"' not in page.text


async def test_a_coordinator_of_another_hub_neither_annotates_nor_reads_the_annotations(
    signed_in: SignedIn,
    dashboard_app: Starlette,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin = await signed_in(StaffRole.ADMIN)
    await _annotate(
        admin,
        conversations.unanswered_message_id,
        intent="language_course",
        csrf=await csrf_of(admin),
    )
    await add_stuttgart_account(
        sessionmaker, email="stuttgart@hub.example", role=StaffRole.COORDINATOR, create_hub=True
    )
    async with anonymous_client(dashboard_app) as other:
        assert (await sign_in(other, "stuttgart@hub.example", PASSWORD)).status_code == 303
        listing = await other.get("/annotations")
        assert listing.status_code == 200 and "دورة لغة" not in listing.text
        refused = await _annotate(
            other, conversations.unanswered_message_id, intent="housing", csrf=await csrf_of(other)
        )
        assert refused.status_code == 404
    assert "دورة لغة" in (await admin.get("/annotations")).text


async def test_stopping_the_dashboard_stops_the_training(
    signed_in: SignedIn,
    dashboard_settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    serve_asgi: ServeAsgi,
    tmp_path: Path,
) -> None:
    # A stand-in for .venv-nlu whose "training" would leave a mark after three seconds.
    rasa = tmp_path / "venv-nlu" / "bin" / "rasa"
    rasa.parent.mkdir(parents=True)
    finished = tmp_path / "finished"
    rasa.write_text(f"#!/bin/sh\nsleep 3\ntouch {finished}\n", encoding="utf-8")
    rasa.chmod(0o755)
    served = FakeNlu()
    settings = dashboard_settings.model_copy(
        update={
            "nlu_url": await serve_asgi(served.app()),
            "nlu_token": SecretStr(served.token),
            "nlu_venv": rasa.parent.parent,
        }
    )
    retrainer = Retrainer(settings, sessionmaker)
    run = await retrainer.start(staff_id=None)
    assert run is not None
    for _ in range(200):
        async with sessionmaker() as session:
            current = await session.get(RetrainRun, run.id)
        assert current is not None
        if current.step == "training":
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # the child has started rasa
    await retrainer.stop()
    async with sessionmaker() as session:
        stopped = await session.get(RetrainRun, run.id)
    assert stopped is not None
    assert (stopped.status, stopped.error) == (RetrainStatus.FAILED, "interrupted")
    await asyncio.sleep(3.0)
    assert not finished.exists()
