"""Bot API methods that send, edit and delete messages."""

from __future__ import annotations

import mimetypes
from typing import Any

from .calls import Call, Method, required_int, target_user, throttle, writable_user
from .entities import FormattedText, utf16_len
from .errors import BadRequest
from .keyboards import parse_reply_markup
from .markup import format_text
from .models import StoredFile, StoredMessage
from .telegram_json import message_json
from .world import now

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def methods() -> dict[str, Method]:
    """Return this module's methods by name."""
    return {
        "sendMessage": send_message,
        "sendDocument": send_document,
        "editMessageText": edit_message_text,
        "editMessageCaption": edit_message_caption,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
    }


def _formatted(
    call: Call, text_param: str, entities_param: str
) -> tuple[FormattedText, str | None]:
    """Parse a text or caption; return it with the raw HTML when parse_mode was HTML."""
    raw = call.params.get_str(text_param) or ""
    parse_mode = call.params.get_str("parse_mode")
    formatted = format_text(raw, parse_mode, call.params.get_json(entities_param))
    is_html = (parse_mode or "").strip().lower() == "html"
    return formatted, raw if is_html else None


def _message_text(call: Call) -> tuple[FormattedText, str | None]:
    formatted, html = _formatted(call, "text", "entities")
    if not formatted.text.strip():
        raise BadRequest("message text is empty")
    if utf16_len(formatted.text) > call.world.config.max_text_length:
        raise BadRequest("message is too long")
    return formatted, html


def _caption(call: Call) -> tuple[FormattedText, str | None]:
    formatted, html = _formatted(call, "caption", "caption_entities")
    if utf16_len(formatted.text) > call.world.config.max_caption_length:
        raise BadRequest("message caption is too long")
    return formatted, html


def _reply_to(call: Call, chat_id: int) -> int | None:
    """Resolve reply_parameters (or the older reply_to_message_id) to a message id."""
    reply = call.params.get_json("reply_parameters")
    allow_missing = call.params.get_bool("allow_sending_without_reply")
    message_id = call.params.get_int("reply_to_message_id")
    if isinstance(reply, dict):
        message_id = reply.get("message_id") if isinstance(reply.get("message_id"), int) else None
        allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
    if message_id is None:
        return None
    if call.world.find_message(chat_id, message_id) is None:
        if allow_missing:
            return None
        raise BadRequest("message to be replied not found")
    return message_id


def _deliver(call: Call, chat_id: int, **fields: Any) -> dict[str, Any]:
    """Store an accepted bot message, count it, and return its Message JSON."""
    message = call.world.add_message(chat_id, "bot", call.bot_id, **fields)
    call.world.stats.count_delivery(chat_id)
    return message_json(call.world, message)


async def send_message(call: Call) -> dict[str, Any]:
    """Send a text message."""
    user = writable_user(call)
    body, html = _message_text(call)
    markup = parse_reply_markup(call.params.get_json("reply_markup"))
    reply_to = _reply_to(call, user.id)
    throttle(call, user.id)
    return _deliver(
        call, user.id, body=body, html=html, reply_markup=markup, reply_to_message_id=reply_to
    )


def _document(call: Call) -> StoredFile:
    """Return the uploaded document, or the stored one a file_id names."""
    params = call.params
    reference = params.get_str("document")
    upload = params.upload("document")
    if upload is None and reference and reference.startswith("attach://"):
        upload = params.upload(reference.removeprefix("attach://"))
    if upload is not None:
        if not upload.content:
            raise BadRequest("file must be non-empty")
        mime_type = upload.content_type
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = mimetypes.guess_type(upload.file_name or "")[0] or mime_type
        return call.world.store_file(
            upload.content,
            folder="documents",
            file_name=upload.file_name or "document",
            mime_type=mime_type or "application/octet-stream",
        )
    if not reference:
        raise BadRequest("there is no document in the request")
    stored = call.world.files.get(reference)
    if stored is None:
        raise BadRequest("wrong file identifier/HTTP URL specified")
    return stored


async def send_document(call: Call) -> dict[str, Any]:
    """Send a file, uploaded or reused by file_id."""
    user = writable_user(call)
    body, html = _caption(call)
    markup = parse_reply_markup(call.params.get_json("reply_markup"))
    reply_to = _reply_to(call, user.id)
    document = _document(call)
    throttle(call, user.id)
    return _deliver(
        call,
        user.id,
        kind="document",
        body=body,
        html=html,
        document=document,
        reply_markup=markup,
        reply_to_message_id=reply_to,
    )


def _editable(call: Call) -> StoredMessage:
    """Return the bot message an edit targets."""
    if call.params.has("inline_message_id"):
        raise BadRequest("inline messages are not supported by the sandbox")
    user = writable_user(call)
    message_id = required_int(call, "message_id", "message identifier is not specified")
    message = call.world.find_message(user.id, message_id)
    if message is None:
        raise BadRequest("message to edit not found")
    if message.sender != "bot":
        raise BadRequest("message can't be edited")
    return message


def _edit_markup(call: Call) -> dict[str, Any] | None:
    markup = parse_reply_markup(call.params.get_json("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise BadRequest("inline keyboard expected")
    return markup


def _apply_edit(
    call: Call,
    message: StoredMessage,
    body: FormattedText,
    html: str | None,
    markup: dict[str, Any] | None,
) -> dict[str, Any]:
    if body == message.body and markup == message.inline_keyboard():
        raise BadRequest(NOT_MODIFIED)
    message.body, message.html = body, html
    # An edit without reply_markup removes the inline keyboard, as in Telegram.
    keeps_reply_keyboard = message.reply_markup is not None and message.inline_keyboard() is None
    message.reply_markup = (
        markup if markup is not None or not keeps_reply_keyboard else message.reply_markup
    )
    message.edit_date = now()
    return message_json(call.world, message)


async def edit_message_text(call: Call) -> dict[str, Any]:
    """Replace the text (and inline keyboard) of a bot message."""
    message = _editable(call)
    if message.kind != "text":
        raise BadRequest("there is no text in the message to edit")
    body, html = _message_text(call)
    return _apply_edit(call, message, body, html, _edit_markup(call))


async def edit_message_caption(call: Call) -> dict[str, Any]:
    """Replace the caption (and inline keyboard) of a bot media message."""
    message = _editable(call)
    if message.kind == "text":
        raise BadRequest("there is no caption in the message to edit")
    body, html = _caption(call)
    return _apply_edit(call, message, body, html, _edit_markup(call))


async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    """Replace or remove the inline keyboard of a bot message."""
    message = _editable(call)
    return _apply_edit(call, message, message.body, message.html, _edit_markup(call))


async def delete_message(call: Call) -> bool:
    """Delete a message of a private chat (the bot may delete both sides there)."""
    user = target_user(call)
    message_id = required_int(call, "message_id", "message identifier is not specified")
    if call.world.chats.get(user.id, {}).pop(message_id, None) is None:
        raise BadRequest("message to delete not found")
    return True
