"""The client hubbot calls the NLU server and translation providers with."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.outbound_http import outbound_client
from tests.support import serving

AT_ONCE = 32  # MAX_CONCURRENT_UPDATES' default: as many parses as updates in flight


def _app(connections: set[tuple[str, int]]) -> Starlette:
    async def parse(request: Request) -> JSONResponse:
        assert request.client is not None
        connections.add((request.client.host, request.client.port))
        await asyncio.sleep(0.05)  # keep all requests of a wave in flight together
        return JSONResponse({"intent": {"name": "greet"}})

    return Starlette(routes=[Route("/model/parse", parse, methods=["POST"])])


async def test_a_second_wave_of_parses_reuses_every_connection() -> None:
    connections: set[tuple[str, int]] = set()
    async with serving(_app(connections)) as url, outbound_client() as http:

        async def wave() -> None:
            replies = await asyncio.gather(
                *(http.post(f"{url}/model/parse", json={"text": "hi"}) for _ in range(AT_ONCE))
            )
            assert all(reply.status_code == 200 for reply in replies)

        await wave()
        opened = len(connections)
        await wave()
    assert opened == AT_ONCE
    assert len(connections) == AT_ONCE
