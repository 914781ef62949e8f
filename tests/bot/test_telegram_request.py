"""Bot API requests over aiohttp: answers, Telegram's errors, timeouts and a server that is gone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from telegram import InputFile
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_request import AiohttpRequest
from tests.support import free_port, serving


def _app(seen: list[dict[str, object]]) -> Starlette:
    async def send_message(request: Request) -> JSONResponse:
        form = await request.form()
        seen.append({key: value for key, value in form.items()})
        if form.get("chat_id") == "429":
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests",
                    "parameters": {"retry_after": 7},
                },
                status_code=429,
            )
        if form.get("chat_id") == "403":
            return JSONResponse(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"},
                status_code=403,
            )
        return JSONResponse({"ok": True, "result": {"text": form.get("text")}})

    async def send_document(request: Request) -> JSONResponse:
        async with request.form() as form:
            upload = form["document"]
            assert not isinstance(upload, str)
            seen.append({"filename": upload.filename, "content": (await upload.read()).decode()})
        return JSONResponse({"ok": True, "result": True})

    async def slow(request: Request) -> JSONResponse:
        await asyncio.sleep(5)
        return JSONResponse({"ok": True, "result": True})

    return Starlette(
        routes=[
            Route("/sendMessage", send_message, methods=["POST"]),
            Route("/sendDocument", send_document, methods=["POST"]),
            Route("/slow", slow, methods=["POST"]),
        ]
    )


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest()
    await request.initialize()
    yield request
    await request.shutdown()


def _data(**parameters: object) -> RequestData:
    return RequestData(
        [RequestParameter.from_input(name, value) for name, value in parameters.items()]
    )


async def test_a_message_is_sent_as_telegram_reads_it(request_: AiohttpRequest) -> None:
    seen: list[dict[str, object]] = []
    async with serving(_app(seen)) as url:
        text = "مرحبا <b>&</b> ✓"
        result = await request_.post(f"{url}/sendMessage", _data(chat_id=5, text=text))
    assert result == {"text": text}
    assert seen == [{"chat_id": "5", "text": text}]


async def test_telegram_errors_keep_their_meaning(request_: AiohttpRequest) -> None:
    async with serving(_app([])) as url:
        with pytest.raises(RetryAfter) as flood:
            await request_.post(f"{url}/sendMessage", _data(chat_id=429, text="x"))
        with pytest.raises(Forbidden):
            await request_.post(f"{url}/sendMessage", _data(chat_id=403, text="x"))
    assert flood.value.retry_after.total_seconds() == 7


async def test_a_file_is_uploaded_with_its_name(request_: AiohttpRequest) -> None:
    seen: list[dict[str, object]] = []
    document = InputFile(b"BEGIN:VCALENDAR", filename="event.ics")
    async with serving(_app(seen)) as url:
        assert await request_.post(f"{url}/sendDocument", _data(chat_id=5, document=document))
    assert seen == [{"filename": "event.ics", "content": "BEGIN:VCALENDAR"}]


async def test_a_server_that_does_not_answer_times_out(request_: AiohttpRequest) -> None:
    async with serving(_app([])) as url:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await request_.post(f"{url}/slow", _data(chat_id=5), read_timeout=0.3)
    assert time.monotonic() - started < 3


async def test_a_server_that_is_gone_is_a_network_error(request_: AiohttpRequest) -> None:
    with pytest.raises(NetworkError) as error:
        await request_.post(f"http://127.0.0.1:{free_port()}/sendMessage", _data(chat_id=5))
    assert not isinstance(error.value, TimedOut)
    assert "aiohttp" in str(error.value)


async def test_it_works_again_after_a_shutdown(request_: AiohttpRequest) -> None:
    await request_.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):
        await request_.post("http://127.0.0.1:1/sendMessage", _data(chat_id=5))
    await request_.initialize()
    async with serving(_app([])) as url:
        assert await request_.post(f"{url}/sendMessage", _data(chat_id=5, text="hi"))
