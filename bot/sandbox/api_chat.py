"""Bot API methods around a chat: button answers, chat actions, files and chat info."""

from __future__ import annotations

from typing import Any

from .calls import Call, Method, target_user, writable_user
from .errors import BadRequest
from .models import CallbackAnswer
from .telegram_json import chat_json, file_json
from .world import now

MAX_CALLBACK_ANSWER = 200
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def methods() -> dict[str, Method]:
    """Return this module's methods by name."""
    return {
        "answerCallbackQuery": answer_callback_query,
        "sendChatAction": send_chat_action,
        "getFile": get_file,
        "getChat": get_chat,
    }


async def answer_callback_query(call: Call) -> bool:
    """Record the answer to a button press so the web chat can show it."""
    query_id = call.params.get_str("callback_query_id") or ""
    record = call.world.callback_queries.get(query_id)
    if record is None or record.answered:
        raise BadRequest("query is too old and response timeout expired or query ID is invalid")
    text = call.params.get_str("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise BadRequest("MESSAGE_TOO_LONG")
    record.answered = True
    answer = CallbackAnswer(
        callback_query_id=record.id,
        message_id=record.message_id,
        data=record.data,
        text=text or None,
        show_alert=call.params.get_bool("show_alert"),
        url=call.params.get_str("url"),
        date=now(),
    )
    call.world.callback_answers.setdefault(record.user_id, []).append(answer)
    return True


async def send_chat_action(call: Call) -> bool:
    """Accept a chat action such as 'typing'."""
    writable_user(call)
    if call.params.get_str("action") not in _CHAT_ACTIONS:
        raise BadRequest("wrong parameter action in request")
    return True


async def get_file(call: Call) -> dict[str, Any]:
    """Return a File whose file_path downloads under /file/bot<token>/."""
    stored = call.world.files.get(call.params.get_str("file_id") or "")
    if stored is None:
        raise BadRequest("invalid file_id")
    return file_json(stored)


async def get_chat(call: Call) -> dict[str, Any]:
    """Return the full info of a private chat."""
    user = target_user(call)
    info = chat_json(call.world, user.id)
    info["accent_color_id"] = 0
    info["max_reaction_count"] = 11
    return info
