"""Make outgoing text safe for Telegram: length limits and right-to-left display."""

from __future__ import annotations

import re
import unicodedata

TELEGRAM_TEXT_LIMIT = 4096

RLM = "\u200f"
LRM = "\u200e"

_SENTENCE_END = re.compile(r"(?<=[.!?؟۔。…])\s+|(?<=\n)")
# A left-to-right stretch inside right-to-left text: a phone number, a time range, an address,
# a /command. Spaces and punctuation inside it would otherwise reorder its parts.
_LTR_RUN = re.compile(r"[+/@#(]?[0-9A-Za-zÀ-ɏ](?:[0-9A-Za-zÀ-ɏ .,:/@+\-–_()]*[0-9A-Za-zÀ-ɏ)])?")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def utf16_length(text: str) -> int:
    """Count text the way Telegram does: in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split text into Telegram-sized parts, at sentence ends where possible."""
    if utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and utf16_length(current + piece) > limit:
            parts.append(current.rstrip())
            current = piece.lstrip()
        else:
            current += piece
    if current.strip():
        parts.append(current.rstrip())
    return [part for part in parts if part]


def _pieces(text: str, limit: int) -> list[str]:
    """Cut text into sentences, then words, then characters, each within the limit."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    small: list[str] = []
    for piece in pieces:
        if utf16_length(piece) <= limit:
            small.append(piece)
            continue
        for word in re.split(r"(?<=\s)", piece):
            small.extend(_hard_cut(word, limit))
    return [piece for piece in small if piece]


def _hard_cut(word: str, limit: int) -> list[str]:
    """Cut an over-long word at the limit without splitting a surrogate pair."""
    chunks: list[str] = []
    current = ""
    for char in word:
        if utf16_length(current + char) > limit:
            chunks.append(current)
            current = ""
        current += char
    chunks.append(current)
    return chunks


def for_display(text: str, *, rtl: bool) -> str:
    """Prepare text for a right-to-left reader; left-to-right text is returned as is.

    Each line starts with a right-to-left mark so that a line beginning with a number or a
    Latin word still reads from the right, and every Latin or numeric stretch is fenced with
    left-to-right marks. Marks rather than isolates because old Android phones still in use
    do not implement isolates.
    """
    if not rtl:
        return text
    lines = []
    for line in text.split("\n"):
        fenced = _LTR_RUN.sub(lambda match: f"{LRM}{match.group(0)}{LRM}", line)
        lines.append(f"{RLM}{fenced}" if line else line)
    return "\n".join(lines)


def clean_incoming(text: str) -> str:
    """Normalise a resident's text for understanding: NFC, no invisible marks, trimmed.

    The stored text is the original; this form is only for matching.
    """
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).strip()
