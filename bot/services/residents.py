"""Find or create the resident behind an update and log what they sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update

from bot.i18n import Catalogue, Translator, language_from_telegram
from db import repositories
from db.base import utcnow
from db.models import Direction, MessageLog, Resident

# Writing last_seen on every update would turn every read into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)

MEDIA_KINDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)


@dataclass
class UpdateScope:
    """What one update works with: its transaction, its resident, their language."""

    session: AsyncSession
    resident: Resident | None
    translator: Translator
    consent_version: int
    failed: bool = False
    # The logged incoming message, so understanding can add intent and outcome to it.
    incoming: MessageLog | None = None
    # Whether the resident is also staff, when known: most messages need not look for a
    # broadcast draft waiting for their text.
    is_staff: bool | None = None

    @property
    def stores_text(self) -> bool:
        """Tell whether this resident's texts may be kept."""
        return self.resident is not None and self.resident.stores_text(self.consent_version)

    async def incoming_id(self) -> int | None:
        """Return the logged incoming message's id, writing the row now if it is still pending."""
        if self.incoming is None:
            return None
        if self.incoming.id is None:
            await self.session.flush()
        return self.incoming.id


def message_kind(message: Message) -> str:
    """Name what a message carries: text, command or a kind of media."""
    if message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    for kind in MEDIA_KINDS:
        if getattr(message, kind, None):
            return kind
    return "other"


async def open_scope(
    session: AsyncSession,
    update: Update,
    *,
    catalogue: Catalogue,
    consent_version: int,
    staff_chat_id: int | None = None,
) -> UpdateScope:
    """Load or create the resident of a private-chat update and log their message."""
    user, chat = update.effective_user, update.effective_chat
    # Groups, bots and the staff chat have no resident behind them.
    if (
        user is None
        or chat is None
        or chat.type != chat.PRIVATE
        or user.is_bot
        or chat.id == staff_chat_id
    ):
        return UpdateScope(session, None, catalogue.translator(None), consent_version)
    resident, is_staff = await repositories.get_resident_with_role(
        session, telegram_user_id=user.id
    )
    known_staff: bool | None = is_staff
    if resident is None:
        # Staff may have been added by Telegram id before they ever wrote.
        known_staff = None
        resident = await repositories.create_resident(
            session,
            telegram_user_id=user.id,
            chat_id=chat.id,
            telegram_language_code=user.language_code,
        )
    now = utcnow()
    if now - resident.last_seen_at > LAST_SEEN_RESOLUTION:
        resident.last_seen_at = now
    if user.language_code and user.language_code != resident.telegram_language_code:
        resident.telegram_language_code = user.language_code
    language = resident.language or language_from_telegram(user.language_code)
    scope = UpdateScope(
        session, resident, catalogue.translator(language), consent_version, is_staff=known_staff
    )
    await _log_incoming(scope, update)
    return scope


async def _log_incoming(scope: UpdateScope, update: Update) -> None:
    assert scope.resident is not None
    if update.message is not None:
        kind = message_kind(update.message)
        text = update.message.text or update.message.caption
    elif update.callback_query is not None:
        # Button data is our own vocabulary, never the resident's words.
        kind, text = "button", update.callback_query.data
    else:
        return
    if not scope.stores_text and kind == "command" and text:
        # The command word says what was asked for; anything typed after it is free text.
        text = text.split(maxsplit=1)[0][:64]
    elif not scope.stores_text and kind != "button":
        text = None
    scope.incoming = await repositories.log_message(
        scope.session,
        resident=scope.resident,
        direction=Direction.INCOMING,
        kind=kind,
        text=text,
        language=scope.resident.language,
        # Written with the understanding (intent, outcome) at the next query or at commit:
        # one INSERT instead of an INSERT now and an UPDATE later.
        flush=False,
    )


async def log_outgoing(scope: UpdateScope, *, kind: str, text: str | None) -> None:
    """Log a message hubbot sent, its text only with the resident's consent."""
    if scope.resident is None or scope.resident.id is None:
        return
    await repositories.log_message(
        scope.session,
        resident=scope.resident,
        direction=Direction.OUTGOING,
        kind=kind,
        text=text if scope.stores_text else None,
        language=scope.translator.language,
        # Nothing needs its id: it is written with the update's other changes at commit.
        flush=False,
    )
