"""Requests to talk to a person: open, a thread relayed both ways, close with an outcome.

The bot (staff chat) and the dashboard share these functions, so a staff message reaches the
resident the same way from either: translated, labelled, sent, and kept in the thread.

Data protection: the resident asked for a person, so the thread keeps its texts for that
purpose even without consent to keep other texts (staff must read what they answer). The
retention job blanks them after RETENTION_DAYS like every message text, and /delete erases
the thread with the request.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from bot.i18n import N_, Catalogue, Translator
from bot.outgoing import send_text
from bot.services.translation import TranslationService, TranslationUnavailable
from db import repositories
from db.base import utcnow
from db.models import (
    Direction,
    Handover,
    HandoverMessage,
    HandoverOutcome,
    HandoverStatus,
    MessageLog,
    Resident,
    Staff,
    StaffAccount,
)

logger = logging.getLogger(__name__)

RECENT_MESSAGES = 8
CLOSED_NOTICE = N_("The hub team has closed your request. hubbot answers your questions again.")
# Staff reply to a notification; its text carries the request number, e.g. "#12".
_REFERENCE = re.compile(r"#(\d+)\b")


def reference(handover: Handover) -> str:
    """Return how staff messages name a handover."""
    return f"#{handover.id}"


def referenced_id(text: str | None) -> int | None:
    """Return the handover number a staff message refers to, if any."""
    match = _REFERENCE.search(text or "")
    return int(match.group(1)) if match else None


async def request(
    session: AsyncSession, *, resident: Resident, language: str
) -> tuple[Handover, bool]:
    """Open a request for the resident, or return the one already open (and False)."""
    existing = await repositories.get_open_handover(session, resident=resident)
    if existing is not None:
        return existing, False
    handover = Handover(resident_id=resident.id, hub_id=resident.hub_id, language=language)
    await repositories.add_handover(session, resident=resident, handover=handover)
    return handover, True


async def inbox_is_staffed(session: AsyncSession, *, hub_id: int | None) -> bool:
    """Tell whether someone can answer in the dashboard's inbox for this hub.

    A request is only taken when a person can see it: in the staff chat, or in the inbox of
    an active dashboard account for the resident's hub (or for every hub).
    """
    result = await session.execute(
        select(StaffAccount.staff_id)
        .join(Staff, Staff.id == StaffAccount.staff_id)
        .where(StaffAccount.active.is_(True))
        .where(or_(Staff.hub_id.is_(None), Staff.hub_id == hub_id))
        .limit(1)
    )
    return result.first() is not None


def close(handover: Handover, outcome: HandoverOutcome | None = None) -> None:
    """Mark a request as dealt with, and how."""
    handover.status = HandoverStatus.CLOSED
    handover.closed_at = utcnow()
    handover.outcome = outcome


async def recent_messages(session: AsyncSession, *, resident: Resident) -> Sequence[MessageLog]:
    """Return the resident's last messages that have text, oldest first."""
    result = await session.execute(
        select(MessageLog)
        .where(MessageLog.resident_id == resident.id, MessageLog.text.is_not(None))
        .where(MessageLog.kind == "text")
        .order_by(MessageLog.id.desc())
        .limit(RECENT_MESSAGES)
    )
    return list(reversed(result.scalars().all()))


def staff_notice(
    _: Translator,
    *,
    handover: Handover,
    resident: Resident,
    messages: Sequence[MessageLog],
) -> str:
    """Write the staff chat's notice of a new request, with the recent conversation."""
    hub = resident.hub.name_in(_.language) if resident.hub is not None else "–"
    lines = [
        _.gettext("New request to talk to a person: {reference}").format(
            reference=reference(handover)
        ),
        _.gettext("Hub: {hub} · language: {language}").format(
            hub=hub, language=handover.language or "?"
        ),
        "",
    ]
    if messages:
        lines.append(_.gettext("Recent conversation:"))
        arrows = {"in": "→", "out": "←"}
        lines += [f"{arrows.get(m.direction, '·')} {m.text}" for m in messages]
    else:
        lines.append(_.gettext("No texts stored: the resident did not agree to keep them."))
    lines += ["", _.gettext("Reply to this message to answer; reply /close when done.")]
    return "\n".join(lines)


class Delivery(StrEnum):
    """What became of a message for the resident."""

    DELIVERED = "delivered"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Relay:
    """What a staff message needs to reach a resident: Telegram, translation, catalogue."""

    bot: Bot
    translation: TranslationService
    catalogue: Catalogue
    consent_version: int


@dataclass(frozen=True, slots=True)
class ForResident:
    """A staff message as the resident reads it, and the bare translation if one was made."""

    text: str
    translation: str | None


async def compose_for_resident(
    session: AsyncSession,
    translation: TranslationService,
    text: str,
    *,
    source: str,
    reader: Translator,
) -> ForResident:
    """Translate a staff message for the resident, labelled, with the original and terms."""
    if source == reader.language:
        return ForResident(text, None)
    try:
        translated = await translation.translate(
            session, text, source=source, target=reader.language, remember=False
        )
    except TranslationUnavailable as error:
        logger.info("staff message not translated: %s", error)
        note = reader.gettext("(Automatic translation is not available right now.)")
        return ForResident(text + "\n\n" + note, None)
    if not translated.machine:
        # Persian to Dari (or back) needs no translation: readers understand each other.
        same = translated.text == text
        return ForResident(translated.text, None if same else translated.text)
    glossary = "".join(f"\nℹ️ {line}" for line in translation.terms.explain(text, reader.language))
    label = reader.gettext("Translated automatically. The original:")
    return ForResident(f"{translated.text}{glossary}\n\n{label}\n{text}", translated.text)


