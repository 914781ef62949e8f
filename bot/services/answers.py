"""The one place a resident's free-text question is answered.

The multilingual Q&A (NLU, hub content, translation) plugs in here. Until it lands, the
answer honestly says that hubbot cannot answer questions by itself yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from db.models import Resident


class AnswerKind(StrEnum):
    """How a question was dealt with."""

    ANSWERED = "answered"
    NOT_AVAILABLE = "not_available"


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of answering a question; `text` is already in the resident's language."""

    kind: AnswerKind
    text: str | None = None
    intent: str | None = None
    confidence: float | None = None


class AnswerService(Protocol):
    """Answers a resident's question."""

    async def answer(self, *, question: str, resident: Resident) -> Answer:
        """Answer a question in the resident's language."""
        ...


class NoAnswerService:
    """Answers nothing: questions are not understood yet, and the resident is told so."""

    async def answer(self, *, question: str, resident: Resident) -> Answer:
        """Say that no answer is available."""
        return Answer(kind=AnswerKind.NOT_AVAILABLE)
