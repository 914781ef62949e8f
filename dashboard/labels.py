"""Display names of stored values (review states and reasons), marked for translation."""

from __future__ import annotations

from bot.i18n import N_
from db.models import ReviewReason, ReviewState

LABELS: dict[str, str] = {
    ReviewState.NEEDS_REVIEW: N_("needs review"),
    ReviewState.RESOLVED: N_("resolved"),
    ReviewState.WONT_FIX: N_("won't fix"),
    ReviewReason.MISUNDERSTOOD: N_("misunderstood"),
    ReviewReason.MISSING_CONTENT: N_("missing content"),
    ReviewReason.WRONG_LANGUAGE: N_("wrong language"),
    ReviewReason.OUTDATED_ANSWER: N_("outdated answer"),
}


def label_msgid(value: str) -> str:
    """Return the English display name of a stored value (itself when it has none)."""
    return LABELS.get(value, value)
