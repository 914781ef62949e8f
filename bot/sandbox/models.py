"""The sandbox's records: users, their private chats, messages, files and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .entities import FormattedText

Sender = Literal["user", "bot"]


@dataclass
class SandboxUser:
    """A person talking to the bot; their private chat shares their id."""

    id: int
    first_name: str
    language_code: str | None = None
    blocked_bot: bool = False


@dataclass(frozen=True)
class StoredFile:
    """Bytes the bot uploaded or a user sent, reachable by file_id and file_path."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str | None
    mime_type: str | None
    content: bytes

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.content)


@dataclass
class StoredMessage:
    """One message of a private chat, as currently shown to both sides."""

    message_id: int
    chat_id: int
    sender: Sender
    sender_id: int
    date: int
    kind: str = "text"
    body: FormattedText = field(default_factory=lambda: FormattedText(""))
    html: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    media: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None

    @property
    def has_caption(self) -> bool:
        """Tell whether `body` is a caption (media message) rather than the message text."""
        return self.kind != "text"

    def inline_keyboard(self) -> dict[str, Any] | None:
        """Return the reply_markup when it is an inline keyboard, else None."""
        markup = self.reply_markup
        return markup if markup is not None and "inline_keyboard" in markup else None


@dataclass
class CallbackQueryRecord:
    """A button press the bot has been told about, and its answer once given."""

    id: str
    user_id: int
    message_id: int
    data: str
    date: int
    answered: bool = False


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press, for the page to show as a toast."""

    callback_query_id: str
    message_id: int
    data: str
    text: str | None
    show_alert: bool
    url: str | None
    date: int

    def to_json(self) -> dict[str, Any]:
        """Return the JSON the human API serves."""
        return {
            "callback_query_id": self.callback_query_id,
            "message_id": self.message_id,
            "data": self.data,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
            "date": self.date,
        }


@dataclass
class Stats:
    """Counters for benchmarks: what was delivered and what was refused."""

    delivered_total: int = 0
    rejected_429: int = 0
    rejected_403: int = 0
    delivered_per_chat: dict[int, int] = field(default_factory=dict)

    def count_delivery(self, chat_id: int) -> None:
        """Count one accepted send."""
        self.delivered_total += 1
        self.delivered_per_chat[chat_id] = self.delivered_per_chat.get(chat_id, 0) + 1

    def to_json(self) -> dict[str, Any]:
        """Return the JSON the stats route serves."""
        return {
            "delivered_total": self.delivered_total,
            "rejected_429": self.rejected_429,
            "rejected_403": self.rejected_403,
            "delivered_per_chat": {str(k): v for k, v in self.delivered_per_chat.items()},
        }
