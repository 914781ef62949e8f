"""Staff side of broadcasts: who is staff, their language, progress reports."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from bot.broadcasting import outbox
from bot.config import Settings
from bot.i18n import Catalogue, Translator
from db.models import Broadcast, BroadcastStatus, Resident, Staff

logger = logging.getLogger(__name__)

STATUS_LABELS = {
    BroadcastStatus.DRAFT: "📝",
    BroadcastStatus.READY: "⏳",
    BroadcastStatus.SENDING: "📤",
    BroadcastStatus.DONE: "✅",
    BroadcastStatus.CANCELLED: "✖️",
}


async def staff_member(session: AsyncSession, *, telegram_user_id: int) -> Staff | None:
    """Return the staff member with this Telegram user id, if there is one."""
    result = await session.scalar(select(Staff).where(Staff.telegram_user_id == telegram_user_id))
    return result


async def staff_translator(
    session: AsyncSession, *, telegram_user_id: int, catalogue: Catalogue, settings: Settings
) -> Translator:
    """Return gettext in the staff member's own language, else STAFF_LANGUAGE."""
    language = await session.scalar(
        select(Resident.language).where(Resident.telegram_user_id == telegram_user_id)
    )
    return catalogue.translator(language or settings.staff_language)


def progress_line(_: Translator, progress: outbox.Progress) -> str:
    """Return one line with the recipients by state."""
    line = _.gettext(
        "{sent} sent, {pending} waiting, {failed} failed, {blocked} blocked hubbot"
    ).format(
        sent=progress.sent,
        pending=progress.pending + progress.held,
        failed=progress.failed,
        blocked=progress.blocked,
    )
    if progress.held:
        line += "\n" + _.gettext("{held} wait for a reviewed translation").format(
            held=progress.held
        )
    if progress.cancelled:
        line += "\n" + _.gettext("{cancelled} cancelled").format(cancelled=progress.cancelled)
    return line


def summary(broadcast: Broadcast, limit: int = 60) -> str:
    """Return the broadcast's number and the start of its text."""
    text = (broadcast.text or "").replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{STATUS_LABELS.get(BroadcastStatus(broadcast.status), '')} #{broadcast.id} {text}"


async def report_finished(
    session: AsyncSession,
    bot: Bot,
    broadcast: Broadcast,
    *,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    """Tell the staff member who sent a broadcast that it has gone out, with the numbers."""
    if broadcast.staff_chat_id == 0:
        return  # hubbot's own broadcasts (event reminders) have no sender to tell
    _ = await staff_translator(
        session, telegram_user_id=broadcast.staff_user_id, catalogue=catalogue, settings=settings
    )
    counts = (await outbox.progress(session, [broadcast.id]))[broadcast.id]
    text = (
        _.gettext("Broadcast #{number} is finished.").format(number=broadcast.id)
        + "\n"
        + progress_line(_, counts)
    )
    try:
        await bot.send_message(broadcast.staff_chat_id, text)
    except TelegramError as error:
        logger.warning("could not report broadcast %s to staff: %s", broadcast.id, error)
