"""Formatted text as Telegram stores it: plain text plus entities in UTF-16 units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class MarkupError(ValueError):
    """Describe why a text could not be parsed with its parse_mode."""


def utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of character `index`, as Telegram reports errors."""
    return len(text[:index].encode("utf-8"))


@dataclass(frozen=True)
class Entity:
    """One MessageEntity: a typed span of the plain text."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the MessageEntity JSON object."""
        data: dict[str, Any] = {"offset": self.offset, "length": self.length, "type": self.type}
        if self.url is not None:
            data["url"] = self.url
        if self.language is not None:
            data["language"] = self.language
        if self.custom_emoji_id is not None:
            data["custom_emoji_id"] = self.custom_emoji_id
        return data


@dataclass(frozen=True)
class FormattedText:
    """Plain text with its entities, sorted like Telegram sorts them."""

    text: str
    entities: tuple[Entity, ...] = ()

    def entities_json(self) -> list[dict[str, Any]]:
        """Return the entities as a JSON list."""
        return [entity.to_json() for entity in self.entities]


@dataclass
class OpenSpan:
    """An entity whose end has not been seen yet."""

    type: str
    start: int
    marker: str
    source_index: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None


@dataclass
class TextBuilder:
    """Accumulate plain text and entities while a parser walks the source."""

    _chunks: list[str] = field(default_factory=list)
    _position: int = 0
    _entities: list[Entity] = field(default_factory=list)

    @property
    def position(self) -> int:
        """Return the current offset in UTF-16 code units."""
        return self._position

    def append(self, text: str) -> None:
        """Add plain text."""
        self._chunks.append(text)
        self._position += utf16_len(text)

    def close(self, span: OpenSpan) -> None:
        """Turn an open span into an entity ending here; empty spans vanish, as in Telegram."""
        length = self._position - span.start
        if length > 0:
            self._entities.append(
                Entity(
                    type=span.type,
                    offset=span.start,
                    length=length,
                    url=span.url,
                    language=span.language,
                    custom_emoji_id=span.custom_emoji_id,
                )
            )

    def build(self) -> FormattedText:
        """Return the finished text with entities sorted by offset, outer ones first."""
        ordered = sorted(self._entities, key=lambda e: (e.offset, -e.length))
        return FormattedText("".join(self._chunks), tuple(ordered))
