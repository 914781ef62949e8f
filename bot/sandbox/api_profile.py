"""Bot API methods about the bot itself: identity, commands, descriptions, menu button."""

from __future__ import annotations

from typing import Any

from .calls import Call, Method
from .commands import language_code, scope_key, validate_commands
from .errors import BadRequest
from .telegram_json import bot_user_json

_TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}
_MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})


def methods() -> dict[str, Method]:
    """Return this module's methods by name."""
    return {
        "getMe": get_me,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "setMyDescription": _setter("description"),
        "getMyDescription": _getter("description"),
        "setMyShortDescription": _setter("short_description"),
        "getMyShortDescription": _getter("short_description"),
        "setMyName": _setter("name"),
        "getMyName": _getter("name"),
        "setChatMenuButton": set_chat_menu_button,
        "getChatMenuButton": get_chat_menu_button,
        "close": accept,
        "logOut": accept,
    }


async def get_me(call: Call) -> dict[str, Any]:
    """Describe the bot as a User with its capabilities."""
    return {
        **bot_user_json(call.world),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _command_key(call: Call) -> tuple[str, str]:
    return (
        scope_key(call.params.get_json("scope")),
        language_code(call.params.get_str("language_code")),
    )


async def set_my_commands(call: Call) -> bool:
    """Store the command list for a scope and language."""
    key = _command_key(call)
    call.world.profile.commands[key] = validate_commands(call.params.get_json("commands"))
    return True


async def get_my_commands(call: Call) -> list[dict[str, str]]:
    """Return the command list stored for exactly this scope and language."""
    return list(call.world.profile.commands.get(_command_key(call), []))


async def delete_my_commands(call: Call) -> bool:
    """Forget the command list of a scope and language."""
    call.world.profile.commands.pop(_command_key(call), None)
    return True


def _texts(call: Call, field: str) -> dict[str, str]:
    profile = call.world.profile
    return {
        "description": profile.descriptions,
        "short_description": profile.short_descriptions,
        "name": profile.names,
    }[field]


def _setter(field: str) -> Method:
    """Build setMyDescription / setMyShortDescription / setMyName."""

    async def set_text(call: Call) -> bool:
        language = language_code(call.params.get_str("language_code"))
        value = call.params.get_str(field) or ""
        if len(value) > _TEXT_LIMITS[field]:
            raise BadRequest(f"{field} is too long (at most {_TEXT_LIMITS[field]} characters)")
        texts = _texts(call, field)
        if value:
            texts[language] = value
        else:
            texts.pop(language, None)
        return True

    return set_text


def _getter(field: str) -> Method:
    """Build getMyDescription / getMyShortDescription / getMyName."""

    async def get_text(call: Call) -> dict[str, str]:
        language = language_code(call.params.get_str("language_code"))
        texts = _texts(call, field)
        fallback = call.world.config.bot_first_name if field == "name" else ""
        return {field: texts.get(language, texts.get("", fallback))}

    return get_text


async def set_chat_menu_button(call: Call) -> bool:
    """Store the menu button for one chat or as the default."""
    button = call.params.get_json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES:
        raise BadRequest("can't parse menu button")
    chat_id = call.params.get_int("chat_id")
    call.world.profile.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(call: Call) -> dict[str, Any]:
    """Return the chat's menu button, else the default one."""
    buttons = call.world.profile.menu_buttons
    chat_id = call.params.get_int("chat_id")
    button = buttons.get(chat_id) or buttons.get(None) or {"type": "commands"}
    return {"type": "commands"} if button.get("type") == "default" else button


async def accept(call: Call) -> bool:
    """Answer true; close and logOut have nothing to do in the sandbox."""
    return True
