"""Notice when a resident blocks or unblocks hubbot."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.context import HubContext
from db.base import utcnow


async def membership_changed(update: Update, context: HubContext) -> None:
    """Mark the resident as blocked or reachable again."""
    change = update.my_chat_member
    if change is None or context.scope.resident is None:
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        context.resident.blocked_at = utcnow()
    else:
        context.resident.blocked_at = None
