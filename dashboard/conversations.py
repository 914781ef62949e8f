"""What residents asked: filtered question lists, whole conversations, review states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import is_rtl
from dashboard.security import pseudonym
from db.base import utcnow
from db.models import (
    Direction,
    HandoverMessage,
    Hub,
    MessageLog,
    MessageReview,
    Resident,
    ReviewReason,
    ReviewState,
)

# Outcomes of a question hubbot could not answer with content.
UNANSWERED_OUTCOMES = ("unsure", "unavailable")
PAGE_SIZE = 50
CONVERSATION_LIMIT = 300


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def day_start(day: date) -> datetime:
    """Return midnight UTC at the start of a day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class QuestionFilter:
    """The filters of the conversations page, as given in its query string."""

    hub: str = ""
    language: str = ""
    intent: str = ""
    since: date | None = None
    until: date | None = None
    low_confidence: bool = False
    unanswered: bool = False
    negative: bool = False
    review: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> QuestionFilter:
        """Read the filters leniently: an unknown value filters nothing."""
        review = params.get("review", "")
        return cls(
            hub=params.get("hub", "")[:40],
            language=params.get("language", "")[:8],
            intent=params.get("intent", "")[:64],
            since=parse_date(params.get("since")),
            until=parse_date(params.get("until")),
            low_confidence=params.get("low_confidence") == "1",
            unanswered=params.get("unanswered") == "1",
            negative=params.get("negative") == "1",
            review=review if review in set(ReviewState) else "",
        )

    def query_string(self, **changes: object) -> str:
        """Return these filters as a query string, e.g. for the next page."""
        values = {**asdict(self), **changes}
        pairs = {
            key: ("1" if value is True else str(value))
            for key, value in values.items()
            if value not in (None, "", False)
        }
        return urlencode(pairs)


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One resident question in the list."""

    message_id: int
    resident_id: int
    pseudonym: str
    hub: str | None
    created_at: datetime
    language: str | None
    intent: str | None
    confidence: float | None
    outcome: str | None
    helpful: bool | None
    text: str | None
    review_state: str | None
    review_reason: str | None

    @property
    def rtl(self) -> bool:
        """Tell whether the text is written right to left."""
        return is_rtl(self.language or "")


def _questions(
    filters: QuestionFilter, *, threshold: float, hub_scope: int | None
) -> Select[MessageLog, Resident, str, MessageReview]:
    query = (
        select(MessageLog, Resident, Hub.slug, MessageReview)
        .join(Resident, Resident.id == MessageLog.resident_id)
        .outerjoin(Hub, Hub.id == Resident.hub_id)
        .outerjoin(MessageReview, MessageReview.message_id == MessageLog.id)
        .where(MessageLog.direction == Direction.INCOMING, MessageLog.outcome.is_not(None))
    )
    if hub_scope is not None:
        query = query.where(Resident.hub_id == hub_scope)
    if filters.hub:
        query = query.where(Hub.slug == filters.hub)
    if filters.language:
        query = query.where(MessageLog.language == filters.language)
    if filters.intent:
        query = query.where(MessageLog.intent == filters.intent)
    if filters.since:
        query = query.where(MessageLog.created_at >= day_start(filters.since))
    if filters.until:
        query = query.where(MessageLog.created_at < day_start(filters.until + timedelta(days=1)))
    if filters.low_confidence:
        query = query.where(MessageLog.confidence < threshold)
    if filters.unanswered:
        query = query.where(MessageLog.outcome.in_(UNANSWERED_OUTCOMES))
    if filters.negative:
        query = query.where(MessageLog.helpful.is_(False))
    if filters.review:
        query = query.where(MessageReview.state == filters.review)
    return query


async def find_questions(
    session: AsyncSession,
    *,
    filters: QuestionFilter,
    threshold: float,
    hub_scope: int | None,
    key: bytes,
    page: int = 0,
) -> tuple[list[QuestionRow], int]:
    """Return one page of questions matching the filters, newest first, and the total."""
    query = _questions(filters, threshold=threshold, hub_scope=hub_scope)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(MessageLog.created_at.desc(), MessageLog.id.desc())
        .limit(PAGE_SIZE)
        .offset(page * PAGE_SIZE)
    )
    questions = [
        QuestionRow(
            message_id=message.id,
            resident_id=resident.id,
            pseudonym=pseudonym(key, resident.id),
            hub=hub,
            created_at=message.created_at,
            language=message.language,
            intent=message.intent,
            confidence=message.confidence,
            outcome=message.outcome,
            helpful=message.helpful,
            text=message.text,
            review_state=review.state if review else None,
            review_reason=review.reason if review else None,
        )
        for message, resident, hub, review in rows
    ]
    return questions, total or 0


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """The values the filter menus offer."""

    hubs: list[str]
    languages: list[str]
    intents: list[str]


async def filter_choices(session: AsyncSession) -> FilterChoices:
    """Return the hubs, languages and intents that occur."""
    hubs = await session.scalars(select(Hub.slug).order_by(Hub.slug))
    languages = await session.scalars(
        select(MessageLog.language).where(MessageLog.language.is_not(None)).distinct()
    )
    intents = await session.scalars(
        select(MessageLog.intent).where(MessageLog.intent.is_not(None)).distinct()
    )
    return FilterChoices(
        hubs=list(hubs),
        languages=sorted(language for language in languages if language),
        intents=sorted(intent for intent in intents if intent),
    )


@dataclass(frozen=True, slots=True)
class ConversationMessage:
    """One message of a conversation as the page shows it."""

    id: int
    direction: str
    kind: str
    text: str | None
    language: str | None
    intent: str | None
    confidence: float | None
    outcome: str | None
    helpful: bool | None
    created_at: datetime
    review_state: str | None
    review_reason: str | None
    # The other side of a translation from a handover thread: for the resident's message its
    # translation for staff, for a staff message the staff member's original.
    counterpart: str | None = None
    counterpart_language: str | None = None
    # The likeliest intents of a question, best first: [[intent, confidence], ...].
    scores: list[list[Any]] | None = None

    @property
    def rtl(self) -> bool:
        """Tell whether the text is written right to left."""
        return is_rtl(self.language or "")

    @property
    def counterpart_rtl(self) -> bool:
        """Tell whether the counterpart is written right to left."""
        return is_rtl(self.counterpart_language or "")

    @property
    def counterpart_is_original(self) -> bool:
        """Tell whether the counterpart is the original (this message its translation)."""
        return self.direction == Direction.OUTGOING

    @property
    def is_question(self) -> bool:
        """Tell whether this is a resident's question (which can be reviewed)."""
        return self.direction == Direction.INCOMING and self.outcome is not None


