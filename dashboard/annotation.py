"""Annotations: staff label a resident's question; export turns the labels into training data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import nlu_export
from bot.i18n import N_, is_rtl
from bot.nlu_export import ExampleRefused, ExportReport, Labelled, NluData, Refusal
from dashboard import audit, conversations
from db.models import Annotation, AuditEntry, MessageLog, Resident, Staff

RECENT_LIMIT = 100


class QuestionMissing(LookupError):
    """No question with that id, or not one the viewer may see."""


@dataclass(frozen=True, slots=True)
class AnnotationRow:
    """One annotation as the annotations page lists it."""

    id: int
    message_id: int | None
    text: str
    language: str
    intent: str
    annotator: str | None
    created_at: datetime
    exported: bool

    @property
    def rtl(self) -> bool:
        """Tell whether the text is written right to left."""
        return is_rtl(self.language)


class NluDataCache:
    """The NLU project as last read (about 9,000 lines of YAML); read again when it changes."""

    def __init__(self, nlu_data_dir: Path) -> None:
        self._dir = nlu_data_dir
        self._lock = asyncio.Lock()
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._data: NluData | None = None

    def _current_signature(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted(self._dir.glob("data/**/*.yml")) + sorted(self._dir.glob("tests/**/*.yml"))
        stats = [(str(path), path.stat()) for path in files]
        return tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats)

    async def get(self) -> NluData:
        """Return the project, read off the event loop when a file changed."""
        async with self._lock:
            signature = await asyncio.to_thread(self._current_signature)
            if self._data is None or signature != self._signature:
                self._data = await asyncio.to_thread(NluData, self._dir)
                self._signature = signature
            return self._data


async def annotate(
    session: AsyncSession,
    *,
    message_id: int,
    intent: str,
    staff_id: int,
    hub_scope: int | None,
    data: NluData,
) -> Annotation:
    """Label a question with an intent (again: the new label replaces the old one).

    Raises QuestionMissing, or ExampleRefused when the text cannot be trained on.
    """
    message = await conversations.message_of(session, message_id=message_id, hub_scope=hub_scope)
    if message is None:
        raise QuestionMissing(message_id)
    if message.text is None:
        # No consent to keep it, or deleted by retention: there is nothing to learn from.
        raise ExampleRefused(Refusal(N_("The text of this message was not kept.")))
    checked = data.check(text=message.text, language=message.language or "", intent=intent)
    annotation = await session.scalar(select(Annotation).where(Annotation.message_id == message_id))
    if annotation is None:
        annotation = Annotation(message_id=message_id, text=checked.text)
        session.add(annotation)
    annotation.text = checked.text
    annotation.language = checked.language
    annotation.intent = checked.intent
    annotation.staff_id = staff_id
    annotation.exported = False
    await session.flush()
    return annotation


async def labels_of(session: AsyncSession, message_ids: list[int]) -> dict[int, Annotation]:
    """Return the annotations of some messages by message id."""
    if not message_ids:
        return {}
    rows = await session.scalars(select(Annotation).where(Annotation.message_id.in_(message_ids)))
    return {row.message_id: row for row in rows if row.message_id is not None}


async def recent(
    session: AsyncSession, *, hub_scope: int | None, limit: int = RECENT_LIMIT
) -> list[AnnotationRow]:
    """Return the newest annotations the viewer may see, waiting ones first."""
    query = select(Annotation, Staff.email).outerjoin(Staff, Staff.id == Annotation.staff_id)
    if hub_scope is not None:
        # A member of one hub reads only that hub's residents' words.
        query = (
            query.join(MessageLog, MessageLog.id == Annotation.message_id)
            .join(Resident, Resident.id == MessageLog.resident_id)
            .where(Resident.hub_id == hub_scope)
        )
    rows = await session.execute(
        query.order_by(
            Annotation.exported, Annotation.created_at.desc(), Annotation.id.desc()
        ).limit(limit)
    )
    return [
        AnnotationRow(
            id=annotation.id,
            message_id=annotation.message_id,
            text=annotation.text,
            language=annotation.language,
            intent=annotation.intent,
            annotator=email,
            created_at=annotation.created_at,
            exported=annotation.exported,
        )
        for annotation, email in rows
    ]


async def export_pending(session: AsyncSession, *, nlu_data_dir: Path) -> ExportReport:
    """Write every annotation not yet exported into nlu_data/ and mark it exported."""
    pending = list(
        await session.scalars(
            select(Annotation).where(Annotation.exported.is_(False)).order_by(Annotation.id)
        )
    )
    examples = [Labelled(row.text, row.language, row.intent) for row in pending]
    report = await asyncio.to_thread(nlu_export.export, nlu_data_dir, examples)
    # Refused ones too: they were checked when annotated, so only a changed held-out set or
    # training file refuses them now, and asking again would refuse them again.
    for row in pending:
        row.exported = True
    await session.flush()
    return report


async def latest_exports(session: AsyncSession, *, limit: int = 5) -> list[AuditEntry]:
    """Return the latest exports (from the dashboard, the command or a retraining run)."""
    return await audit.latest(session, limit=limit, action_prefix="annotations.export")