async def record(
    session: AsyncSession,
    *,
    handover: Handover,
    direction: Direction,
    text: str,
    language: str,
    translation: str | None = None,
    translation_language: str | None = None,
    staff_id: int | None = None,
    staff_telegram_user_id: int | None = None,
    delivered: bool = True,
    logged: MessageLog | None = None,
) -> HandoverMessage:
    """Add a message to a handover's thread."""
    if logged is not None and logged.id is None:
        await session.flush()
    entry = HandoverMessage(
        handover_id=handover.id,
        direction=direction,
        text=text,
        language=language,
        translation=translation,
        translation_language=translation_language if translation is not None else None,
        staff_id=staff_id,
        staff_telegram_user_id=staff_telegram_user_id,
        delivered=delivered,
        message_id=logged.id if logged is not None else None,
    )
    session.add(entry)
    await session.flush()
    return entry


async def relay_from_resident(
    session: AsyncSession,
    translation: TranslationService,
    *,
    handover: Handover,
    text: str,
    language: str,
    staff_language: str,
    logged: MessageLog | None,
) -> HandoverMessage:
    """Keep a resident's message in the thread, with a translation for staff when possible."""
    translated: str | None = None
    if language != staff_language:
        try:
            result = await translation.translate(
                session, text, source=language, target=staff_language, remember=False
            )
        except TranslationUnavailable as error:
            logger.info("resident's message not translated for staff: %s", error)
        else:
            translated = result.text if result.text != text else None
    return await record(
        session,
        handover=handover,
        direction=Direction.INCOMING,
        text=text,
        language=language,
        translation=translated,
        translation_language=staff_language,
        logged=logged,
    )


async def _send(relay: Relay, resident: Resident, text: str, *, rtl: bool) -> Delivery:
    try:
        delivered = await send_text(relay.bot, resident.chat_id, text, rtl=rtl)
    except TelegramError as error:
        logger.warning("message for resident %s not delivered: %s", resident.id, error)
        return Delivery.UNREACHABLE
    if not delivered:
        resident.blocked_at = utcnow()
        return Delivery.BLOCKED
    return Delivery.DELIVERED


async def _log_sent(
    session: AsyncSession, relay: Relay, resident: Resident, text: str, language: str
) -> MessageLog:
    return await repositories.log_message(
        session,
        resident=resident,
        direction=Direction.OUTGOING,
        kind="staff",
        text=text if resident.stores_text(relay.consent_version) else None,
        language=language,
    )


async def reply_to_resident(
    session: AsyncSession,
    relay: Relay,
    *,
    handover: Handover,
    resident: Resident,
    text: str,
    source: str,
    staff_id: int | None = None,
    staff_telegram_user_id: int | None = None,
) -> tuple[Delivery, HandoverMessage]:
    """Send a staff message to the resident in their language and keep it in the thread."""
    reader = relay.catalogue.translator(handover.language or resident.language)
    composed = await compose_for_resident(
        session, relay.translation, text, source=source, reader=reader
    )
    outgoing = reader.gettext("Message from the hub team:") + "\n\n" + composed.text
    delivery = await _send(relay, resident, outgoing, rtl=reader.rtl)
    logged = None
    if delivery is Delivery.DELIVERED:
        logged = await _log_sent(session, relay, resident, outgoing, reader.language)
    entry = await record(
        session,
        handover=handover,
        direction=Direction.OUTGOING,
        text=text,
        language=source,
        translation=composed.translation,
        translation_language=reader.language,
        staff_id=staff_id,
        staff_telegram_user_id=staff_telegram_user_id,
        delivered=delivery is Delivery.DELIVERED,
        logged=logged,
    )
    return delivery, entry


async def close_request(
    session: AsyncSession,
    relay: Relay,
    *,
    handover: Handover,
    resident: Resident,
    outcome: HandoverOutcome | None,
) -> Delivery:
    """Close a request with its outcome and tell the resident that hubbot answers again."""
    close(handover, outcome)
    reader = relay.catalogue.translator(handover.language or resident.language)
    notice = reader.gettext(CLOSED_NOTICE)
    delivery = await _send(relay, resident, notice, rtl=reader.rtl)
    if delivery is Delivery.DELIVERED:
        await _log_sent(session, relay, resident, notice, reader.language)
    return delivery


async def tell_staff_chat(
    relay: Relay,
    *,
    chat_id: int | None,
    language: str,
    handover: Handover,
    author: str,
    text: str | None = None,
) -> None:
    """Tell the staff chat what a colleague did in the dashboard, so nobody answers twice."""
    if chat_id is None:
        return
    staff = relay.catalogue.translator(language)
    if text is None:
        note = staff.gettext("{reference} was closed in the dashboard by {name}.")
    else:
        note = staff.gettext("{reference} was answered in the dashboard by {name}:")
    note = note.format(reference=reference(handover), name=author)
    try:
        await relay.bot.send_message(chat_id, note if text is None else f"{note}\n{text}")
    except TelegramError as error:
        logger.warning("the staff chat cannot be reached: %s", error)
