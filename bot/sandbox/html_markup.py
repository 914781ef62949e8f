"""Parse Telegram's HTML parse_mode strictly, the way the Bot API validates it."""

from __future__ import annotations

import re

from .entities import FormattedText, MarkupError, OpenSpan, TextBuilder, byte_offset

# Tag name -> entity type; tags needing attributes are resolved in `_open_span`.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ATTRIBUTE_TAGS = {"a", "span", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(
    r"""\s*([a-zA-Z_][a-zA-Z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_ENTITY = re.compile(r"&(?:([a-zA-Z]+)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")


def parse_html(source: str) -> FormattedText:
    """Return plain text and entities for `source`, or raise MarkupError like Telegram."""
    builder = TextBuilder()
    stack: list[OpenSpan] = []
    index = 0
    plain_start = 0
    while index < len(source):
        char = source[index]
        if char not in "<&":
            index += 1
            continue
        builder.append(source[plain_start:index])
        if char == "&":
            decoded, index = _read_entity(source, index)
            builder.append(decoded)
        elif source.startswith("</", index):
            index = _close_tag(source, index, stack, builder)
        else:
            span, index = _read_start_tag(source, index, builder.position)
            stack.append(span)
        plain_start = index
    builder.append(source[plain_start:])
    if stack:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{stack[-1].marker}"')
    return builder.build()


def _read_entity(source: str, index: int) -> tuple[str, int]:
    match = _ENTITY.match(source, index)
    if match is None:
        raise MarkupError(
            f"Unsupported HTML entity at byte offset {byte_offset(source, index)}: "
            "escape '&' as &amp;"
        )
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise MarkupError(
                f'Unsupported HTML entity "&{name};" at byte offset {byte_offset(source, index)}'
            )
        return _NAMED_ENTITIES[name], match.end()
    code_point = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        raise MarkupError(
            f"Invalid character reference at byte offset {byte_offset(source, index)}"
        )
    return chr(code_point), match.end()


def _decode_attribute(value: str) -> str:
    """Resolve character references inside an attribute value."""
    parts: list[str] = []
    index = 0
    while (amp := value.find("&", index)) != -1:
        parts.append(value[index:amp])
        decoded, index = _read_entity(value, amp)
        parts.append(decoded)
    parts.append(value[index:])
    return "".join(parts)


def _read_start_tag(source: str, index: int, position: int) -> tuple[OpenSpan, int]:
    offset = byte_offset(source, index)
    name_match = _TAG_NAME.match(source, index + 1)
    if name_match is None:
        raise MarkupError(f"Unsupported start tag \"\" at byte offset {offset}: escape '<' as &lt;")
    name = name_match.group(0).lower()
    attributes: dict[str, str] = {}
    cursor = name_match.end()
    while True:
        while cursor < len(source) and source[cursor].isspace():
            cursor += 1
        if cursor >= len(source):
            raise MarkupError(f"Unclosed start tag at byte offset {offset}")
        if source[cursor] == ">":
            cursor += 1
            break
        attribute = _ATTRIBUTE.match(source, cursor)
        if attribute is None or attribute.end() == cursor:
            raise MarkupError(f"Unclosed start tag at byte offset {offset}")
        raw_value = next((v for v in attribute.groups()[1:] if v is not None), "")
        attributes[attribute.group(1).lower()] = _decode_attribute(raw_value)
        cursor = attribute.end()
    span = _open_span(name, attributes, position, offset)
    span.source_index = index
    return span, cursor


def _open_span(name: str, attributes: dict[str, str], position: int, offset: int) -> OpenSpan:
    if name in _SIMPLE_TAGS:
        span = OpenSpan(_SIMPLE_TAGS[name], position, name, 0)
        if name == "code" and attributes.get("class", "").startswith("language-"):
            span.language = attributes["class"].removeprefix("language-")
        return span
    if name not in _ATTRIBUTE_TAGS:
        raise MarkupError(f'Unsupported start tag "{name}" at byte offset {offset}')
    if name == "a":
        # An <a> without href is accepted by Telegram and simply formats nothing.
        url = attributes.get("href")
        return OpenSpan("text_link" if url else "", position, name, 0, url=url or None)
    if name == "span":
        if attributes.get("class") != "tg-spoiler":
            raise MarkupError('Tag "span" must have class "tg-spoiler"')
        return OpenSpan("spoiler", position, name, 0)
    if name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attributes else "blockquote"
        return OpenSpan(kind, position, name, 0)
    emoji_id = attributes.get("emoji-id")
    if not emoji_id:
        raise MarkupError('Tag "tg-emoji" must have attribute "emoji-id"')
    return OpenSpan("custom_emoji", position, name, 0, custom_emoji_id=emoji_id)


def _close_tag(source: str, index: int, stack: list[OpenSpan], builder: TextBuilder) -> int:
    offset = byte_offset(source, index)
    match = _END_TAG.match(source, index)
    if match is None:
        raise MarkupError(f"Unclosed end tag at byte offset {offset}")
    name = match.group(1).lower()
    if not stack:
        raise MarkupError(f'Unexpected end tag "{name}" at byte offset {offset}')
    span = stack.pop()
    if span.marker != name:
        raise MarkupError(
            f'Unmatched end tag at byte offset {offset}, expected "</{span.marker}>", '
            f'found "</{name}>"'
        )
    parent = stack[-1] if stack else None
    if span.type == "code" and parent is not None and parent.type == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, as in Telegram.
        parent.language = parent.language or span.language
    elif span.type:
        span.language = None if span.type == "code" else span.language
        builder.close(span)
    return match.end()
