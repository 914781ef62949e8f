"""Coordinators label residents' talent descriptions; the labels become the matcher's examples."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.config import Settings
from bot.services.similarity import labelled_examples, programme_passages
from dashboard import talent_labels
from db import repositories
from db.models import (
    Application,
    ApplicationStatus,
    AuditEntry,
    Hub,
    Programme,
    ProgrammeRun,
    Resident,
    StaffRole,
    TalentLabel,
    TalentProfile,
)
from tests.dashboard.conftest import (
    PASSWORD,
    Conversations,
    SignedIn,
    add_stuttgart_account,
    anonymous_client,
    csrf_of,
    sign_in,
)

DESCRIPTION = "اسمي سمر من حمص، كنت أرسم خرائط البيوت على الأوتوكاد لمكتب هندسة"
EDITED = "كنت أرسم خرائط البيوت على الأوتوكاد لمكتب هندسة"


async def _describe(
    sessionmaker: async_sessionmaker[AsyncSession], resident_id: int, description: str | None
) -> None:
    async with sessionmaker() as session:
        session.add(
            TalentProfile(
                resident_id=resident_id, skills=["craft.engineering"], description=description
            )
        )
        await session.commit()


async def _label(
    client: httpx.AsyncClient, resident_id: int, programme: str, text: str
) -> httpx.Response:
    data = {"programme": programme, "text": text, "csrf": await csrf_of(client)}
    return await client.post(f"/talent/{resident_id}/label", data=data)


def _examples_dir(settings: Settings) -> Path:
    return settings.content_dir / "skills" / "examples" / "staff"


async def test_a_coordinator_labels_an_edited_description_and_the_matcher_learns_it(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
    dashboard_settings: Settings,
) -> None:
    await _describe(sessionmaker, conversations.arabic_resident_id, DESCRIPTION)
    coordinator = await signed_in(StaffRole.COORDINATOR)
    listing = await coordinator.get("/talent")
    assert DESCRIPTION in listing.text and "craft.engineering" in listing.text
    assert 'dir="rtl"' in listing.text

    labelled = await _label(
        coordinator, conversations.arabic_resident_id, "digital-lab", f"  {EDITED}\n"
    )
    assert labelled.status_code == 303
    assert labelled.headers["location"] == f"/talent#r{conversations.arabic_resident_id}"
    listing = await coordinator.get("/talent")
    assert "not yet" in listing.text and "coordinator@hub.example" in listing.text

    exported = await coordinator.post("/talent/export", data={"csrf": await csrf_of(coordinator)})
    assert exported.status_code == 303
    written = _examples_dir(dashboard_settings) / "ar.yml"
    assert written.read_text("utf-8").startswith("# Labelled examples from staff")
    assert yaml.safe_load(written.read_text("utf-8")) == [
        {"text": EDITED, "programmes": ["digital-lab"], "kind": "staff"}
    ]
    # The resident's name and town stay out; the matcher reads the words as a passage.
    skills_dir = dashboard_settings.content_dir / "skills"
    assert labelled_examples(skills_dir) == [(EDITED, ("digital-lab",))]
    (skills_dir / "taxonomy.yml").write_text(
        "skills:\n- {id: digital.graphic_design, en: graphic design, programmes: [digital-lab]}\n",
        "utf-8",
    )
    assert EDITED in programme_passages(skills_dir)["digital-lab"]

    async with sessionmaker() as session:
        label = await session.scalar(select(TalentLabel))
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert label is not None and label.exported and label.language == "ar"
    assert {"talent.label", "talent.export"} <= actions
    listing = await coordinator.get("/talent")
    assert ">yes<" in listing.text


async def test_the_page_shows_what_the_resident_did_with_the_recommendations(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    resident_id = conversations.arabic_resident_id
    async with sessionmaker() as session:
        hub_id = await session.scalar(select(Hub.id).where(Hub.slug == "berlin"))
        assert hub_id is not None
        runs = {}
        for slug in ("repair-and-make", "digital-lab", "kitchen-lab"):
            programme = Programme(slug=slug, names={"de": slug})
            session.add(programme)
            await session.flush()
            runs[slug] = ProgrammeRun(
                programme_id=programme.id, hub_id=hub_id, capacity=10, coordinator_name="Ana"
            )
            session.add(runs[slug])
        await session.flush()
        session.add(Application(resident_id=resident_id, run_id=runs["digital-lab"].id))
        withdrawn = ApplicationStatus.WITHDRAWN
        session.add(
            Application(resident_id=resident_id, run_id=runs["kitchen-lab"].id, status=withdrawn)
        )
        session.add(
            TalentProfile(
                resident_id=resident_id, description=DESCRIPTION, declined=["repair-and-make"]
            )
        )
        await session.commit()
    coordinator = await signed_in(StaffRole.COORDINATOR)
    listing = await coordinator.get("/talent")
    assert '<td class="applied">digital-lab</td>' in listing.text
    assert '<td class="declined">repair-and-make</td>' in listing.text


async def test_relabelling_replaces_the_label_and_an_export_writes_a_text_once(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
    dashboard_settings: Settings,
) -> None:
    await _describe(sessionmaker, conversations.arabic_resident_id, DESCRIPTION)
    await _describe(sessionmaker, conversations.resident_id, EDITED)
    admin = await signed_in(StaffRole.ADMIN)
    await _label(admin, conversations.arabic_resident_id, "repair-and-make", EDITED)
    await _label(admin, conversations.arabic_resident_id, "digital-lab", EDITED)
    # Another resident wrote the same words: the examples hold them once.
    await _label(admin, conversations.resident_id, "digital-lab", EDITED)
    await admin.post("/talent/export", data={"csrf": await csrf_of(admin)})
    async with sessionmaker() as session:
        rows = list(await session.scalars(select(TalentLabel).order_by(TalentLabel.id)))
        export = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "talent.export")
        )
    assert [(row.programme, row.exported) for row in rows] == [
        ("digital-lab", True),
        ("digital-lab", True),
    ]
    assert export is not None and export.detail["written"] == 1
    assert export.detail["already_there"] == 1
    examples = yaml.safe_load((_examples_dir(dashboard_settings) / "ar.yml").read_text("utf-8"))
    assert examples == [{"text": EDITED, "programmes": ["digital-lab"], "kind": "staff"}]
    assert not (_examples_dir(dashboard_settings) / "de.yml").exists()


async def test_bad_labels_are_refused_with_a_reason(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _describe(sessionmaker, conversations.arabic_resident_id, DESCRIPTION)
    await _describe(sessionmaker, conversations.resident_id, None)
    coordinator = await signed_in(StaffRole.COORDINATOR)
    cases = [
        (conversations.arabic_resident_id, "cooking", EDITED, 400, "Choose one of the programmes"),
        (conversations.arabic_resident_id, "kitchen-lab", " \u200b ", 400, "The text is empty"),
        # No consent to keep the words: nothing to learn from, and nothing listed.
        (conversations.resident_id, "kitchen-lab", EDITED, 404, "no such description"),
        (999_999, "kitchen-lab", EDITED, 404, "no such description"),
    ]
    for resident_id, programme, text, status, reason in cases:
        response = await _label(coordinator, resident_id, programme, text)
        assert response.status_code == status, reason
        assert reason in response.text
    async with sessionmaker() as session:
        assert list(await session.scalars(select(TalentLabel))) == []


async def test_a_measurement_text_is_never_exported(
    sessionmaker: async_sessionmaker[AsyncSession], conversations: Conversations, tmp_path: Path
) -> None:
    measured = tmp_path / "eval" / "match"
    measured.mkdir(parents=True)
    (measured / "ar.yml").write_text(
        yaml.safe_dump([{"text": EDITED, "programmes": ["digital-lab"], "kind": "indirect"}]),
        "utf-8",
    )
    await _describe(sessionmaker, conversations.arabic_resident_id, DESCRIPTION)
    async with sessionmaker() as session:
        await talent_labels.label(
            session,
            resident_id=conversations.arabic_resident_id,
            programme="digital-lab",
            text=EDITED,
            staff_id=None,
            hub_scope=None,
        )
        report = await talent_labels.export_pending(
            session, examples_dir=tmp_path / "staff", measurement_sets=tmp_path / "eval"
        )
    assert (report.written, report.measured) == (0, 1)
    assert not (tmp_path / "staff" / "ar.yml").exists()


async def test_staff_of_another_hub_and_plain_staff_see_no_description(
    signed_in: SignedIn,
    dashboard_app: Starlette,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _describe(sessionmaker, conversations.arabic_resident_id, DESCRIPTION)
    staff = await signed_in(StaffRole.STAFF)
    assert (await staff.get("/talent")).status_code == 403
    await add_stuttgart_account(
        sessionmaker, email="stuttgart@hub.example", role=StaffRole.COORDINATOR, create_hub=True
    )
    async with anonymous_client(dashboard_app) as other:
        assert (await sign_in(other, "stuttgart@hub.example", PASSWORD)).status_code == 303
        listing = await other.get("/talent")
        assert listing.status_code == 200 and DESCRIPTION not in listing.text
        refused = await _label(other, conversations.arabic_resident_id, "digital-lab", EDITED)
        assert refused.status_code == 404
    async with sessionmaker() as session:
        assert list(await session.scalars(select(TalentLabel))) == []


async def test_deleting_a_resident_deletes_their_label_until_it_is_exported(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _describe(sessionmaker, conversations.arabic_resident_id, DESCRIPTION)
    coordinator = await signed_in(StaffRole.COORDINATOR)
    await _label(coordinator, conversations.arabic_resident_id, "digital-lab", EDITED)
    async with sessionmaker() as session:
        resident = await session.get(Resident, conversations.arabic_resident_id)
        assert resident is not None
        await repositories.delete_resident(session, resident=resident)
        await session.commit()
        assert list(await session.scalars(select(TalentLabel))) == []
