"""Serve the web chat page and its static files from the package directory."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The page changes while developing the bot; always revalidate instead of caching stale JS.
_NO_CACHE = {"Cache-Control": "no-cache"}


async def index(request: Request) -> Response:
    """Serve the chat page."""
    return FileResponse(STATIC_DIR / "index.html", headers=_NO_CACHE)


def webchat_routes() -> list[BaseRoute]:
    """Return the page route and the static files mount."""
    return [
        Route("/", index, methods=["GET"]),
        Mount("/sandbox/static", app=StaticFiles(directory=STATIC_DIR), name="sandbox-static"),
    ]
