"""The audit log: every staff action, who did it and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    staff_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Add one audit entry to the session's transaction."""
    entry = AuditEntry(
        staff_id=staff_id,
        actor=actor[:200],
        action=action[:60],
        target=target[:200] if target else None,
        detail=detail or {},
        ip=ip[:64] if ip else None,
    )
    session.add(entry)
    return entry


async def latest(
    session: AsyncSession, *, limit: int = 200, action_prefix: str | None = None
) -> list[AuditEntry]:
    """Return the newest audit entries, optionally only actions starting with a prefix."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    return list((await session.scalars(query)).all())
