"""The one place a resident's free-text question is answered.

Understanding comes from the Rasa NLU server; when it is down or slow, a fuzzy search over
the same training examples stands in, and the event is logged. The answer itself is the
hub's own content in the resident's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.formatting import Line
from bot.services import composer
from bot.services.intent_search import IntentSearch
from bot.services.nlu import FALLBACK_INTENT, NluClient, NluResult, NluUnavailable
from db.models import Resident

logger = logging.getLogger(__name__)

SUGGESTIONS = 3
# Intents logged with a question: the suggestions and, should one be handover, the next one.
SCORED = SUGGESTIONS + 1
# Intents that start something rather than being answered with content.
DELETE_INTENT = "delete_my_data"
HANDOVER_INTENT = "human_handover"
TALENT_INTENT = "offer_talent"
EVENTS_INTENT = "events"


class AnswerKind(StrEnum):
    """How a question was dealt with."""

    ANSWERED = "answered"
    UNSURE = "unsure"
    UNAVAILABLE = "unavailable"
    DELETE_DATA = "delete_data"
    HANDOVER = "handover"
    TALENT = "talent"
    EVENTS = "events"


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of answering a question; `text` is already in the resident's language."""

    kind: AnswerKind
    text: str | None = None
    intent: str | None = None
    confidence: float | None = None
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    # The likeliest intents and their confidence, best first (logged with the question).
    scores: tuple[tuple[str, float], ...] = ()
    understood_by: str = "nlu"
    website: str | None = None
    address: str | None = None
    lines: tuple[Line, ...] = ()


class ContentAnswerService:
    """Understand with the NLU server (or the fallback search), answer with hub content."""

    def __init__(
        self,
        *,
        nlu: NluClient | None,
        search: IntentSearch,
        threshold: float,
        composed: composer.ComposedAnswers | None = None,
    ) -> None:
        self._nlu = nlu
        self._search = search
        self._threshold = threshold
        self._composed = composed or composer.ComposedAnswers(ttl_s=0)
        # Log the NLU server going away and coming back, not every message in between.
        self._nlu_down = False

    async def understand(self, question: str) -> tuple[NluResult | None, str]:
        """Return the model's reading, or the fallback search's when the model is away."""
        if self._nlu is not None:
            try:
                reading = await self._nlu.parse(question)
            except NluUnavailable as error:
                if not self._nlu_down:
                    logger.warning("NLU unavailable, using the fallback search: %s", error)
                self._nlu_down = True
            else:
                if self._nlu_down:
                    logger.warning("NLU available again")
                self._nlu_down = False
                return reading, "nlu"
        return self._search.search(question), "search"

    async def answer(
        self, *, question: str, resident: Resident, session: AsyncSession, language: str
    ) -> Answer:
        """Answer a question with the hub's content in a language, or say what is unclear."""
        reading, source = await self.understand(question)
        if reading is None:
            return Answer(AnswerKind.UNAVAILABLE, understood_by=source)
        scores = tuple((score.name, round(score.confidence, 4)) for score in reading.top(SCORED))
        if reading.intent == FALLBACK_INTENT or reading.confidence < self._threshold:
            # "Talk to a person" is always offered beside the topics: three topics besides it.
            topics = [name for name, _ in scores if name != HANDOVER_INTENT]
            return Answer(
                AnswerKind.UNSURE,
                intent=reading.intent,
                confidence=reading.confidence,
                suggestions=tuple(topics[:SUGGESTIONS]),
                understood_by=source,
                scores=scores,
            )
        answer = await self.answer_intent(
            reading.intent,
            resident=resident,
            session=session,
            language=language,
            confidence=reading.confidence,
            source=source,
        )
        return replace(answer, scores=scores)

    async def answer_intent(
        self,
        intent: str,
        *,
        resident: Resident,
        session: AsyncSession,
        language: str,
        confidence: float | None = None,
        source: str = "button",
    ) -> Answer:
        """Answer a known intent, e.g. one the resident picked from the suggestions."""
        if intent == DELETE_INTENT:
            return Answer(AnswerKind.DELETE_DATA, intent=intent, confidence=confidence)
        if intent == TALENT_INTENT:
            return Answer(AnswerKind.TALENT, intent=intent, confidence=confidence)
        if intent == EVENTS_INTENT:
            return Answer(AnswerKind.EVENTS, intent=intent, confidence=confidence)
        composed = await self._composed.compose(
            session, intent=intent, language=language, hub=resident.hub
        )
        kind = AnswerKind.HANDOVER if intent == HANDOVER_INTENT else AnswerKind.ANSWERED
        if composed is None:
            logger.warning("no content for intent %s", intent)
            return Answer(
                AnswerKind.UNSURE, intent=intent, confidence=confidence, understood_by=source
            )
        return Answer(
            kind,
            text=composed.text,
            intent=intent,
            confidence=confidence,
            understood_by=source,
            website=composed.website,
            address=composed.address,
            lines=composed.lines,
        )
