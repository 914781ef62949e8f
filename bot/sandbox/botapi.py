"""HTTP routes of the fake Bot API: /bot<token>/<method> and /file/bot<token>/<path>."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import api_chat, api_messages, api_profile, api_updates
from .calls import Call, Method
from .errors import ApiError, BadRequest, NotFound, Unauthorized
from .params import read_params
from .world import World

_TOKEN = re.compile(r"(\d+):[A-Za-z0-9_-]{10,}")


def _bot_id(token: str) -> int:
    """Return the bot id a token starts with, or raise 401 for a malformed token."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise Unauthorized("")
    return int(match.group(1))


def _error(error: ApiError) -> JSONResponse:
    return JSONResponse(error.to_json(), status_code=error.code)


class BotApi:
    """Dispatch Bot API calls to the method implementations."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._methods: dict[str, Method] = {}
        for module in (api_updates, api_messages, api_chat, api_profile):
            self._methods.update({name.lower(): m for name, m in module.methods().items()})

    def routes(self) -> list[Route]:
        """Return the routes to mount at the app's root."""
        return [
            Route("/bot{token}/{method}", self.call, methods=["GET", "POST"]),
            Route("/file/bot{token}/{file_path:path}", self.download, methods=["GET"]),
        ]

    async def call(self, request: Request) -> Response:
        """Run one method and answer in Telegram's envelope."""
        try:
            bot_id = _bot_id(request.path_params["token"])
            method = self._methods.get(request.path_params["method"].lower())
            if method is None:
                raise NotFound("method not found")
            params = await read_params(request)
            # The token names the bot: remember its id for messages and chat member updates.
            self._world.profile.bot_id = bot_id
            result = await method(Call(self._world, params, bot_id))
        except ApiError as error:
            return _error(error)
        except UnicodeEncodeError:
            # Lone surrogates in a JSON body cannot be stored or sent back as UTF-8.
            return _error(BadRequest("strings must be encoded in UTF-8"))
        return JSONResponse({"ok": True, "result": result})

    async def download(self, request: Request) -> Response:
        """Serve a file's bytes the way api.telegram.org/file/ does."""
        try:
            _bot_id(request.path_params["token"])
        except ApiError as error:
            return _error(error)
        stored = self._world.file_by_path(request.path_params["file_path"])
        if stored is None:
            return _error(NotFound(""))
        return Response(stored.content, media_type=stored.mime_type or "application/octet-stream")
