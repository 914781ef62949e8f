"""What a sandbox user can do: write, press buttons, block and unblock the bot."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import Entity, FormattedText, utf16_len
from .human_media import CAPTIONED_KINDS, MediaOptions, build_media
from .models import SandboxUser
from .telegram_json import bot_user_json, chat_json, message_json, user_json
from .world import World, now

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


class ActionError(ValueError):
    """Explain why a human-side action is impossible."""


@dataclass(frozen=True)
class Sent:
    """The update and message a user action produced."""

    update_id: int
    message_id: int


def _text_body(text: str) -> FormattedText:
    """Mark a leading /command as Telegram clients do, so CommandHandler matches."""
    match = _COMMAND.match(text)
    if match is None:
        return FormattedText(text)
    return FormattedText(text, (Entity("bot_command", 0, utf16_len(match.group(0))),))


async def send(
    world: World,
    user: SandboxUser,
    *,
    kind: str,
    text: str,
    caption: str | None,
    options: MediaOptions,
    reply_to_message_id: int | None = None,
) -> Sent:
    """Store the user's message and enqueue it; writing again unblocks the bot first."""
    if user.blocked_bot:
        await set_blocked(world, user, blocked=False)
    if kind == "text":
        message = world.add_message(user.id, "user", user.id, body=_text_body(text))
    else:
        media = build_media(world, user, kind, options)
        body = FormattedText(caption or "") if kind in CAPTIONED_KINDS else FormattedText("")
        message = world.add_message(
            user.id,
            "user",
            user.id,
            kind=kind,
            body=body,
            media=media.fields,
            document=media.document,
        )
    if reply_to_message_id is not None:
        if world.find_message(user.id, reply_to_message_id) is None:
            raise ValueError(f"message {reply_to_message_id} is not in this chat")
        message.reply_to_message_id = reply_to_message_id
    update_id = await world.updates.enqueue("message", message_json(world, message))
    return Sent(update_id, message.message_id)


def _chat_instance(user_id: int) -> str:
    """Return a stable chat_instance per chat, shaped like Telegram's signed 64-bit ids."""
    return str(-((user_id * 2654435761) % (2**62)))


async def press(world: World, user: SandboxUser, message_id: int, data: str) -> tuple[int, str]:
    """Press an inline button of a bot message; return the update_id and callback_query_id."""
    message = world.find_message(user.id, message_id)
    if message is None or message.sender != "bot":
        raise ActionError(f"the bot sent no message {message_id} to user {user.id}")
    keyboard = message.inline_keyboard() or {"inline_keyboard": []}
    buttons = [button for row in keyboard["inline_keyboard"] for button in row]
    if not any(button.get("callback_data") == data for button in buttons):
        raise ActionError(f"message {message_id} has no inline button with callback_data {data!r}")
    record = world.new_callback_query(user.id, message_id, data)
    payload = {
        "id": record.id,
        "from": user_json(user),
        "message": message_json(world, message),
        "chat_instance": _chat_instance(user.id),
        "data": data,
    }
    update_id = await world.updates.enqueue("callback_query", payload)
    return update_id, record.id


async def set_blocked(world: World, user: SandboxUser, *, blocked: bool) -> int | None:
    """Block or unblock the bot; return the my_chat_member update_id, None if nothing changed."""
    if user.blocked_bot == blocked:
        return None
    user.blocked_bot = blocked
    bot = bot_user_json(world)
    kicked = {"user": bot, "status": "kicked", "until_date": 0}
    member = {"user": bot, "status": "member"}
    payload = {
        "chat": chat_json(world, user.id),
        "from": user_json(user),
        "date": now(),
        "old_chat_member": member if blocked else kicked,
        "new_chat_member": kicked if blocked else member,
    }
    return await world.updates.enqueue("my_chat_member", payload)
