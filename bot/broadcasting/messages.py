"""What a recipient reads: the broadcast in their language, labelled when machine-made."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.broadcasting import keyboards
from bot.i18n import N_, Translator
from db.models import Broadcast

MACHINE_LABEL = N_("(translated automatically)")
UNSUBSCRIBE_HINT = N_("You get this because you subscribed. /unsubscribe to change that.")


def recipient_text(broadcast: Broadcast, _: Translator) -> str:
    """Return the broadcast as a resident in this language reads it."""
    text = broadcast.text_in(_.language)
    body = text.text if text is not None else broadcast.text or ""
    lines = ["📢 " + body]
    if _machine_made(broadcast, _.language):
        lines.append(_.gettext(MACHINE_LABEL))
    if broadcast.topics:
        lines.append(_.gettext(UNSUBSCRIBE_HINT))
    return "\n\n".join(lines)


def recipient_keyboard(broadcast: Broadcast, _: Translator) -> InlineKeyboardMarkup | None:
    """Return a Show the original button under a machine-made text, else nothing."""
    return keyboards.original(_, broadcast.id) if _machine_made(broadcast, _.language) else None


def _machine_made(broadcast: Broadcast, language: str) -> bool:
    text = broadcast.text_in(language)
    return text is not None and text.machine and not text.reviewed
