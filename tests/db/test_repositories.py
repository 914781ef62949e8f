"""Repository behaviour that the bot's guarantees rest on, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import repositories
from db.content import ContentError, import_content, read_hubs
from db.models import Direction, FlowProgress, Handover, HandoverStatus, Hub, MessageLog


async def test_an_update_can_be_claimed_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        assert await repositories.claim_update(session, update_id=5) is True
        await session.commit()
    async with sessionmaker() as session:
        assert await repositories.claim_update(session, update_id=5) is False
        assert await repositories.claim_update(session, update_id=6) is True


async def test_a_rolled_back_claim_can_be_retried(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        assert await repositories.claim_update(session, update_id=9) is True
        await session.rollback()
    async with sessionmaker() as session:
        assert await repositories.claim_update(session, update_id=9) is True


async def test_deleting_a_resident_deletes_their_messages(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        resident = await repositories.create_resident(
            session, telegram_user_id=2**40, chat_id=2**40, telegram_language_code="ar"
        )
        await repositories.log_message(
            session,
            resident=resident,
            direction=Direction.INCOMING,
            kind="text",
            text="مرحبا",
            language="ar",
        )
        await session.commit()
        await repositories.delete_resident(session, resident=resident)
        await session.commit()
        count = await session.scalar(select(func.count()).select_from(MessageLog))
        assert count == 0


async def test_content_import_is_idempotent(
    sessionmaker: async_sessionmaker[AsyncSession], content_dir: Path
) -> None:
    for _ in range(2):
        async with sessionmaker() as session:
            report = await import_content(session, content_dir)
            await session.commit()
    assert report.hubs == 2
    async with sessionmaker() as session:
        hubs = (await session.execute(select(Hub).order_by(Hub.slug))).scalars().all()
    assert [hub.slug for hub in hubs] == ["berlin", "stuttgart"]
    assert hubs[0].name_in("ar") == "مركز الاندماج برلين"
    assert hubs[0].name_in("xx") == "Integrationshub Berlin"


def test_content_without_slugs_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hubs.yml").write_text("hubs:\n  - city: Köln\n", encoding="utf-8")
    with pytest.raises(ContentError):
        read_hubs(tmp_path)


async def test_old_processed_updates_are_forgotten(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from datetime import timedelta

    from db.base import utcnow

    async with sessionmaker() as session:
        await repositories.claim_update(session, update_id=1)
        await session.commit()
        assert (
            await repositories.forget_processed_updates(
                session, before=utcnow() - timedelta(days=1)
            )
            == 0
        )
        assert (
            await repositories.forget_processed_updates(
                session, before=utcnow() + timedelta(seconds=1)
            )
            == 1
        )
        await session.commit()
        assert await repositories.claim_update(session, update_id=1) is True


async def test_the_residents_query_knows_their_flow_and_open_request_as_they_change(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # The resident's query also answers "in a flow?" and "request open?" for the rest of the
    # update; what the update itself starts or closes must show at once.
    async with sessionmaker() as session:
        await repositories.create_resident(
            session, telegram_user_id=2**41, chat_id=2**41, telegram_language_code="uk"
        )
        await session.commit()
    async with sessionmaker() as session:
        resident, _staff = await repositories.get_resident_with_role(
            session, telegram_user_id=2**41
        )
        assert resident is not None
        assert await repositories.get_flow_progress(session, resident=resident) is None
        assert await repositories.get_open_handover(session, resident=resident) is None
        row = FlowProgress(resident_id=resident.id, flow="talent_intake", step="skills")
        repositories.add_flow_progress(session, resident=resident, row=row)
        handover = Handover(resident_id=resident.id, language="uk")
        await repositories.add_handover(session, resident=resident, handover=handover)
        assert await repositories.get_flow_progress(session, resident=resident) is row
        assert await repositories.get_open_handover(session, resident=resident) is handover
        await session.commit()
    async with sessionmaker() as session:
        resident, _staff = await repositories.get_resident_with_role(
            session, telegram_user_id=2**41
        )
        assert resident is not None
        progress = await repositories.get_flow_progress(session, resident=resident)
        assert progress is not None and progress.step == "skills"
        open_request = await repositories.get_open_handover(session, resident=resident)
        assert open_request is not None and open_request.id == handover.id
        open_request.status = HandoverStatus.CLOSED
        await repositories.clear_flow_progress(session, resident=resident)
        assert await repositories.get_open_handover(session, resident=resident) is None
        assert await repositories.get_flow_progress(session, resident=resident) is None
