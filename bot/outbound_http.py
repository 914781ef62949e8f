"""The HTTP client hubbot calls its services with (the NLU server, a translation provider)."""

from __future__ import annotations

import httpx

# Servers commonly close an idle connection after 5 s (Sanic under Rasa, uvicorn): a pool
# that keeps it exactly as long races the close and loses a request to a ReadError.
KEEPALIVE_EXPIRY_S = 4.0
# httpx keeps only 20 idle connections by default; with up to 32 updates handled at once
# (MAX_CONCURRENT_UPDATES) the rest were closed and reopened for every NLU parse.
MAX_CONNECTIONS = 100


def outbound_client() -> httpx.AsyncClient:
    """Return a client that keeps a connection for every request it makes at once."""
    return httpx.AsyncClient(
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_CONNECTIONS,
            keepalive_expiry=KEEPALIVE_EXPIRY_S,
        )
    )
