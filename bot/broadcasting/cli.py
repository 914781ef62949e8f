"""What `hubbot staff add-telegram` does."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import Settings
from db import repositories
from db.engine import one_session
from db.models import Staff, StaffRole


async def add_staff(
    settings: Settings, telegram_user_id: int, *, name: str, hub: str, role: str
) -> str:
    """Add or update the staff member with this Telegram user id; return a confirmation."""
    if role not in {r.value for r in StaffRole}:
        return f"Unknown role {role!r}: use staff, coordinator or admin."
    async with one_session(settings.database_url) as session:
        hub_row = await repositories.get_hub(session, slug=hub) if hub else None
        if hub and hub_row is None:
            return f"No hub {hub!r}: run `hubbot content import` first?"
        staff = await session.scalar(
            select(Staff).where(Staff.telegram_user_id == telegram_user_id)
        )
        if staff is None:
            staff = Staff(telegram_user_id=telegram_user_id, name=name)
            session.add(staff)
        staff.name, staff.role = name, role
        staff.hub_id = hub_row.id if hub_row is not None else None
        await session.commit()
    return f"{name} ({telegram_user_id}) may now use /broadcast."
