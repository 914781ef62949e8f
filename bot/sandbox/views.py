"""JSON views of the chat for the human side (tests, scripts and the web page)."""

from __future__ import annotations

from typing import Any

from .commands import commands_for_private_chat
from .models import SandboxUser, StoredFile, StoredMessage
from .world import World


def document_view(stored: StoredFile) -> dict[str, Any]:
    """Describe a file with a URL the page can download it from."""
    return {
        "file_id": stored.file_id,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
        "url": f"/sandbox/files/{stored.file_id}",
    }


def message_view(message: StoredMessage) -> dict[str, Any]:
    """Describe a message as the user sees it."""
    return {
        "message_id": message.message_id,
        "text": message.body.text,
        "html": message.html,
        "reply_markup": message.inline_keyboard(),
        "document": document_view(message.document) if message.document else None,
        "date": message.date,
        "edited": message.edit_date is not None,
    }


def chat_message_view(message: StoredMessage) -> dict[str, Any]:
    """Describe a message of either side with what the page needs to render it."""
    markup = message.reply_markup
    reply_keyboard = markup if markup is not None and "inline_keyboard" not in markup else None
    return {
        **message_view(message),
        "from": message.sender,
        "kind": message.kind,
        "entities": message.body.entities_json(),
        "media": message.media,
        "reply_keyboard": reply_keyboard,
    }


def session_view(world: World, user: SandboxUser | None) -> dict[str, Any]:
    """Describe the bot and the user's state for the page's header and menus."""
    config = world.config
    view: dict[str, Any] = {
        "bot": {"first_name": config.bot_first_name, "username": config.bot_username},
        "user": None,
        "commands": commands_for_private_chat(world.profile.commands, 0, None),
    }
    if user is not None:
        view["user"] = {
            "user_id": user.id,
            "first_name": user.first_name,
            "language_code": user.language_code,
            "blocked": user.blocked_bot,
        }
        view["commands"] = commands_for_private_chat(
            world.profile.commands, user.id, user.language_code
        )
    return view
