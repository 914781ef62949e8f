"""The JSON API that plays the human side: /sandbox/api/* and /sandbox/files/*."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import human_actions
from .human_actions import ActionError
from .human_media import MEDIA_KINDS, MediaOptions
from .models import StoredMessage
from .views import chat_message_view, message_view, session_view
from .world import World

_KINDS = MEDIA_KINDS | {"text"}
Endpoint = Callable[[Request], Awaitable[Response]]


class HumanRequestError(ValueError):
    """A malformed human-side request, answered with 400."""


def _fail(description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "description": description}, status_code=400)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise HumanRequestError("the request body must be a JSON object") from None
    if not isinstance(body, dict):
        raise HumanRequestError("the request body must be a JSON object")
    return body


def _int(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise HumanRequestError(f'"{name}" must be an integer')
    return value


def _user_id(data: dict[str, Any]) -> int:
    user_id = _int(data, "user_id")
    if user_id <= 0:
        raise HumanRequestError('"user_id" must be a positive integer')
    return user_id


def _str(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise HumanRequestError(f'"{name}" must be a string')
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise HumanRequestError(f'"{name}" must be valid Unicode (no lone surrogates)') from None
    return value


def _number(data: dict[str, Any], name: str, default: float) -> float:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise HumanRequestError(f'"{name}" must be a number')
    return float(value)


def _query_int(request: Request, name: str, default: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise HumanRequestError(f'query parameter "{name}" is required')
        return default
    try:
        return int(raw)
    except ValueError:
        raise HumanRequestError(f'query parameter "{name}" must be an integer') from None


def _query_float(request: Request, name: str, default: float) -> float:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise HumanRequestError(f'query parameter "{name}" must be a number') from None
    if not value >= 0 or value == float("inf"):
        raise HumanRequestError(f'query parameter "{name}" must be a number of seconds')
    return value


def _media_options(data: dict[str, Any]) -> MediaOptions:
    defaults = MediaOptions()
    return MediaOptions(
        emoji=_str(data, "emoji") or defaults.emoji,
        latitude=_number(data, "latitude", defaults.latitude),
        longitude=_number(data, "longitude", defaults.longitude),
        phone_number=_str(data, "phone_number") or defaults.phone_number,
        file_name=_str(data, "file_name"),
        content=_str(data, "content"),
    )


def _content_disposition(file_name: str) -> str:
    """Return an attachment header that survives non-ASCII names (RFC 6266)."""
    fallback = file_name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


class HumanApi:
    """Routes that let tests, scripts and the page act as Telegram users."""

    def __init__(self, world: World) -> None:
        self._world = world

    def routes(self) -> list[Route]:
        """Return the routes under /sandbox/."""
        handlers = {
            "send": (self.send, "POST"),
            "press": (self.press, "POST"),
            "block": (self.block, "POST"),
            "unblock": (self.unblock, "POST"),
            "reset": (self.reset, "POST"),
            "messages": (self.messages, "GET"),
            "chat": (self.chat, "GET"),
            "callback_answers": (self.callback_answers, "GET"),
            "stats": (self.stats, "GET"),
            "session": (self.session, "GET"),
            "users": (self.users, "POST"),
        }
        routes = [
            Route(f"/sandbox/api/{name}", self._guarded(handler), methods=[verb])
            for name, (handler, verb) in handlers.items()
        ]
        routes.append(Route("/sandbox/files/{file_id}", self.file, methods=["GET"]))
        return routes

    @staticmethod
    def _guarded(handler: Endpoint) -> Endpoint:
        """Turn malformed requests into 400 answers instead of server errors."""

        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except (HumanRequestError, ActionError) as error:
                return _fail(str(error))

        return endpoint

    async def send(self, request: Request) -> Response:
        """Let a user write to the bot: text, or a sticker, photo, location and so on."""
        data = await _body(request)
        user_id = _user_id(data)
        kind = _str(data, "kind") or "text"
        if kind not in _KINDS:
            raise HumanRequestError(f'"kind" must be one of {", ".join(sorted(_KINDS))}')
        text = _str(data, "text", required=kind == "text") or ""
        if kind == "text" and not text:
            raise HumanRequestError('"text" must not be empty')
        caption = _str(data, "caption")
        options = _media_options(data)
        user = self._world.ensure_user(
            user_id,
            first_name=_str(data, "first_name"),
            language_code=_str(data, "language_code"),
        )
        reply_to = _int(data, "reply_to_message_id") if "reply_to_message_id" in data else None
        try:
            sent = await human_actions.send(
                self._world,
                user,
                kind=kind,
                text=text,
                caption=caption,
                options=options,
                reply_to_message_id=reply_to,
            )
        except ValueError as error:
            raise HumanRequestError(str(error)) from error
        return JSONResponse(
            {"ok": True, "update_id": sent.update_id, "message_id": sent.message_id}
        )

    async def press(self, request: Request) -> Response:
        """Let a user press an inline button."""
        data = await _body(request)
        user = self._world.users.get(_user_id(data))
        if user is None:
            raise HumanRequestError("unknown user_id: the user never wrote to the bot")
        message_id = _int(data, "message_id")
        callback_data = _str(data, "data", required=True) or ""
        update_id, query_id = await human_actions.press(
            self._world, user, message_id, callback_data
        )
        return JSONResponse({"ok": True, "update_id": update_id, "callback_query_id": query_id})

    async def _set_blocked(self, request: Request, *, blocked: bool) -> Response:
        data = await _body(request)
        user = self._world.ensure_user(_user_id(data), first_name=None, language_code=None)
        update_id = await human_actions.set_blocked(self._world, user, blocked=blocked)
        return JSONResponse({"ok": True, "update_id": update_id})

    async def block(self, request: Request) -> Response:
        """Let a user block the bot."""
        return await self._set_blocked(request, blocked=True)

    async def unblock(self, request: Request) -> Response:
        """Let a user unblock the bot."""
        return await self._set_blocked(request, blocked=False)

    async def reset(self, request: Request) -> Response:
        """Forget all users, chats, updates, the webhook and counters."""
        await self._world.reset()
        return JSONResponse({"ok": True})

    def _chat_after(self, request: Request) -> list[StoredMessage]:
        user_id = _query_int(request, "user_id")
        after = _query_int(request, "after", 0)
        chat = self._world.chats.get(user_id, {})
        return [chat[mid] for mid in sorted(chat) if mid > after]

    async def messages(self, request: Request) -> Response:
        """List the bot's messages to a user after a message_id, oldest first.

        With `wait=S`, an empty answer waits up to S seconds for the bot's next message
        (long polling), so scripts need not poll in a tight loop.
        """
        wait = min(_query_float(request, "wait", 0.0), self._world.config.long_poll_max_s)
        user_id = _query_int(request, "user_id")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            found = [m for m in self._chat_after(request) if m.sender == "bot"]
            remaining = deadline - loop.time()
            if found or remaining <= 0:
                return JSONResponse([message_view(m) for m in found])
            await self._world.next_bot_message(user_id, timeout=remaining)

    async def chat(self, request: Request) -> Response:
        """List both sides of a chat after a message_id, oldest first."""
        return JSONResponse([chat_message_view(m) for m in self._chat_after(request)])

    async def callback_answers(self, request: Request) -> Response:
        """List the bot's answers to a user's button presses."""
        answers = self._world.callback_answers.get(_query_int(request, "user_id"), [])
        return JSONResponse([answer.to_json() for answer in answers])

    async def stats(self, request: Request) -> Response:
        """Report delivered and refused sends."""
        return JSONResponse(self._world.stats.to_json())

    async def session(self, request: Request) -> Response:
        """Describe the bot and, given user_id, the user's state and command menu."""
        user_id = _query_int(request, "user_id", 0)
        return JSONResponse(session_view(self._world, self._world.users.get(user_id)))

    async def users(self, request: Request) -> Response:
        """Create users who opened a chat with the bot, without updates (for benchmarks)."""
        data = await _body(request)
        user_ids = data.get("user_ids")
        if not isinstance(user_ids, list) or not all(
            isinstance(user_id, int) and not isinstance(user_id, bool) and user_id > 0
            for user_id in user_ids
        ):
            raise HumanRequestError('"user_ids" must be a list of positive integers')
        language_code = _str(data, "language_code")
        for user_id in user_ids:
            self._world.ensure_user(user_id, first_name=None, language_code=language_code)
        return JSONResponse({"ok": True, "users": len(user_ids)})

    async def file(self, request: Request) -> Response:
        """Download a file as an attachment."""
        stored = self._world.files.get(request.path_params["file_id"])
        if stored is None:
            return JSONResponse({"ok": False, "description": "file not found"}, status_code=404)
        return Response(
            stored.content,
            media_type=stored.mime_type or "application/octet-stream",
            headers={"Content-Disposition": _content_disposition(stored.file_name or "file")},
        )
