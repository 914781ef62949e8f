"""The translation memory's review queue: approve a machine translation, or correct it.

The bot's translation service answers from the memory before it asks a provider, and a
reviewed entry is shown without the "translated automatically" note: a correction stored
here is what residents read from then on. Only content is in the memory (conversation text
never is), so the queue shows no resident's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.content_schema import CONTENT_LANGUAGES
from db.models import TranslationMemoryEntry

PAGE_SIZE = 50
MAX_LENGTH = 4000
# The provider name of a text a person wrote or corrected (as for broadcasts).
PERSON = "staff"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which entries the queue shows."""

    target: str = ""
    source: str = ""
    reviewed: bool = False

    @classmethod
    def from_query(cls, params: dict[str, str]) -> QueueFilter:
        """Read the filter from the query string, ignoring unknown languages."""
        target = params.get("language", "")
        source = params.get("source", "")
        return cls(
            target=target if target in CONTENT_LANGUAGES else "",
            source=source if source in CONTENT_LANGUAGES else "",
            reviewed=params.get("reviewed") == "1",
        )

    def query_string(self) -> str:
        """Return the filter as a query string, to come back to after a review."""
        parts = [f"language={self.target}", f"source={self.source}"]
        if self.reviewed:
            parts.append("reviewed=1")
        return "&".join(parts)


async def queue(
    session: AsyncSession, *, filters: QueueFilter, page: int = 0
) -> tuple[list[TranslationMemoryEntry], int]:
    """Return one page of entries, oldest first, and how many match in all."""
    conditions: list[ColumnElement[bool]] = [TranslationMemoryEntry.reviewed.is_(filters.reviewed)]
    if filters.target:
        conditions.append(TranslationMemoryEntry.target_language == filters.target)
    if filters.source:
        conditions.append(TranslationMemoryEntry.source_language == filters.source)
    condition = and_(*conditions)
    total = await session.scalar(
        select(func.count()).select_from(TranslationMemoryEntry).where(condition)
    )
    rows = await session.scalars(
        select(TranslationMemoryEntry)
        .where(condition)
        .order_by(TranslationMemoryEntry.created_at, TranslationMemoryEntry.id)
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows), int(total or 0)


async def waiting_by_language(session: AsyncSession) -> dict[str, int]:
    """Return how many machine translations wait for review, per target language."""
    rows = await session.execute(
        select(TranslationMemoryEntry.target_language, func.count())
        .where(TranslationMemoryEntry.reviewed.is_(False))
        .group_by(TranslationMemoryEntry.target_language)
    )
    return {language: int(count) for language, count in rows}


@dataclass(frozen=True, slots=True)
class Review:
    """What a review changed."""

    entry: TranslationMemoryEntry
    corrected: bool
    before: str


async def approve(session: AsyncSession, *, entry_id: int, text: str | None) -> Review | None:
    """Mark an entry reviewed, storing a person's correction when the text differs.

    `text` None approves the translation as it is. The caller has checked the text.
    """
    entry = await session.get(TranslationMemoryEntry, entry_id)
    if entry is None:
        return None
    before = entry.text
    corrected = text is not None and text != entry.text
    if corrected and text is not None:
        entry.text = text
        entry.provider = PERSON
    entry.reviewed = True
    await session.flush()
    return Review(entry, corrected, before)
