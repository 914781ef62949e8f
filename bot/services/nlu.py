"""Ask the Rasa NLU server what a message means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from bot.services.parse_cache import ParseCache

FALLBACK_INTENT = "nlu_fallback"


class NluUnavailable(Exception):
    """The NLU server did not answer in time or answered with an error."""


@dataclass(frozen=True, slots=True)
class IntentScore:
    """An intent and how sure the model is of it."""

    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class NluResult:
    """The model's reading of a message, best intent first."""

    intent: str
    confidence: float
    ranking: tuple[IntentScore, ...]

    def top(self, count: int) -> list[IntentScore]:
        """Return the most likely real intents (never the fallback)."""
        return [score for score in self.ranking if score.name != FALLBACK_INTENT][:count]


class NluClient:
    """A small client for Rasa's `/model/parse`, bounded by a timeout."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token: str | None,
        timeout_s: float,
        cache: ParseCache | None = None,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout_s
        self._cache = cache

    def _params(self) -> dict[str, str]:
        return {"token": self._token} if self._token else {}

    async def parse(self, text: str) -> NluResult:
        """Return the intents of a text, or raise NluUnavailable."""
        if self._cache is not None:
            cached = self._cache.get(text)
            if cached is not None:
                return cached
        reading = await self._parse(text)
        if self._cache is not None:
            self._cache.put(text, reading)
        return reading

    async def _parse(self, text: str) -> NluResult:
        try:
            response = await self._http.post(
                f"{self._base_url}/model/parse",
                params=self._params(),
                json={"text": text},
                timeout=self._timeout,
            )
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise NluUnavailable(f"{type(error).__name__}: {error}") from error
        ranking = tuple(
            IntentScore(str(item["name"]), float(item["confidence"]))
            for item in data.get("intent_ranking") or []
        )
        intent = data.get("intent") or {}
        return NluResult(
            intent=str(intent.get("name") or FALLBACK_INTENT),
            confidence=float(intent.get("confidence") or 0.0),
            ranking=ranking,
        )

    async def is_reachable(self) -> bool:
        """Tell whether the server answers its status route."""
        try:
            response = await self._http.get(
                f"{self._base_url}/status", params=self._params(), timeout=self._timeout
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def load_model(self, model_path: str) -> None:
        """Hot-load another trained model into the running server."""
        try:
            response = await self._http.put(
                f"{self._base_url}/model",
                params=self._params(),
                json={"model_file": model_path},
                timeout=120.0,
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise NluUnavailable(f"could not load {model_path}: {error}") from error
        finally:
            # Whatever the server has loaded now, earlier readings may be another model's.
            if self._cache is not None:
                self._cache.clear()
