"""Queries and writes on the shared database. Functions flush; the caller commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from db.base import Base, utcnow
from db.models import (
    Annotation,
    Answer,
    AnswerText,
    Application,
    ApplicationStatus,
    EventRsvp,
    FlowProgress,
    Handover,
    HandoverMessage,
    HandoverStatus,
    Hub,
    MessageLog,
    ProcessedUpdate,
    Programme,
    ProgrammeRun,
    Resident,
    Service,
    ServiceText,
    Staff,
    TalentLabel,
    TalentProfile,
)

RowT = TypeVar("RowT", bound=Base)


async def claim_update(session: AsyncSession, *, update_id: int) -> bool:
    """Record an update id; False when another delivery of it was handled already.

    The row commits together with everything the update changed, so a failed attempt can
    be retried, and a concurrent second delivery waits on the key and then backs off.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ProcessedUpdate)
        .values(update_id=update_id, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(ProcessedUpdate.update_id)
    )
    result = await session.execute(statement)
    return result.scalar_one_or_none() is not None


async def forget_processed_updates(session: AsyncSession, *, before: datetime) -> int:
    """Delete processed-update records older than a time; Telegram redelivers for a day at most."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# Nearly every update asks whether its resident is in a flow and has a request open for a
# person; the resident's own query answers both (each was a round trip of its own), and the
# answer is kept in the session's `info` for the rest of the update.
PRELOADED = "hubbot.preloaded"


@dataclass
class Preloaded:
    """What the resident's query found besides the resident, kept current by the writers."""

    in_flow: bool
    open_handover: Handover | None


def _preloaded(session: AsyncSession, resident: Resident) -> Preloaded | None:
    known: dict[int, Preloaded] = session.info.get(PRELOADED, {})
    return known.get(resident.id)


async def get_resident_with_role(
    session: AsyncSession, *, telegram_user_id: int
) -> tuple[Resident | None, bool]:
    """Return the resident with their hub loaded, and whether they are staff, in one query.

    The same query loads their flow progress and open handover request, if any, for
    `get_flow_progress` and `get_open_handover` to answer without another round trip.
    """
    row = (
        await session.execute(
            select(Resident, Staff.id, FlowProgress, Handover)
            .outerjoin(Staff, Staff.telegram_user_id == Resident.telegram_user_id)
            .outerjoin(FlowProgress, FlowProgress.resident_id == Resident.id)
            .outerjoin(
                Handover,
                and_(Handover.resident_id == Resident.id, Handover.status == HandoverStatus.OPEN),
            )
            .where(Resident.telegram_user_id == telegram_user_id)
            .options(joinedload(Resident.hub))
        )
    ).first()
    if row is None:
        return None, False
    resident, staff_id, progress, handover = row
    session.info.setdefault(PRELOADED, {})[resident.id] = Preloaded(
        in_flow=progress is not None, open_handover=handover
    )
    return resident, staff_id is not None


async def create_resident(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    telegram_language_code: str | None,
) -> Resident:
    """Create a resident who wrote for the first time."""
    resident = Resident(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        telegram_language_code=telegram_language_code,
        hub=None,
    )
    session.add(resident)
    await session.flush()
    return resident


async def delete_resident(session: AsyncSession, *, resident: Resident) -> None:
    """Erase a resident and, through the foreign key, every message of theirs."""
    await session.execute(
        delete(HandoverMessage).where(
            HandoverMessage.handover_id.in_(
                select(Handover.id).where(Handover.resident_id == resident.id)
            )
        )
    )
    # The copies staff annotated go too; what was exported lives on in nlu_data/ only.
    own_messages = select(MessageLog.id).where(MessageLog.resident_id == resident.id)
    await session.execute(delete(Annotation).where(Annotation.message_id.in_(own_messages)))
    await session.execute(delete(MessageLog).where(MessageLog.resident_id == resident.id))
    await session.execute(delete(Handover).where(Handover.resident_id == resident.id))
    # A talent label's copy goes too, unless it was exported to content/skills/examples/.
    for table in (Application, TalentProfile, TalentLabel, FlowProgress, EventRsvp):
        await session.execute(delete(table).where(table.resident_id == resident.id))
    await session.execute(delete(Resident).where(Resident.id == resident.id))
    await session.flush()


