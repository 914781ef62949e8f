"""Strict parsing of Telegram's HTML and MarkdownV2 parse modes, with UTF-16 offsets."""

from __future__ import annotations

import pytest

from bot.sandbox.entities import Entity, MarkupError, utf16_len
from bot.sandbox.html_markup import parse_html
from bot.sandbox.markdown_markup import parse_markdown, parse_markdown_v2


def spans(entities: tuple[Entity, ...]) -> list[tuple[str, int, int]]:
    return [(e.type, e.offset, e.length) for e in entities]


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("مرحبا") == 5
    assert utf16_len("👩‍👩‍👧") == 8


def test_html_tags_become_entities_with_utf16_offsets() -> None:
    parsed = parse_html("😀 <b>fett <i>kursiv</i></b>\n<code>x&lt;y</code>")
    assert parsed.text == "😀 fett kursiv\nx<y"
    assert spans(parsed.entities) == [("bold", 3, 11), ("italic", 8, 6), ("code", 15, 3)]


def test_html_supports_every_telegram_tag() -> None:
    source = (
        "<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>"
        '<tg-spoiler>h</tg-spoiler><span class="tg-spoiler">i</span>'
        '<a href="https://x.org/?a=1&amp;b=2">j</a>'
        '<pre><code class="language-python">k</code></pre><blockquote>l</blockquote>'
        "<blockquote expandable>m</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    parsed = parse_html(source)
    assert parsed.text == "abcdefghijklm👍"
    assert [e.type for e in parsed.entities] == [
        "bold", "italic", "underline", "underline", "strikethrough", "strikethrough",
        "strikethrough", "spoiler", "spoiler", "text_link", "pre", "blockquote",
        "expandable_blockquote", "custom_emoji",
    ]  # fmt: skip
    link = parsed.entities[9]
    assert link.url == "https://x.org/?a=1&b=2"
    assert parsed.entities[10].language == "python"
    assert parsed.entities[13].custom_emoji_id == "5368324170671202286"


def test_html_entities_and_numeric_references() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#64;&#x1F600;").text == '<>&"@😀'
    assert parse_html("a > b").text == "a > b"


@pytest.mark.parametrize(
    "source",
    [
        "<b>never closed",
        "<b><i>crossed</b></i>",
        "</b>",
        "a < b",
        "<3",
        "fish & chips",
        "&nbsp;",
        "<br>",
        "<div>x</div>",
        '<span class="x">y</span>',
        "<tg-emoji>x</tg-emoji>",
        "<b",
        "&#0;",
    ],
)
def test_html_rejects_what_telegram_rejects(source: str) -> None:
    with pytest.raises(MarkupError):
        parse_html(source)


def test_html_error_reports_the_byte_offset() -> None:
    with pytest.raises(MarkupError, match="byte offset 6"):
        parse_html("äöü<x>")  # three two-byte letters come before the tag


def test_markdown_v2_entities_and_escapes() -> None:
    parsed = parse_markdown_v2(
        "*fett* _kursiv_ __unter__ ~weg~ ||geheim|| [link](https://x.org/a\\)b) `c\\`d` \\. 1\\+1"
    )
    assert parsed.text == "fett kursiv unter weg geheim link c`d . 1+1"
    assert spans(parsed.entities) == [
        ("bold", 0, 4),
        ("italic", 5, 6),
        ("underline", 12, 5),
        ("strikethrough", 18, 3),
        ("spoiler", 22, 6),
        ("text_link", 29, 4),
        ("code", 34, 3),
    ]
    assert parsed.entities[5].url == "https://x.org/a)b"


def test_markdown_v2_pre_and_blockquote() -> None:
    parsed = parse_markdown_v2("```python\nprint(1)\n```\n>zitat\n>zwei")
    assert parsed.text == "print(1)\n\nzitat\nzwei"
    assert spans(parsed.entities) == [("pre", 0, 9), ("blockquote", 10, 10)]
    assert parsed.entities[0].language == "python"


@pytest.mark.parametrize("source", ["Ende.", "*offen", "a-b", "`code", "[x](y", "(x)"])
def test_markdown_v2_rejects_unescaped_and_unclosed(source: str) -> None:
    with pytest.raises(MarkupError):
        parse_markdown_v2(source)


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*b* _i_ `c` [l](https://x.org) 1.5-2")
    assert parsed.text == "b i c l 1.5-2"
    assert [e.type for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(MarkupError):
        parse_markdown("*open")
