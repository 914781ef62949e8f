"""Outgoing text fits Telegram's limit and reads correctly right to left."""

from __future__ import annotations

import pytest
from bidi import get_display

from bot.keyboards import button
from bot.text import (
    RLM,
    TELEGRAM_TEXT_LIMIT,
    clean_incoming,
    for_display,
    split_message,
    utf16_length,
)


def test_short_text_is_one_message() -> None:
    assert split_message("Hallo!") == ["Hallo!"]


def test_long_text_is_split_on_sentence_ends_within_the_limit() -> None:
    sentence = "Das Jobcenter hat mir einen Brief geschickt, den ich nicht verstehe. "
    text = sentence * 150
    parts = split_message(text)
    assert len(parts) > 1
    assert all(utf16_length(part) <= TELEGRAM_TEXT_LIMIT for part in parts)
    assert all(part.endswith("verstehe.") for part in parts)
    assert " ".join(parts).split() == text.split()


def test_emoji_count_double_and_a_word_longer_than_the_limit_is_cut() -> None:
    text = "😀" * 3000 + " " + "x" * 5000
    parts = split_message(text)
    assert all(utf16_length(part) <= TELEGRAM_TEXT_LIMIT for part in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_arabic_full_stop_and_question_mark_are_sentence_ends() -> None:
    text = "هل يمكنني التسجيل في دورة اللغة؟ " * 400
    parts = split_message(text)
    assert all(part.endswith("؟") for part in parts)


def test_phone_numbers_and_commands_keep_their_order_right_to_left() -> None:
    line = "هاتف: +49 30 1234567"
    assert "1234567 30 49+" in get_display(line), "the problem this guards against"
    shown = get_display(for_display(line, rtl=True))
    assert "+49 30 1234567" in shown
    assert "/privacy" in get_display(for_display("اكتب /privacy لمعرفة المزيد", rtl=True))


def test_every_right_to_left_line_starts_with_a_mark() -> None:
    text = for_display("10:00 مرحبا\nhubbot يساعدك", rtl=True)
    assert all(line.startswith(RLM) for line in text.split("\n"))
    assert for_display("Hallo 10:00", rtl=False) == "Hallo 10:00"


def test_incoming_text_is_cleaned_of_invisible_marks() -> None:
    assert clean_incoming("  \u200bسلام\u200f ") == "سلام"


def test_callback_data_over_64_bytes_is_refused() -> None:
    assert button("ok", "hub:" + "b" * 60).callback_data
    with pytest.raises(ValueError):
        button("no", "hub:" + "ب" * 40)
