"""Requests to talk to a person: open, relay both ways through the staff chat, close."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from db.base import utcnow
from db.models import Handover, HandoverStatus, MessageLog, Resident

RECENT_MESSAGES = 8
# Staff reply to a notification; its text carries the request number, e.g. "#12".
_REFERENCE = re.compile(r"#(\d+)\b")


def reference(handover: Handover) -> str:
    """Return how staff messages name a handover."""
    return f"#{handover.id}"


def referenced_id(text: str | None) -> int | None:
    """Return the handover number a staff message refers to, if any."""
    match = _REFERENCE.search(text or "")
    return int(match.group(1)) if match else None


async def open_handover_of(session: AsyncSession, *, resident: Resident) -> Handover | None:
    """Return the resident's open request, if there is one."""
    result = await session.execute(
        select(Handover).where(
            Handover.resident_id == resident.id, Handover.status == HandoverStatus.OPEN
        )
    )
    return result.scalars().first()


async def request(
    session: AsyncSession, *, resident: Resident, language: str
) -> tuple[Handover, bool]:
    """Open a request for the resident, or return the one already open (and False)."""
    existing = await open_handover_of(session, resident=resident)
    if existing is not None:
        return existing, False
    handover = Handover(resident_id=resident.id, hub_id=resident.hub_id, language=language)
    session.add(handover)
    await session.flush()
    return handover, True


def close(handover: Handover) -> None:
    """Mark a request as dealt with."""
    handover.status = HandoverStatus.CLOSED
    handover.closed_at = utcnow()


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
