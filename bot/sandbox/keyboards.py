"""Validate reply_markup the way Telegram does and return it normalized."""

from __future__ import annotations

import re
from typing import Any

from .errors import BadRequest

MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_REPLY_BUTTON_FIELDS = (
    "text",
    "request_users",
    "request_chat",
    "request_contact",
    "request_location",
    "request_poll",
    "web_app",
)
_KEYBOARD_OPTIONS = (
    "is_persistent",
    "resize_keyboard",
    "one_time_keyboard",
    "input_field_placeholder",
    "selective",
)
_URL = re.compile(r"(?:(?:https?|tg)://|(?=[\w-]+\.))[^\s<>\"]+", re.IGNORECASE)


def parse_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Return a normalized markup dict (or None), raising BadRequest for what Telegram refuses."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BadRequest("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _rows(raw["inline_keyboard"], _inline_button)}
    if "keyboard" in raw:
        markup: dict[str, Any] = {"keyboard": _rows(raw["keyboard"], _reply_button)}
        markup.update({k: raw[k] for k in _KEYBOARD_OPTIONS if k in raw})
        return markup
    if raw.get("remove_keyboard") is True:
        return {
            "remove_keyboard": True,
            **({"selective": raw["selective"]} if "selective" in raw else {}),
        }
    if raw.get("force_reply") is True:
        return {
            "force_reply": True,
            **{k: raw[k] for k in ("input_field_placeholder", "selective") if k in raw},
        }
    raise BadRequest("can't parse reply keyboard markup JSON object")


def _rows(raw: Any, parse_button: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(raw, list) or not all(isinstance(row, list) for row in raw):
        raise BadRequest("can't parse keyboard markup: rows must be an Array of Arrays of buttons")
    return [[parse_button(button) for button in row] for row in raw]


def _inline_button(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise BadRequest("can't parse inline keyboard button: Text must be a String")
    actions = [key for key in _INLINE_ACTIONS if key in raw]
    if not actions:
        raise BadRequest(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in raw:
        data = raw["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise BadRequest("BUTTON_DATA_INVALID")
    if "url" in raw:
        url = raw["url"]
        if not isinstance(url, str) or _URL.fullmatch(url) is None:
            raise BadRequest(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return {"text": raw["text"], **{key: raw[key] for key in actions}}


def _reply_button(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        return {"text": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise BadRequest("can't parse keyboard button: Text must be a String")
    return {key: raw[key] for key in _REPLY_BUTTON_FIELDS if key in raw}
