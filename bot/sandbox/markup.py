"""Turn a bot's text and parse_mode into what Telegram stores: plain text plus entities."""

from __future__ import annotations

from typing import Any

from .entities import Entity, FormattedText, MarkupError, utf16_len
from .errors import BadRequest
from .html_markup import parse_html
from .markdown_markup import parse_markdown, parse_markdown_v2

__all__ = ["FormattedText", "MarkupError", "format_text", "parse_html", "utf16_len"]

_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
_ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number",
        "bold", "italic", "underline", "strikethrough", "spoiler", "blockquote",
        "expandable_blockquote", "code", "pre", "text_link", "text_mention", "custom_emoji",
    }
)  # fmt: skip


def format_text(text: str, parse_mode: str | None, entities: Any = None) -> FormattedText:
    """Parse `text` with `parse_mode` (or explicit entities), raising BadRequest like Telegram."""
    mode = (parse_mode or "").strip().lower()
    if mode:
        parser = _PARSERS.get(mode)
        if parser is None:
            raise BadRequest(f"unsupported parse_mode {parse_mode!r}")
        try:
            return parser(text)
        except MarkupError as error:
            raise BadRequest(f"can't parse entities: {error}") from None
    if entities:
        return FormattedText(text, _explicit_entities(text, entities))
    return FormattedText(text)


def _explicit_entities(text: str, raw: Any) -> tuple[Entity, ...]:
    """Validate entities passed instead of a parse_mode."""
    if not isinstance(raw, list):
        raise BadRequest("can't parse entities JSON object")
    total = utf16_len(text)
    parsed: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest("can't parse MessageEntity: object expected")
        kind, offset, length = item.get("type"), item.get("offset"), item.get("length")
        if kind not in _ENTITY_TYPES:
            raise BadRequest(f"can't parse MessageEntity: unsupported type {kind!r}")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
            raise BadRequest("can't parse MessageEntity: offset and length must be integers")
        length = min(length, total - offset)
        if length > 0:
            url, language, emoji = (
                item.get("url"),
                item.get("language"),
                item.get("custom_emoji_id"),
            )
            parsed.append(
                Entity(
                    type=kind,
                    offset=offset,
                    length=length,
                    url=url if isinstance(url, str) else None,
                    language=language if isinstance(language, str) else None,
                    custom_emoji_id=emoji if isinstance(emoji, str) else None,
                )
            )
    return tuple(sorted(parsed, key=lambda e: (e.offset, -e.length)))
