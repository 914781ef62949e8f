"""Render stored records as the Bot API's JSON objects."""

from __future__ import annotations

from typing import Any

from .models import SandboxUser, StoredFile, StoredMessage
from .world import World


def bot_user_json(world: World) -> dict[str, Any]:
    """Return the bot as a User object."""
    return {
        "id": world.profile.bot_id,
        "is_bot": True,
        "first_name": world.config.bot_first_name,
        "username": world.config.bot_username,
    }


def user_json(user: SandboxUser) -> dict[str, Any]:
    """Return a human as a User object."""
    data: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.language_code:
        data["language_code"] = user.language_code
    return data


def chat_json(world: World, chat_id: int) -> dict[str, Any]:
    """Return the private Chat object whose id is the user's id."""
    user = world.users.get(chat_id)
    first_name = user.first_name if user is not None else f"User {chat_id}"
    return {"id": chat_id, "type": "private", "first_name": first_name}


def document_json(stored: StoredFile) -> dict[str, Any]:
    """Return a Document object."""
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.file_name is not None:
        data["file_name"] = stored.file_name
    if stored.mime_type is not None:
        data["mime_type"] = stored.mime_type
    return data


def file_json(stored: StoredFile) -> dict[str, Any]:
    """Return a File object as getFile does."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def sender_json(world: World, message: StoredMessage) -> dict[str, Any]:
    """Return the `from` User of a message."""
    if message.sender == "bot":
        return bot_user_json(world)
    user = world.users.get(message.sender_id)
    if user is None:
        return {
            "id": message.sender_id,
            "is_bot": False,
            "first_name": f"User {message.sender_id}",
        }
    return user_json(user)


def message_json(
    world: World, message: StoredMessage, *, with_reply: bool = True
) -> dict[str, Any]:
    """Return a Message object exactly as the bot would get it from Telegram."""
    data: dict[str, Any] = {
        "message_id": message.message_id,
        "from": sender_json(world, message),
        "chat": chat_json(world, message.chat_id),
        "date": message.date,
    }
    if message.edit_date is not None:
        data["edit_date"] = message.edit_date
    if with_reply and message.reply_to_message_id is not None:
        replied = world.find_message(message.chat_id, message.reply_to_message_id)
        if replied is not None:
            data["reply_to_message"] = message_json(world, replied, with_reply=False)
    body = message.body
    if message.has_caption:
        if message.media:
            data.update(message.media)
        if message.document is not None:
            data["document"] = document_json(message.document)
        if body.text:
            data["caption"] = body.text
            if body.entities:
                data["caption_entities"] = body.entities_json()
    else:
        data["text"] = body.text
        if body.entities:
            data["entities"] = body.entities_json()
    keyboard = message.inline_keyboard()
    if keyboard is not None:
        data["reply_markup"] = keyboard
    return data
