"""The bot remembers NLU readings of repeated texts, briefly, and forgets them on a new model."""

from __future__ import annotations

import httpx

from bot.services.nlu import IntentScore, NluClient, NluResult
from bot.services.parse_cache import ParseCache
from tests.conftest import ServeAsgi
from tests.fakes import FakeNlu


def _reading(intent: str) -> NluResult:
    return NluResult(intent, 0.9, (IntentScore(intent, 0.9),))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_least_recently_used_reading_is_forgotten_first() -> None:
    cache = ParseCache(size=2, ttl_s=60)
    cache.put("hallo", _reading("greet"))
    cache.put("wohnung", _reading("housing"))
    assert cache.get("hallo") == _reading("greet")  # now "wohnung" is the oldest
    cache.put("arzt", _reading("health"))
    assert len(cache) == 2
    assert cache.get("wohnung") is None
    assert cache.get("hallo") == _reading("greet")
    assert cache.get("arzt") == _reading("health")


def test_readings_expire_and_only_the_exact_text_matches() -> None:
    clock = Clock()
    cache = ParseCache(size=10, ttl_s=60, clock=clock)
    cache.put("Hallo", _reading("greet"))
    assert cache.get("hallo") is None and cache.get("Hallo ") is None
    clock.now = 59
    assert cache.get("Hallo") == _reading("greet")
    clock.now = 61
    assert cache.get("Hallo") is None
    assert len(cache) == 0


def test_size_zero_remembers_nothing() -> None:
    cache = ParseCache(size=0, ttl_s=60)
    cache.put("hallo", _reading("greet"))
    assert cache.get("hallo") is None


async def test_a_repeated_text_is_read_once_until_another_model_is_loaded(
    serve_asgi: ServeAsgi,
) -> None:
    fake = FakeNlu(intents={"ich suche eine wohnung": ("housing", 0.93)})
    url = await serve_asgi(fake.app())
    async with httpx.AsyncClient() as http:
        client = NluClient(
            http,
            base_url=url,
            token=fake.token,
            timeout_s=2.0,
            cache=ParseCache(size=100, ttl_s=600),
        )
        first = await client.parse("ich suche eine wohnung")
        again = await client.parse("ich suche eine wohnung")
        assert again == first and first.intent == "housing"
        assert fake.calls == ["ich suche eine wohnung"]
        await client.parse("wo ist ein arzt")
        assert len(fake.calls) == 2
        await client.load_model("models/new.tar.gz")
        assert fake.loaded == ["models/new.tar.gz"]
        await client.parse("ich suche eine wohnung")
        assert len(fake.calls) == 3