async def log_message(
    session: AsyncSession,
    *,
    resident: Resident,
    direction: str,
    kind: str,
    text: str | None,
    language: str | None,
    flush: bool = True,
) -> MessageLog:
    """Append a message to the log; without `flush` it is written with the next flush."""
    entry = MessageLog(
        resident_id=resident.id, direction=direction, kind=kind, text=text, language=language
    )
    session.add(entry)
    if flush:
        await session.flush()
    return entry


async def resident_messages(session: AsyncSession, *, resident: Resident) -> Sequence[MessageLog]:
    """Return a resident's logged messages, oldest first."""
    result = await session.execute(
        select(MessageLog)
        .where(MessageLog.resident_id == resident.id)
        .order_by(MessageLog.created_at, MessageLog.id)
    )
    return result.scalars().all()


async def list_hubs(session: AsyncSession) -> Sequence[Hub]:
    """Return every hub, in a stable order."""
    result = await session.execute(select(Hub).order_by(Hub.id))
    return result.scalars().all()


async def get_hub(session: AsyncSession, *, slug: str) -> Hub | None:
    """Return the hub with this slug."""
    result = await session.execute(select(Hub).where(Hub.slug == slug))
    return result.scalar_one_or_none()


async def upsert_hub(session: AsyncSession, *, slug: str, fields: dict[str, Any]) -> Hub:
    """Create a hub or update it in place, keeping its id (residents point at it)."""
    hub = await get_hub(session, slug=slug)
    return await _create_or_update(session, hub or Hub(slug=slug), fields)


async def _create_or_update(session: AsyncSession, row: RowT, fields: dict[str, Any]) -> RowT:
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    await session.flush()
    return row


async def get_staff_by_email(session: AsyncSession, *, email: str) -> Staff | None:
    """Return the staff member with this e-mail address."""
    result = await session.execute(select(Staff).where(Staff.email == email))
    return result.scalar_one_or_none()


async def upsert_staff(session: AsyncSession, *, email: str, fields: dict[str, Any]) -> Staff:
    """Create a staff member or update them in place."""
    staff = await get_staff_by_email(session, email=email)
    return await _create_or_update(session, staff or Staff(email=email), fields)


def _one_of(column: InstrumentedAttribute[str], values: Collection[str]) -> ColumnElement[bool]:
    # Not IN (...): SQLAlchemy renders an expanding IN afresh on every execution, and this runs
    # on every question; a fixed number of `=` comparisons is compiled once and cached.
    return or_(*(column == value for value in values))


async def get_answer(
    session: AsyncSession, *, intent: str, hub_id: int | None, languages: Collection[str]
) -> Answer | None:
    """Return the hub's own answer for an intent, else the one for every hub.

    Only the texts in `languages` are loaded into `Answer.texts`: this runs on every question
    answered, and building the other languages' objects was most of its cost.
    """
    # Texts in the same query: one round trip, not two, on every question answered.
    result = await session.execute(
        select(Answer)
        .where(Answer.intent == intent, (Answer.hub_id == hub_id) | Answer.hub_id.is_(None))
        .order_by(Answer.hub_id.is_(None))
        .options(joinedload(Answer.texts.and_(_one_of(AnswerText.language, languages))))
    )
    return result.unique().scalars().first()


async def list_services(
    session: AsyncSession, *, intent: str, hub_id: int | None, languages: Collection[str]
) -> Sequence[Service]:
    """Return a hub's services for an intent, with their texts in `languages` only."""
    if hub_id is None:
        return []
    result = await session.execute(
        select(Service)
        .where(Service.intent == intent, Service.hub_id == hub_id)
        .order_by(Service.id)
        .options(joinedload(Service.texts.and_(_one_of(ServiceText.language, languages))))
    )
    return result.unique().scalars().all()


async def set_feedback(
    session: AsyncSession, *, resident: Resident, message_id: int, helpful: bool
) -> bool:
    """Record whether the answer to one of the resident's questions helped."""
    message = await session.get(MessageLog, message_id)
    if message is None or message.resident_id != resident.id or message.direction != "in":
        return False
    message.helpful = helpful
    await session.flush()
    return True


async def resident_handovers(session: AsyncSession, *, resident: Resident) -> Sequence[Handover]:
    """Return a resident's requests to talk to a person, oldest first."""
    result = await session.execute(
        select(Handover).where(Handover.resident_id == resident.id).order_by(Handover.id)
    )
    return result.scalars().all()


