"""Answers with a little formatting: bold titles and links, sent as Telegram HTML.

Content is written by hub staff and may contain anything, including `<`, `&` or a pasted
`<script>`; every piece of it is escaped, and the only markup is what this module adds.
An answer is kept as lines rather than one HTML string so that it can be split into
Telegram-sized parts between lines without ever cutting a tag or an entity in half.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from bot.text import LRM, TELEGRAM_TEXT_LIMIT, for_display, split_message, utf16_length


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an answer: its visible text, optionally bold or followed by a link."""

    text: str
    bold: bool = False
    url: str | None = None

    @property
    def plain(self) -> str:
        """Return the line as the resident reads it."""
        return self.text + (self.url or "")


def paragraph(text: str) -> list[Line]:
    """Return a block of plain text as lines."""
    return [Line(line) for line in text.split("\n")]


def plain_text(lines: Iterable[Line]) -> str:
    """Return what the resident reads, without markup (for logs and `hubbot ask`)."""
    return "\n".join(line.plain for line in lines)


def _linkable(url: str) -> bool:
    # Telegram rejects a message whose link it cannot parse, and a javascript: link in
    # content must never become clickable.
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _html(line: Line, *, rtl: bool) -> str:
    text = escape(for_display(line.text, rtl=rtl), quote=False)
    if line.bold and text:
        text = f"<b>{text}</b>"
    if line.url is None:
        return text
    shown = escape(line.url, quote=False)
    if _linkable(line.url):
        shown = f'<a href="{escape(line.url, quote=True)}">{shown}</a>'
    # A link is left-to-right inside right-to-left text; fence it like for_display does.
    return text + (f"{LRM}{shown}{LRM}" if rtl else shown)


def html_parts(lines: Sequence[Line], *, rtl: bool, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Render lines as Telegram HTML messages whose visible text stays within the limit.

    Parts break between lines; a single line longer than the limit (a pasted letter, say)
    is cut at sentence or word ends, never inside a tag or an entity.
    """
    parts: list[str] = []
    html: list[str] = []
    size = 0
    for line in _within_limit(lines, rtl=rtl, limit=limit):
        visible = _visible_length(line, rtl=rtl)
        if html and size + 1 + visible > limit:
            parts.append("\n".join(html).strip("\n"))
            html, size = [], 0
        size += visible + (1 if html else 0)
        html.append(_html(line, rtl=rtl))
    if html:
        parts.append("\n".join(html).strip("\n"))
    return [part for part in parts if part.strip()]


def _visible_length(line: Line, *, rtl: bool) -> int:
    """Count a line as Telegram will: with the direction marks added for RTL readers."""
    marks = 2 if rtl and line.url else 0
    return utf16_length(for_display(line.text, rtl=rtl)) + utf16_length(line.url or "") + marks


def _within_limit(lines: Sequence[Line], *, rtl: bool, limit: int) -> Iterable[Line]:
    for line in lines:
        if line.url is not None and utf16_length(line.url) > limit // 2:
            line = Line(line.text + line.url, bold=line.bold)  # not a link anyone could use
        room = limit
        pieces = [line.text]
        # Direction marks can lengthen a piece past the limit; cut smaller until they fit.
        while room > 1 and any(
            _visible_length(Line(p, url=line.url), rtl=rtl) > limit for p in pieces
        ):
            room -= max(1, room // 10)
            pieces = split_message(line.text, room) or [""]
        yield from (Line(piece, bold=line.bold) for piece in pieces[:-1])
        yield Line(pieces[-1], bold=line.bold, url=line.url)
