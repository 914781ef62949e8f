"""The human-side JSON API: media kinds, chat views, validation, reset."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from telegram import Bot, ReplyKeyboardMarkup

USER = 555


async def test_media_kinds_arrive_as_telegram_objects(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    kinds: list[dict[str, Any]] = [
        {"kind": "sticker", "emoji": "🎉"},
        {"kind": "photo", "caption": "Mein Ausweis"},
        {"kind": "voice"},
        {"kind": "video"},
        {"kind": "video_note"},
        {"kind": "audio"},
        {"kind": "document", "file_name": "cv.txt", "content": "Lebenslauf"},
        {"kind": "location", "latitude": 48.1, "longitude": 11.6},
        {"kind": "contact"},
        {"kind": "animation"},
    ]
    for extra in kinds:
        response = await human.post("/sandbox/api/send", json={"user_id": USER, **extra})
        assert response.status_code == 200, response.text
    messages = [u.message for u in await sandbox_bot.get_updates()]
    assert all(m is not None for m in messages)
    sticker, photo, voice, video, note, audio, document, location, contact, animation = [
        m for m in messages if m is not None
    ]
    assert sticker.sticker is not None and sticker.sticker.emoji == "🎉"
    assert len(photo.photo) == 3 and photo.caption == "Mein Ausweis"
    assert voice.voice is not None and video.video is not None and audio.audio is not None
    assert note.video_note is not None
    assert location.location is not None and location.location.latitude == 48.1
    assert contact.contact is not None and contact.contact.user_id == USER
    assert animation.animation is not None and animation.document is not None
    assert document.document is not None and document.document.file_name == "cv.txt"
    downloaded = await (
        await sandbox_bot.get_file(document.document.file_id)
    ).download_as_bytearray()
    assert bytes(downloaded) == b"Lebenslauf"
    photo_file = await sandbox_bot.get_file(photo.photo[-1].file_id)
    assert (await photo_file.download_as_bytearray())[:2] == b"\xff\xd8"  # a JPEG

    chat = (await human.get("/sandbox/api/chat", params={"user_id": USER, "after": 7})).json()
    assert [(m["message_id"], m["from"], m["kind"]) for m in chat] == [
        (8, "user", "location"),
        (9, "user", "contact"),
        (10, "user", "animation"),
    ]
    assert chat[0]["media"]["location"] == {"latitude": 48.1, "longitude": 11.6}


async def test_chat_view_shows_both_sides_and_reply_keyboards(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    await human.post("/sandbox/api/send", json={"user_id": USER, "text": "Hallo"})
    await sandbox_bot.send_message(
        USER, "Sprache?", reply_markup=ReplyKeyboardMarkup([["Deutsch", "English"]])
    )
    chat = (await human.get("/sandbox/api/chat", params={"user_id": USER})).json()
    assert [(m["from"], m["text"]) for m in chat] == [("user", "Hallo"), ("bot", "Sprache?")]
    assert chat[1]["reply_keyboard"]["keyboard"] == [[{"text": "Deutsch"}, {"text": "English"}]]
    assert chat[1]["reply_markup"] is None
    bot_only = (await human.get("/sandbox/api/messages", params={"user_id": USER})).json()
    assert [m["message_id"] for m in bot_only] == [2]


async def test_session_describes_user_and_commands(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    await sandbox_bot.set_my_commands([("start", "Start")])
    await sandbox_bot.set_my_commands([("start", "Anfang")], language_code="de")
    await human.post(
        "/sandbox/api/send",
        json={"user_id": USER, "text": "x", "first_name": "Jana", "language_code": "de"},
    )
    session = (await human.get("/sandbox/api/session", params={"user_id": USER})).json()
    assert session["bot"]["username"] == "hubbot_sandbox_bot"
    assert session["user"] == {
        "user_id": USER,
        "first_name": "Jana",
        "language_code": "de",
        "blocked": False,
    }
    assert session["commands"] == [{"command": "start", "description": "Anfang"}]


async def test_overlong_user_text_is_accepted_for_robustness_tests(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    response = await human.post("/sandbox/api/send", json={"user_id": USER, "text": "x" * 10000})
    assert response.status_code == 200
    updates = await sandbox_bot.get_updates()
    assert updates[0].message is not None and len(updates[0].message.text or "") == 10000


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/sandbox/api/send", {"text": "no user"}),
        ("/sandbox/api/send", {"user_id": "12", "text": "string id"}),
        ("/sandbox/api/send", {"user_id": True, "text": "bool id"}),
        ("/sandbox/api/send", {"user_id": 1, "text": 5}),
        ("/sandbox/api/send", {"user_id": 1}),
        ("/sandbox/api/send", {"user_id": 1, "kind": "hologram"}),
        ("/sandbox/api/send", {"user_id": 1, "kind": "location", "latitude": "north"}),
        ("/sandbox/api/send", [1, 2]),
        ("/sandbox/api/press", {"user_id": 1, "message_id": 1, "data": "x"}),
        ("/sandbox/api/block", {}),
    ],
)
async def test_malformed_requests_get_400(
    human: httpx.AsyncClient, route: str, body: object
) -> None:
    response = await human.post(route, json=body)
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["description"]


async def test_non_json_body_and_bad_query_get_400(human: httpx.AsyncClient) -> None:
    response = await human.post("/sandbox/api/send", content=b"not json")
    assert response.status_code == 400
    lone_surrogate = b'{"user_id": 1, "text": "\\ud800"}'
    response = await human.post("/sandbox/api/send", content=lone_surrogate)
    assert response.status_code == 400
    response = await human.get("/sandbox/api/messages", params={"user_id": "abc"})
    assert response.status_code == 400
    response = await human.get("/sandbox/api/messages")
    assert response.status_code == 400


async def test_reset_forgets_everything_but_update_ids_keep_growing(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    first = (await human.post("/sandbox/api/send", json={"user_id": USER, "text": "a"})).json()
    await sandbox_bot.send_message(USER, "b")
    assert (await human.post("/sandbox/api/reset")).json() == {"ok": True}
    assert (await human.get("/sandbox/api/chat", params={"user_id": USER})).json() == []
    assert (await human.get("/sandbox/api/stats")).json()["delivered_total"] == 0
    assert await sandbox_bot.get_updates() == ()
    again = (await human.post("/sandbox/api/send", json={"user_id": USER, "text": "c"})).json()
    assert again["message_id"] == 1 and again["update_id"] > first["update_id"]


async def test_two_apps_are_independent(serve_asgi: Any, human: httpx.AsyncClient) -> None:
    from bot.sandbox import SandboxConfig, create_sandbox_app

    other = await serve_asgi(create_sandbox_app(SandboxConfig()))
    await human.post("/sandbox/api/send", json={"user_id": USER, "text": "only here"})
    async with httpx.AsyncClient(base_url=other) as client:
        assert (await client.get("/sandbox/api/chat", params={"user_id": USER})).json() == []


async def test_users_open_their_chats_at_once_and_deliveries_are_counted_per_chat(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    created = await human.post("/sandbox/api/users", json={"user_ids": [901, 902]})
    assert created.json() == {"ok": True, "users": 2}
    assert await sandbox_bot.get_updates() == ()  # nobody wrote anything
    await sandbox_bot.send_message(901, "one")
    await sandbox_bot.send_message(901, "two")
    await sandbox_bot.send_message(902, "three")
    stats = (await human.get("/sandbox/api/stats")).json()
    assert stats["delivered_per_chat"] == {"901": 2, "902": 1}
    refused = await human.post("/sandbox/api/users", json={"user_ids": ["x"]})
    assert refused.status_code == 400


async def test_messages_can_wait_for_the_bots_next_message(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    await human.post("/sandbox/api/send", json={"user_id": USER, "text": "Hallo"})
    waiting = asyncio.create_task(
        human.get("/sandbox/api/messages", params={"user_id": USER, "after": 1, "wait": 5})
    )
    await asyncio.sleep(0.1)
    assert not waiting.done()
    await sandbox_bot.send_message(USER, "Hallo! Wie kann ich helfen?")
    answered = (await asyncio.wait_for(waiting, 2)).json()
    assert [m["text"] for m in answered] == ["Hallo! Wie kann ich helfen?"]
    started = asyncio.get_running_loop().time()
    nothing = await human.get(
        "/sandbox/api/messages", params={"user_id": USER, "after": 2, "wait": 0.2}
    )
    assert nothing.json() == []
    assert asyncio.get_running_loop().time() - started >= 0.2
    bad = await human.get("/sandbox/api/messages", params={"user_id": USER, "wait": "soon"})
    assert bad.status_code == 400
