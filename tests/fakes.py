"""Local stand-ins for outside services, served over real HTTP in tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class FakeNlu:
    """A Rasa-shaped `/model/parse` that answers from a table, optionally slowly."""

    token: str = "nlu-test-token"
    intents: dict[str, tuple[str, float]] = field(default_factory=dict)
    # A whole intent ranking for a text, best first, where the default one will not do.
    rankings: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    delay_s: float = 0.0
    calls: list[str] = field(default_factory=list)
    # Model files hot-loaded with PUT /model, in order.
    loaded: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        """Return the ASGI app."""

        async def parse(request: Request) -> JSONResponse:
            if request.query_params.get("token") != self.token:
                return JSONResponse({"message": "unauthorized"}, status_code=401)
            text = str((await request.json())["text"])
            self.calls.append(text)
            await asyncio.sleep(self.delay_s)
            name, confidence = self.intents.get(text, ("nlu_fallback", 0.3))
            ranking = [{"name": name, "confidence": confidence}] + [
                {"name": other, "confidence": 0.1}
                for other in ("health", "documents_help")
                if other != name
            ]
            if text in self.rankings:
                ranking = [{"name": n, "confidence": c} for n, c in self.rankings[text]]
                name, confidence = ranking[0]["name"], ranking[0]["confidence"]
            return JSONResponse(
                {
                    "text": text,
                    "intent": {"name": name, "confidence": confidence},
                    "intent_ranking": ranking,
                    "entities": [],
                }
            )

        async def status(request: Request) -> JSONResponse:
            return JSONResponse({"model_file": "fake.tar.gz"})

        async def load(request: Request) -> Response:
            if request.query_params.get("token") != self.token:
                return JSONResponse({"message": "unauthorized"}, status_code=401)
            self.loaded.append(str((await request.json())["model_file"]))
            return Response(status_code=204)

        return Starlette(
            routes=[
                Route("/model/parse", parse, methods=["POST"]),
                Route("/model", load, methods=["PUT"]),
                Route("/status", status),
            ]
        )


@dataclass
class FakeLibreTranslate:
    """A LibreTranslate-shaped `/translate` answering from a table; can be slow or broken."""

    table: dict[tuple[str, str], str] = field(default_factory=dict)
    delay_s: float = 0.0
    broken: bool = False
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        """Return the ASGI app."""

        async def translate(request: Request) -> JSONResponse:
            body = await request.json()
            self.calls.append((body["q"], body["source"], body["target"]))
            await asyncio.sleep(self.delay_s)
            if self.broken:
                return JSONResponse({"error": "model not loaded"}, status_code=500)
            text = self.table.get((body["q"], body["target"]), f"[{body['target']}] {body['q']}")
            return JSONResponse({"translatedText": text})

        return Starlette(routes=[Route("/translate", translate, methods=["POST"])])
