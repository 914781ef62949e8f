"""Language choice helpers."""

from __future__ import annotations

from bot.i18n import language_from_telegram, languages_for_picker


def test_telegram_codes_map_to_served_languages() -> None:
    assert language_from_telegram("de-AT") == "de"
    assert language_from_telegram("pt-br") is None
    assert language_from_telegram(None) is None


def test_picker_puts_the_own_language_first_and_dari_after_persian() -> None:
    assert [lang.code for lang in languages_for_picker("fa")][:2] == ["fa", "prs"]
    assert languages_for_picker("uk")[0].code == "uk"
    assert len(languages_for_picker("es")) == 9
