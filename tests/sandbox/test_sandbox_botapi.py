"""Drive the sandbox's Bot API with the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from bot.sandbox import SandboxConfig

USER = 4242


async def say(human: httpx.AsyncClient, text: str, **extra: Any) -> dict[str, Any]:
    """Let the test user write to the bot and return the API's answer."""
    response = await human.post("/sandbox/api/send", json={"user_id": USER, "text": text, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    """Build a one-row inline keyboard of (label, callback_data) buttons."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


async def test_get_me_uses_the_token_and_config(sandbox_bot: Bot) -> None:
    me = await sandbox_bot.get_me()
    assert me.id == 123456
    assert me.is_bot and me.username == "hubbot_sandbox_bot" and me.first_name == "hubbot"


async def test_malformed_token_is_unauthorized(sandbox_server: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sandbox_server}/botnot-a-token/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken):
        async with Bot("1:short", base_url=f"{sandbox_server}/bot"):
            pass


async def test_unknown_method_is_not_found_and_names_are_case_insensitive(
    sandbox_server: str,
) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_server}/bot1:abcdefghijk") as client:
        missing = await client.post("/sendTelepathy")
        me = await client.get("/GETME")
    assert missing.status_code == 404
    assert missing.json()["description"] == "Not Found: method not found"
    assert me.json()["result"]["id"] == 1


async def test_user_message_arrives_through_get_updates(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    sent = await say(human, "/start", first_name="Amira", language_code="ar")
    updates = await sandbox_bot.get_updates()
    assert [u.update_id for u in updates] == [sent["update_id"]]
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.message_id == sent["message_id"]
    assert message.chat.id == USER and message.chat.type == "private"
    assert message.from_user is not None and message.from_user.language_code == "ar"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    # A confirmed offset forgets the update, like Telegram.
    assert await sandbox_bot.get_updates(offset=sent["update_id"] + 1) == ()


async def test_numeric_text_stays_a_string(sandbox_bot: Bot, human: httpx.AsyncClient) -> None:
    await say(human, "hi")
    message = await sandbox_bot.send_message(USER, "123")
    assert message.text == "123"
    shown = (await human.get("/sandbox/api/messages", params={"user_id": USER})).json()
    assert shown[-1]["text"] == "123"


async def test_long_poll_returns_when_a_message_arrives(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    poll = asyncio.create_task(sandbox_bot.get_updates(timeout=10))
    await asyncio.sleep(0.3)
    assert not poll.done()
    await say(human, "hello")
    updates = await asyncio.wait_for(poll, 3)
    assert updates[0].message is not None and updates[0].message.text == "hello"


async def test_long_poll_times_out_empty(sandbox_bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await sandbox_bot.get_updates(timeout=1) == ()
    assert 0.9 <= loop.time() - started < 3


async def test_html_message_with_keyboard_press_answer_and_edit(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    await say(human, "/start")
    html = "<b>Hallo</b> &amp; <i>willkommen</i> 👋 <a href='https://example.org'>Info</a>"
    sent = await sandbox_bot.send_message(
        USER, html, parse_mode=ParseMode.HTML, reply_markup=keyboard(("Ja", "yes"), ("Nein", "no"))
    )
    assert sent.text == "Hallo & willkommen 👋 Info"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5),
        ("italic", 8, 10),
        ("text_link", 22, 4),  # the emoji counts as two UTF-16 code units
    ]
    shown = (await human.get("/sandbox/api/messages", params={"user_id": USER})).json()
    assert shown == [
        {
            "message_id": sent.message_id,
            "text": "Hallo & willkommen 👋 Info",
            "html": html,
            "reply_markup": sent.reply_markup.to_dict() if sent.reply_markup else None,
            "document": None,
            "date": shown[0]["date"],
            "edited": False,
        }
    ]
    assert shown[0]["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "no"
    await sandbox_bot.get_updates(offset=-1)  # forget the /start

    pressed = await human.post(
        "/sandbox/api/press", json={"user_id": USER, "message_id": sent.message_id, "data": "yes"}
    )
    assert pressed.status_code == 200, pressed.text
    updates = await sandbox_bot.get_updates(offset=pressed.json()["update_id"])
    query = updates[-1].callback_query
    assert query is not None and query.data == "yes"
    assert query.id == pressed.json()["callback_query_id"]
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.from_user.id == USER

    assert await query.answer("Gespeichert", show_alert=True)
    answers = (await human.get("/sandbox/api/callback_answers", params={"user_id": USER})).json()
    assert [(a["text"], a["show_alert"], a["data"]) for a in answers] == [
        ("Gespeichert", True, "yes")
    ]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("twice")

    edited = await sandbox_bot.edit_message_text("Danke!", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    shown = (await human.get("/sandbox/api/messages", params={"user_id": USER})).json()
    assert (shown[0]["text"], shown[0]["reply_markup"], shown[0]["edited"]) == (
        "Danke!",
        None,
        True,
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await sandbox_bot.edit_message_text("Danke!", chat_id=USER, message_id=sent.message_id)


async def test_press_without_matching_button_is_refused(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    await say(human, "hi")
    sent = await sandbox_bot.send_message(USER, "pick", reply_markup=keyboard(("A", "a")))
    response = await human.post(
        "/sandbox/api/press", json={"user_id": USER, "message_id": sent.message_id, "data": "b"}
    )
    assert response.status_code == 400
    assert "no inline button" in response.json()["description"]


async def test_edit_reply_markup_and_delete(sandbox_bot: Bot, human: httpx.AsyncClient) -> None:
    await say(human, "hi")
    sent = await sandbox_bot.send_message(USER, "pick", reply_markup=keyboard(("A", "a")))
    await sandbox_bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)
    shown = (await human.get("/sandbox/api/messages", params={"user_id": USER})).json()
    assert shown[0]["reply_markup"] is None
    assert await sandbox_bot.delete_message(USER, sent.message_id)
    assert (await human.get("/sandbox/api/messages", params={"user_id": USER})).json() == []
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await sandbox_bot.edit_message_text("x", chat_id=USER, message_id=sent.message_id)


async def test_send_and_download_document(sandbox_bot: Bot, human: httpx.AsyncClient) -> None:
    await say(human, "hi")
    content = "Öffnungszeiten: Mo bis Fr, 9 bis 17 Uhr\n".encode()
    sent = await sandbox_bot.send_document(
        USER, content, filename="zeiten.txt", caption="<b>Plan</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "zeiten.txt"
    assert sent.document.mime_type == "text/plain" and sent.document.file_size == len(content)
    assert sent.caption == "Plan"

    shown = (await human.get("/sandbox/api/messages", params={"user_id": USER})).json()
    document = shown[-1]["document"]
    assert document["file_name"] == "zeiten.txt" and shown[-1]["text"] == "Plan"
    download = await human.get(document["url"])
    assert download.content == content
    assert "attachment" in download.headers["content-disposition"]

    telegram_file = await sandbox_bot.get_file(sent.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == content

    again = await sandbox_bot.send_document(USER, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_commands_per_language(sandbox_bot: Bot) -> None:
    commands = [BotCommand("start", "Neu beginnen"), BotCommand("help", "Hilfe")]
    assert await sandbox_bot.set_my_commands(commands, language_code="de")
    assert await sandbox_bot.get_my_commands(language_code="de") == tuple(commands)
    assert await sandbox_bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
        await sandbox_bot.set_my_commands(commands, language_code="prs")
    with pytest.raises(BadRequest):
        await sandbox_bot.set_my_commands([BotCommand("Start", "x")])
    with pytest.raises(BadRequest):
        await sandbox_bot.set_my_commands([BotCommand("start", "x" * 257)])
    assert await sandbox_bot.delete_my_commands(language_code="de")
    assert await sandbox_bot.get_my_commands(language_code="de") == ()


async def test_bot_profile_settings_are_accepted(
    sandbox_bot: Bot, human: httpx.AsyncClient
) -> None:
    await say(human, "hi")
    assert await sandbox_bot.set_my_description("Hilfe für Nachbarn", language_code="de")
    assert (await sandbox_bot.get_my_description("de")).description == "Hilfe für Nachbarn"
    assert await sandbox_bot.set_my_short_description("Kurz")
    assert await sandbox_bot.set_my_name("Hub")
    assert await sandbox_bot.set_chat_menu_button()
    assert (await sandbox_bot.get_chat_menu_button()).type == "commands"
    assert await sandbox_bot.send_chat_action(USER, "typing")


async def test_text_limits_and_markup_errors(sandbox_bot: Bot, human: httpx.AsyncClient) -> None:
    await say(human, "hi")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await sandbox_bot.send_message(USER, "x" * 4097)
    assert await sandbox_bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await sandbox_bot.send_message(USER, "😀" * 2049)  # 4098 UTF-16 code units
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await sandbox_bot.send_message(USER, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await sandbox_bot.send_message(USER, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await sandbox_bot.send_message(USER, "Ende.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await sandbox_bot.send_message(USER, "x", parse_mode="BBCode")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await sandbox_bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await sandbox_bot.send_message(999, "nobody here")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await sandbox_bot.send_message(USER, "x", reply_markup=keyboard(("ä", "ä" * 33)))
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await sandbox_bot.send_document(USER, b"x", filename="a.txt", caption="c" * 1025)


async def test_blocked_user_gives_forbidden(sandbox_bot: Bot, human: httpx.AsyncClient) -> None:
    first = await say(human, "hi")
    blocked = await human.post("/sandbox/api/block", json={"user_id": USER})
    updates = await sandbox_bot.get_updates(offset=first["update_id"] + 1)
    member = updates[0].my_chat_member
    assert member is not None and updates[0].update_id == blocked.json()["update_id"]
    assert member.new_chat_member.status == "kicked" and member.old_chat_member.status == "member"
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await sandbox_bot.send_message(USER, "still there?")

    again = await say(human, "/start")  # writing again unblocks, as restarting a bot does
    updates = await sandbox_bot.get_updates(offset=blocked.json()["update_id"] + 1)
    assert [u.my_chat_member is not None for u in updates] == [True, False]
    assert updates[1].update_id == again["update_id"]
    assert await sandbox_bot.send_message(USER, "welcome back")
    stats = (await human.get("/sandbox/api/stats")).json()
    assert stats["rejected_403"] == 1 and stats["delivered_per_chat"] == {str(USER): 1}


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(chat_burst=2, chat_rate_per_s=0.2)])
async def test_chat_flood_limit_gives_retry_after(
    sandbox_bot: Bot, human: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns when building RetryAfter with int periods unless timedeltas are opted in.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    await say(human, "hi")
    await sandbox_bot.send_message(USER, "one")
    await sandbox_bot.send_message(USER, "two")
    with pytest.raises(RetryAfter) as caught:
        await sandbox_bot.send_message(USER, "three")
    retry_after = caught.value.retry_after
    assert isinstance(retry_after, dt.timedelta) and retry_after.total_seconds() >= 1
    stats = (await human.get("/sandbox/api/stats")).json()
    assert (stats["delivered_total"], stats["rejected_429"]) == (2, 1)


async def test_parameters_from_json_body_and_query_string(
    sandbox_server: str, human: httpx.AsyncClient
) -> None:
    await say(human, "hi")
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
    async with httpx.AsyncClient(base_url=f"{sandbox_server}/bot1:abcdefghijk") as client:
        by_json = await client.post(
            "/sendMessage", json={"chat_id": USER, "text": "42", "reply_markup": markup}
        )
        by_query = await client.get("/sendMessage", params={"chat_id": str(USER), "text": "true"})
        broken = await client.post(
            "/sendMessage",
            content=b'{"chat_id": 4242, "text": "\\ud800"}',
            headers={"content-type": "application/json"},
        )
    assert by_json.json()["result"]["text"] == "42"
    assert by_json.json()["result"]["reply_markup"] == markup
    assert by_query.json()["result"]["text"] == "true"
    assert broken.status_code == 400