@dataclass(frozen=True, slots=True)
class Conversation:
    """A resident's messages under their pseudonym."""

    resident_id: int
    pseudonym: str
    hub: str | None
    language: str | None
    consent: str | None
    messages: list[ConversationMessage]


async def load_conversation(
    session: AsyncSession, *, resident_id: int, key: bytes, hub_scope: int | None
) -> Conversation | None:
    """Return a resident's latest messages, oldest first, if the viewer may see them."""
    resident = await session.get(Resident, resident_id)
    if resident is None or (hub_scope is not None and resident.hub_id != hub_scope):
        return None
    hub = await session.scalar(select(Hub.slug).where(Hub.id == resident.hub_id))
    rows = await session.execute(
        select(MessageLog, MessageReview, HandoverMessage)
        .outerjoin(MessageReview, MessageReview.message_id == MessageLog.id)
        .outerjoin(HandoverMessage, HandoverMessage.message_id == MessageLog.id)
        .where(MessageLog.resident_id == resident_id)
        .order_by(MessageLog.created_at.desc(), MessageLog.id.desc())
        .limit(CONVERSATION_LIMIT)
    )
    messages = [
        ConversationMessage(
            id=message.id,
            direction=message.direction,
            kind=message.kind,
            text=message.text,
            language=message.language,
            intent=message.intent,
            confidence=message.confidence,
            outcome=message.outcome,
            helpful=message.helpful,
            created_at=message.created_at,
            review_state=review.state if review else None,
            review_reason=review.reason if review else None,
            counterpart=counterpart,
            counterpart_language=counterpart_language,
            scores=message.scores,
        )
        for message, review, thread in rows
        for counterpart, counterpart_language in [_counterpart(message, thread)]
    ]
    messages.reverse()
    return Conversation(
        resident_id=resident.id,
        pseudonym=pseudonym(key, resident.id),
        hub=hub,
        language=resident.language,
        consent=resident.consent_decision,
        messages=messages,
    )


def _counterpart(
    message: MessageLog, thread: HandoverMessage | None
) -> tuple[str | None, str | None]:
    """Return the other side of a thread message's translation, if the log keeps its text."""
    if thread is None or message.text is None:
        return None, None
    if message.direction == Direction.INCOMING:
        text, language = thread.translation, thread.translation_language
    else:
        text, language = thread.text, thread.language
    if text is None or text == message.text:
        return None, None
    return text, language


async def reveal(session: AsyncSession, *, resident_id: int) -> Resident | None:
    """Return the resident behind a pseudonym (the caller audits it)."""
    return await session.get(Resident, resident_id)


async def message_of(
    session: AsyncSession, *, message_id: int, hub_scope: int | None
) -> MessageLog | None:
    """Return a resident's question if the viewer's hub may see it; None otherwise."""
    row = (
        await session.execute(
            select(MessageLog, Resident.hub_id)
            .join(Resident, Resident.id == MessageLog.resident_id)
            .where(MessageLog.id == message_id, MessageLog.outcome.is_not(None))
        )
    ).first()
    if row is None or (hub_scope is not None and row[1] != hub_scope):
        return None
    message: MessageLog = row[0]
    return message


def with_translations(
    conversation: Conversation, translated: dict[int, str], *, language: str
) -> Conversation:
    """Return the conversation with translations made on request beside their originals."""
    messages = [
        replace(message, counterpart=translated[message.id], counterpart_language=language)
        if message.id in translated and message.counterpart is None
        else message
        for message in conversation.messages
    ]
    return replace(conversation, messages=messages)


async def set_review(
    session: AsyncSession,
    *,
    message_id: int,
    state: ReviewState,
    reason: ReviewReason | None,
    staff_id: int,
    hub_scope: int | None,
) -> MessageLog | None:
    """Set a question's review state and reason; None if there is no such question."""
    message = await message_of(session, message_id=message_id, hub_scope=hub_scope)
    if message is None:
        return None
    review = await session.get(MessageReview, message_id)
    if review is None:
        review = MessageReview(message_id=message_id, state=state)
        session.add(review)
    review.state = state
    review.reason = reason
    review.staff_id = staff_id
    review.updated_at = utcnow()
    await session.flush()
    return message