async def resident_handover_messages(
    session: AsyncSession, *, resident: Resident
) -> Sequence[HandoverMessage]:
    """Return the threads of a resident's requests to talk to a person, oldest first."""
    result = await session.execute(
        select(HandoverMessage)
        .join(Handover, Handover.id == HandoverMessage.handover_id)
        .where(Handover.resident_id == resident.id)
        .order_by(HandoverMessage.id)
    )
    return result.scalars().all()


async def get_flow_progress(session: AsyncSession, *, resident: Resident) -> FlowProgress | None:
    """Return the flow a resident is in, if any."""
    preloaded = _preloaded(session, resident)
    if preloaded is not None and not preloaded.in_flow:
        return None
    # A row the resident's query loaded comes from the session's identity map, without SQL.
    return await session.get(FlowProgress, resident.id)


def add_flow_progress(session: AsyncSession, *, resident: Resident, row: FlowProgress) -> None:
    """Start keeping a resident's place in a flow (written at the next flush)."""
    session.add(row)
    preloaded = _preloaded(session, resident)
    if preloaded is not None:
        preloaded.in_flow = True


async def get_open_handover(session: AsyncSession, *, resident: Resident) -> Handover | None:
    """Return the resident's open request for a person, if there is one."""
    preloaded = _preloaded(session, resident)
    if preloaded is not None:
        known = preloaded.open_handover
        if known is None or known.status == HandoverStatus.OPEN:
            return known
    result = await session.execute(
        select(Handover).where(
            Handover.resident_id == resident.id, Handover.status == HandoverStatus.OPEN
        )
    )
    return result.scalars().first()


async def add_handover(session: AsyncSession, *, resident: Resident, handover: Handover) -> None:
    """Open a request for a person and write it now (staff see it by its id)."""
    session.add(handover)
    await session.flush()
    preloaded = _preloaded(session, resident)
    if preloaded is not None:
        preloaded.open_handover = handover


async def clear_flow_progress(session: AsyncSession, *, resident: Resident) -> None:
    """Forget the flow a resident was in."""
    await session.execute(delete(FlowProgress).where(FlowProgress.resident_id == resident.id))
    await session.flush()


async def list_programmes(session: AsyncSession) -> Sequence[Programme]:
    """Return every programme, in a stable order."""
    result = await session.execute(select(Programme).order_by(Programme.id))
    return result.scalars().all()


async def hub_runs(session: AsyncSession, *, hub_id: int) -> Sequence[ProgrammeRun]:
    """Return the programme runs of a hub, with their programmes and stages."""
    result = await session.execute(
        select(ProgrammeRun).where(ProgrammeRun.hub_id == hub_id).order_by(ProgrammeRun.id)
    )
    return result.unique().scalars().all()


async def get_run(session: AsyncSession, *, run_id: int) -> ProgrammeRun | None:
    """Return a programme run by id."""
    return await session.get(ProgrammeRun, run_id)


async def submitted_counts(session: AsyncSession, *, run_ids: Sequence[int]) -> dict[int, int]:
    """Return how many active applications each run has."""
    result = await session.execute(
        select(Application.run_id, func.count())
        .where(Application.run_id.in_(run_ids), Application.status == ApplicationStatus.SUBMITTED)
        .group_by(Application.run_id)
    )
    return {run_id: int(count) for run_id, count in result.all()}


async def get_talent_profile(session: AsyncSession, *, resident: Resident) -> TalentProfile | None:
    """Return what the talent intake stored about a resident."""
    return await session.get(TalentProfile, resident.id)


async def resident_applications(
    session: AsyncSession, *, resident: Resident
) -> Sequence[Application]:
    """Return a resident's applications, newest first."""
    result = await session.execute(
        select(Application)
        .where(Application.resident_id == resident.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    return result.unique().scalars().all()


async def resident_rsvps(session: AsyncSession, *, resident: Resident) -> Sequence[EventRsvp]:
    """Return a resident's answers to events, oldest first."""
    result = await session.execute(
        select(EventRsvp).where(EventRsvp.resident_id == resident.id).order_by(EventRsvp.id)
    )
    return result.unique().scalars().all()
