"""Display names of stored values (review states, reasons, outcomes), marked for translation."""

from __future__ import annotations

from bot.i18n import N_
from db.models import (
    BroadcastStatus,
    HandoverOutcome,
    HandoverStatus,
    RetrainStatus,
    ReviewReason,
    ReviewState,
    ReviewStatus,
)

LABELS: dict[str, str] = {
    ReviewState.NEEDS_REVIEW: N_("needs review"),
    ReviewState.RESOLVED: N_("resolved"),
    ReviewState.WONT_FIX: N_("won't fix"),
    ReviewReason.MISUNDERSTOOD: N_("misunderstood"),
    ReviewReason.MISSING_CONTENT: N_("missing content"),
    ReviewReason.WRONG_LANGUAGE: N_("wrong language"),
    ReviewReason.OUTDATED_ANSWER: N_("outdated answer"),
    # Review status of a content text in one language (ReviewStatus.NEEDS_REVIEW shares
    # its value and label with ReviewState.NEEDS_REVIEW).
    ReviewStatus.MACHINE_TRANSLATED: N_("machine translated"),
    ReviewStatus.REVIEWED: N_("reviewed"),
    "missing": N_("missing"),
    # Outcomes of a question (bot.services.answers.AnswerKind and the handlers).
    "answered": N_("answered"),
    "unsure": N_("unsure"),
    "unavailable": N_("not understood"),
    "handover": N_("handed to a person"),
    "emergency": N_("emergency"),
    "unsupported_language": N_("unsupported language"),
    "delete_data": N_("asked to delete data"),
    "talent": N_("talent intake"),
    # Requests to talk to a person: status and outcome ("resolved" is above).
    HandoverStatus.OPEN: N_("open"),
    HandoverStatus.CLOSED: N_("closed"),
    HandoverOutcome.REFERRED: N_("referred elsewhere"),
    HandoverOutcome.NO_REPLY: N_("no reply from the resident"),
    HandoverOutcome.OTHER: N_("other"),
    # Where a broadcast stands (db.models.BroadcastStatus).
    BroadcastStatus.DRAFT: N_("awaiting approval"),
    BroadcastStatus.READY: N_("queued"),
    BroadcastStatus.SENDING: N_("sending"),
    BroadcastStatus.DONE: N_("done"),
    BroadcastStatus.CANCELLED: N_("cancelled"),
    # Retraining runs (dashboard.retrain): status, step, error.
    RetrainStatus.RUNNING: N_("running"),
    RetrainStatus.LOADED: N_("new model loaded"),
    RetrainStatus.KEPT: N_("current model kept (the new one was worse)"),
    RetrainStatus.FAILED: N_("failed"),
    "exporting": N_("exporting the annotations"),
    "training": N_("training"),
    "evaluating": N_("measuring on the held-out tests"),
    "loading": N_("loading the new model"),
    "nlu_unreachable": N_("the NLU server does not answer"),
    "training_failed": N_("training failed (see the dashboard's log)"),
    "interrupted": N_("stopped when the dashboard stopped"),
    "unexpected_error": N_("unexpected error (see the dashboard's log)"),
}


def label_msgid(value: str) -> str:
    """Return the English display name of a stored value (itself when it has none)."""
    return LABELS.get(value, value)
