"""The HTTP client hubbot calls its services with (the NLU server, a translation provider).

httpx's interface over aiohttp's connections (`httpx-aiohttp`): with httpx's own pool the NLU
parse was a quarter of the bot's CPU under load. In `hubbot bench replies`, three alternating
pairs of runs with 50 residents: the bot spent 11.0–14.6 ms of CPU a question with this
transport against 18.0–19.4 ms with httpx's, and answered 58–78 questions/s against 47–51.
"""

from __future__ import annotations

import httpx
from httpx_aiohttp import AiohttpTransport

# Servers commonly close an idle connection after 5 s (Sanic under Rasa, uvicorn): a pool
# that keeps it exactly as long races the close and loses a request to a ReadError.
KEEPALIVE_EXPIRY_S = 4.0
# httpx keeps only 20 idle connections by default; with up to 32 updates handled at once
# (MAX_CONCURRENT_UPDATES) the rest were closed and reopened for every NLU parse.
MAX_CONNECTIONS = 100


def outbound_client() -> httpx.AsyncClient:
    """Return a client that keeps a connection for every request it makes at once."""
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=MAX_CONNECTIONS,
        keepalive_expiry=KEEPALIVE_EXPIRY_S,
    )
    return httpx.AsyncClient(transport=AiohttpTransport(limits=limits))
