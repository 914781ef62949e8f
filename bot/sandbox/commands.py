"""The bot's command lists: validation, storage keys by scope and language, and lookup."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import BadRequest

MAX_COMMANDS = 100
MAX_DESCRIPTION = 256
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
CommandKey = tuple[str, str]


def language_code(value: str | None) -> str:
    """Return a valid language code ('' for all languages) or raise BadRequest."""
    code = value or ""
    if code and not _LANGUAGE.fullmatch(code):
        raise BadRequest("invalid language code")
    return code


def scope_key(scope: Any) -> str:
    """Return a canonical key for a BotCommandScope (default when absent)."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise BadRequest("can't parse BotCommandScope: unsupported type")
    kind = scope["type"]
    if kind.startswith("chat") and "chat_id" not in scope:
        raise BadRequest("can't parse BotCommandScope: chat_id is required")
    if kind == "chat_member" and "user_id" not in scope:
        raise BadRequest("can't parse BotCommandScope: user_id is required")
    kept = {k: scope[k] for k in ("type", "chat_id", "user_id") if k in scope}
    return json.dumps(kept, sort_keys=True)


def validate_commands(raw: Any) -> list[dict[str, str]]:
    """Return the command list normalized, or raise BadRequest as Telegram would."""
    if not isinstance(raw, list):
        raise BadRequest("can't parse commands JSON object")
    if len(raw) > MAX_COMMANDS:
        raise BadRequest("BOT_COMMANDS_TOO_MUCH")
    commands: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest("can't parse BotCommand: object expected")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.fullmatch(command):
            raise BadRequest(f"BOT_COMMAND_INVALID: {command!r} must match [a-z0-9_]{{1,32}}")
        if not isinstance(description, str) or not 1 <= len(description) <= MAX_DESCRIPTION:
            raise BadRequest(
                f"BOT_COMMAND_DESCRIPTION_INVALID: description of /{command} must have "
                f"1-{MAX_DESCRIPTION} characters"
            )
        commands.append({"command": command, "description": description})
    return commands


def commands_for_private_chat(
    stored: dict[CommandKey, list[dict[str, str]]], chat_id: int, language: str | None
) -> list[dict[str, str]]:
    """Return the commands a user of this chat and language sees, most specific scope first."""
    scopes = [
        scope_key({"type": "chat", "chat_id": chat_id}),
        scope_key({"type": "all_private_chats"}),
        scope_key(None),
    ]
    # Users may carry regional tags such as "pt-br"; command lists are set per base language.
    base = (language or "").split("-")[0].lower()
    languages = [base, ""] if base else [""]
    for scope in scopes:
        for lang in languages:
            found = stored.get((scope, lang))
            if found:
                return found
    return []
