"""What every Bot API method receives, and the checks most of them share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .errors import BadRequest, Forbidden, TooManyRequests
from .models import SandboxUser
from .params import Params
from .world import World


@dataclass(frozen=True)
class Call:
    """One Bot API call: the sandbox state, the parameters and the calling bot's id."""

    world: World
    params: Params
    bot_id: int


Method = Callable[[Call], Awaitable[Any]]


def target_user(call: Call) -> SandboxUser:
    """Return the user whose private chat is `chat_id`, or raise 'chat not found'."""
    chat_id = call.params.chat_id()
    user = call.world.users.get(chat_id) if isinstance(chat_id, int) else None
    if user is None:
        raise BadRequest("chat not found")
    return user


def writable_user(call: Call) -> SandboxUser:
    """Return the target user, refusing (and counting) chats whose user blocked the bot."""
    user = target_user(call)
    if user.blocked_bot:
        call.world.stats.rejected_403 += 1
        raise Forbidden("bot was blocked by the user")
    return user


def throttle(call: Call, chat_id: int) -> None:
    """Take a flood-control token for a send, or refuse with 429 and retry_after."""
    retry_after = call.world.flood.acquire(chat_id)
    if retry_after:
        call.world.stats.rejected_429 += 1
        raise TooManyRequests(retry_after)


def required_int(call: Call, name: str, missing: str) -> int:
    """Return an integer parameter or raise BadRequest(`missing`)."""
    value = call.params.get_int(name)
    if value is None:
        raise BadRequest(missing)
    return value
