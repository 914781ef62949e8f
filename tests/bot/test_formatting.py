"""Answers go out as Telegram HTML: content escaped, titles bold, split between lines."""

from __future__ import annotations

from html.parser import HTMLParser

from bot.formatting import Line, html_parts, paragraph, plain_text
from bot.sandbox.markup import format_text
from bot.text import TELEGRAM_TEXT_LIMIT, utf16_length


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag


def test_content_markup_is_shown_as_text_and_only_titles_are_bold() -> None:
    lines = [Line("▪ Mieterberatung <Kreuzberg>", bold=True), *paragraph("<script>x</script> & Co")]

    [part] = html_parts(lines, rtl=False)
    parsed = format_text(part, "HTML")

    assert parsed.text == plain_text(lines)
    assert "<script>x</script> & Co" in parsed.text
    assert [entity.type for entity in parsed.entities] == ["bold"]


def test_only_web_links_become_clickable() -> None:
    web = html_parts([Line("🔗 ", url="https://hub.example.org/?a=1&b=2")], rtl=False)[0]
    script = html_parts([Line("🔗 ", url="javascript:alert(1)")], rtl=False)[0]

    assert '<a href="https://hub.example.org/?a=1&amp;b=2">' in web
    assert "<a" not in script and "javascript:alert(1)" in format_text(script, "HTML").text


def test_a_long_answer_is_split_into_valid_parts_within_the_limit_without_losing_text() -> None:
    letter = "Sehr geehrte Damen und Herren, reichen Sie <Unterlagen> ein & warten Sie. " * 120
    lines = [
        Line("▪ Brief vom Amt", bold=True),
        *paragraph(letter),
        Line("🔗 ", url="https://a.de"),
    ]

    parts = html_parts(lines, rtl=False)

    assert len(parts) >= 3
    texts = []
    for part in parts:
        checker = _Balance()
        checker.feed(part)
        assert checker.open == []
        parsed = format_text(part, "HTML")
        assert utf16_length(parsed.text) <= TELEGRAM_TEXT_LIMIT
        texts.append(parsed.text)
    assert "".join(texts).replace(" ", "").replace("\n", "") == (
        plain_text(lines).replace(" ", "").replace("\n", "")
    )


def test_right_to_left_parts_stay_within_the_limit_with_their_direction_marks() -> None:
    body = "للتسجيل اتصل على 030 1234567 من 9:00 الى 17:00 في Jobcenter Mitte. " * 150

    parts = html_parts(paragraph(body), rtl=True)

    assert len(parts) >= 2
    assert all(utf16_length(format_text(p, "HTML").text) <= TELEGRAM_TEXT_LIMIT for p in parts)
