"""Parse Telegram's MarkdownV2 and legacy Markdown parse modes."""

from __future__ import annotations

import re

from .entities import FormattedText, MarkupError, OpenSpan, TextBuilder, byte_offset

_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_TOGGLES = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
_ERROR_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_CUSTOM_EMOJI_URL = re.compile(r"tg://emoji\?id=(\d+)")


class _MarkdownV2Parser:
    """Walk a MarkdownV2 source once, keeping the stack of open entities."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.index = 0
        self.builder = TextBuilder()
        self.plain: list[str] = []
        self.stack: list[OpenSpan] = []
        self.quote: OpenSpan | None = None

    def flush(self) -> None:
        if self.plain:
            self.builder.append("".join(self.plain))
            self.plain.clear()

    def error_at(self, index: int) -> int:
        return byte_offset(self.source, index)

    def parse(self) -> FormattedText:
        source = self.source
        line_start = True
        while self.index < len(source):
            if line_start:
                line_start = False
                self.start_line()
                continue
            char = source[self.index]
            if (
                char == "\\"
                and self.index + 1 < len(source)
                and 0 < ord(source[self.index + 1]) < 127
            ):
                self.plain.append(source[self.index + 1])
                self.index += 2
            elif char == "\n":
                self.end_line()
                line_start = True
            elif char == "`":
                self.read_code()
            elif char in _RESERVED:
                self.read_marker(char)
            else:
                self.plain.append(char)
                self.index += 1
        self.flush()
        if self.stack:
            span = self.stack[-1]
            raise MarkupError(
                f"Can't find end of {_ERROR_NAMES[span.type]} entity at byte offset "
                f"{self.error_at(span.source_index)}"
            )
        self.close_quote()
        return self.builder.build()

    def start_line(self) -> None:
        source, index = self.source, self.index
        if source.startswith("**>", index) and self.quote is None:
            self.flush()
            self.quote = OpenSpan("expandable_blockquote", self.builder.position, "**>", index)
            self.index += 3
        elif source.startswith(">", index):
            if self.quote is None:
                self.flush()
                self.quote = OpenSpan("blockquote", self.builder.position, ">", index)
            self.index += 1

    def end_line(self) -> None:
        next_line = self.index + 1
        if self.quote is not None and not self.source.startswith(">", next_line):
            self.close_quote()
        self.plain.append("\n")
        self.index += 1

    def close_quote(self) -> None:
        if self.quote is not None:
            self.flush()
            self.builder.close(self.quote)
            self.quote = None

    def read_code(self) -> None:
        source, start = self.source, self.index
        is_pre = source.startswith("```", start)
        cursor = start + (3 if is_pre else 1)
        language: str | None = None
        if is_pre:
            newline = source.find("\n", cursor)
            header = source[cursor:newline] if newline != -1 else ""
            if newline != -1 and not any(c.isspace() or c == "`" for c in header):
                language = header or None
                cursor = newline + 1
        content: list[str] = []
        closing = "```" if is_pre else "`"
        while not source.startswith(closing, cursor):
            if cursor >= len(source):
                name = "Pre" if is_pre else "Code"
                raise MarkupError(
                    f"Can't find end of {name} entity at byte offset {self.error_at(start)}"
                )
            if source[cursor] == "\\" and cursor + 1 < len(source):
                cursor += 1
            content.append(source[cursor])
            cursor += 1
        self.flush()
        span = OpenSpan("pre" if is_pre else "code", self.builder.position, closing, start)
        span.language = language
        self.builder.append("".join(content))
        self.builder.close(span)
        self.index = cursor + len(closing)

    def read_marker(self, char: str) -> None:
        source, index = self.source, self.index
        if char in "_|" and source.startswith(char * 2, index):
            marker = char * 2
        elif char == "!" and source.startswith("![", index):
            marker = "!["
        else:
            marker = char
        if marker == "||" and self.ends_expandable_quote(index):
            self.index += 2
            return
        if marker in _TOGGLES:
            self.toggle(marker)
        elif marker in ("[", "!["):
            self.flush()
            kind = "text_link" if marker == "[" else "custom_emoji"
            self.stack.append(OpenSpan(kind, self.builder.position, marker, index))
            self.index += len(marker)
        elif marker == "]" and self.stack and self.stack[-1].marker in ("[", "!["):
            self.close_link()
        else:
            raise MarkupError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )

    def ends_expandable_quote(self, index: int) -> bool:
        at_line_end = index + 2 == len(self.source) or self.source[index + 2] == "\n"
        quote = self.quote
        top_is_spoiler = bool(self.stack) and self.stack[-1].marker == "||"
        if quote is None or quote.type != "expandable_blockquote" or top_is_spoiler:
            return False
        if at_line_end and not self.source.startswith(">", index + 3):
            self.close_quote()
            return True
        return False

    def toggle(self, marker: str) -> None:
        self.flush()
        if self.stack and self.stack[-1].marker == marker:
            self.builder.close(self.stack.pop())
        else:
            self.stack.append(OpenSpan(_TOGGLES[marker], self.builder.position, marker, self.index))
        self.index += len(marker)

    def close_link(self) -> None:
        source = self.source
        span = self.stack.pop()
        cursor = self.index + 1
        url_chars: list[str] = []
        if source.startswith("(", cursor):
            cursor += 1
            while not source.startswith(")", cursor):
                if cursor >= len(source):
                    raise MarkupError(
                        f"Can't find end of a URL at byte offset {self.error_at(self.index + 1)}"
                    )
                if source[cursor] == "\\" and cursor + 1 < len(source):
                    cursor += 1
                url_chars.append(source[cursor])
                cursor += 1
            cursor += 1
        url = "".join(url_chars)
        self.flush()
        if span.type == "custom_emoji":
            match = _CUSTOM_EMOJI_URL.fullmatch(url)
            if match is None:
                raise MarkupError("Custom emoji entity must contain a tg://emoji URL")
            span.custom_emoji_id = match.group(1)
            self.builder.close(span)
        elif url:
            span.url = url
            self.builder.close(span)
        self.index = cursor


def parse_markdown_v2(source: str) -> FormattedText:
    """Return plain text and entities for MarkdownV2 `source`, or raise MarkupError."""
    return _MarkdownV2Parser(source).parse()


_LEGACY = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(source: str) -> FormattedText:
    """Return plain text and entities for legacy Markdown `source`, or raise MarkupError."""
    builder = TextBuilder()
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and source[index + 1 : index + 2] in ("_", "*", "`", "["):
            builder.append(source[index + 1])
            index += 2
        elif source.startswith("```", index):
            index = _legacy_pre(source, index, builder)
        elif char in _LEGACY:
            end = source.find(char, index + 1)
            if end == -1:
                raise _legacy_unclosed(source, index)
            span = OpenSpan(_LEGACY[char], builder.position, char, index)
            builder.append(source[index + 1 : end])
            builder.close(span)
            index = end + 1
        elif char == "[":
            index = _legacy_link(source, index, builder)
        else:
            builder.append(char)
            index += 1
    return builder.build()


def _legacy_unclosed(source: str, index: int) -> MarkupError:
    return MarkupError(
        f"Can't find end of the entity starting at byte offset {byte_offset(source, index)}"
    )


def _legacy_pre(source: str, index: int, builder: TextBuilder) -> int:
    end = source.find("```", index + 3)
    if end == -1:
        raise _legacy_unclosed(source, index)
    body = source[index + 3 : end]
    span = OpenSpan("pre", builder.position, "```", index)
    header, newline, rest = body.partition("\n")
    if newline and header and not any(c.isspace() for c in header):
        span.language, body = header, rest
    builder.append(body)
    builder.close(span)
    return end + 3


def _legacy_link(source: str, index: int, builder: TextBuilder) -> int:
    end = source.find("]", index + 1)
    if end == -1:
        raise _legacy_unclosed(source, index)
    span = OpenSpan("text_link", builder.position, "[", index)
    builder.append(source[index + 1 : end])
    if source.startswith("(", end + 1):
        url_end = source.find(")", end + 2)
        if url_end == -1:
            raise _legacy_unclosed(source, index)
        span.url = source[end + 2 : url_end]
        if span.url:
            builder.close(span)
        return url_end + 1
    return end + 1
