"""A resident's own data: export everything (/mydata) and erase everything (/delete)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import subscriptions
from db import repositories
from db.models import Resident


async def export_resident(session: AsyncSession, *, resident: Resident) -> bytes:
    """Return everything stored about a resident as pretty UTF-8 JSON."""
    messages = await repositories.resident_messages(session, resident=resident)
    handovers = await repositories.resident_handovers(session, resident=resident)
    threads = await repositories.resident_handover_messages(session, resident=resident)
    profile = await repositories.get_talent_profile(session, resident=resident)
    applications = await repositories.resident_applications(session, resident=resident)
    progress = await repositories.get_flow_progress(session, resident=resident)
    rsvps = await repositories.resident_rsvps(session, resident=resident)
    topics = await subscriptions.topics_of(session, resident=resident)
    document: dict[str, Any] = {
        "resident": {
            "telegram_user_id": resident.telegram_user_id,
            "chat_id": resident.chat_id,
            "language": resident.language,
            "telegram_language_code": resident.telegram_language_code,
            "hub": resident.hub.slug if resident.hub is not None else None,
            "consent": {
                "decision": resident.consent_decision,
                "version": resident.consent_version,
                "time": resident.consent_at.isoformat() if resident.consent_at else None,
            },
            "created_at": resident.created_at.isoformat(),
            "last_seen_at": resident.last_seen_at.isoformat(),
            "blocked_at": resident.blocked_at.isoformat() if resident.blocked_at else None,
        },
        "messages": [message.as_export() for message in messages],
        "requests_to_talk_to_a_person": [
            {
                "status": handover.status,
                "language": handover.language,
                "opened": handover.created_at.isoformat(),
                "closed": handover.closed_at.isoformat() if handover.closed_at else None,
                "outcome": handover.outcome,
                "thread": [
                    entry.as_export() for entry in threads if entry.handover_id == handover.id
                ],
            }
            for handover in handovers
        ],
        "talent_profile": profile.as_export() if profile is not None else None,
        "programme_applications": [application.as_export() for application in applications],
        "events": [
            {"event": rsvp.event.slug, "status": rsvp.status, "time": rsvp.requested_at.isoformat()}
            for rsvp in rsvps
        ],
        "questions_in_progress": (
            {"flow": progress.flow, "step": progress.step, "answers": progress.answers}
            if progress is not None
            else None
        ),
        "subscriptions": sorted(topics),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


async def erase_resident(session: AsyncSession, *, resident: Resident) -> None:
    """Erase a resident and everything of theirs: messages, requests, talents, applications."""
    # Subscriptions and queued broadcasts also go with the resident's row (ON DELETE CASCADE).
    await subscriptions.clear(session, resident=resident)
    await repositories.delete_resident(session, resident=resident)
