"""Russian and Ukrainian typed in Latin letters, read back in Cyrillic."""

from __future__ import annotations

import pytest

from bot.services.transliteration import is_latin_typed, reads_as_transliterated, to_cyrillic


@pytest.mark.parametrize(
    ("latin", "language", "cyrillic"),
    [
        (
            "ya pratsyuvala v budynku dlya litnikh lyudey u Dnipri",
            "uk",
            "я працювала в будинку для літніх людей у Дніпрі",
        ),
        (
            "na zavodi nashym maystram vse peredavala",
            "uk",
            "на заводі нашим майстрам все передавала",
        ),
        ("kav'yarnya na Podoli", "uk", "кав'ярня на Подолі"),
        ("rabotal povarom v kafe, shchi i borshch", "ru", "работал поваром в кафе, щи и борщ"),
        ("eto moya rabota, ya elektrik", "ru", "это моя работа, я электрик"),
        ("chinil velosipedy s 2015 goda", "ru", "чинил велосипеды с 2015 года"),
    ],
)
def test_informal_latin_spellings_become_the_words_people_meant(
    latin: str, language: str, cyrillic: str
) -> None:
    assert to_cyrillic(latin, language) == cyrillic


@pytest.mark.parametrize(
    "text",
    [
        "ya z babuseyu lipyla varenyky na prodazh u Poltavi",
        "v Kazahstane 20 let na elevatore i na polyah",
        "prodayu na ebay i kleinanzeigen veshi, kotorye skupayu na flohmarkte",
    ],
)
def test_transliterated_russian_and_ukrainian_are_recognised(text: str) -> None:
    assert reads_as_transliterated(text)


@pytest.mark.parametrize(
    "text",
    [
        "I was a nurse in Kyiv for ten years",
        "Ich war in Odessa Koch in einem Restaurant",
        "J'ai travaillé dans une boulangerie à Lviv",
        "Bloktaki gençler okulda ya da evde sorun olunca bana gelir",
        "Photoshop, Illustrator",
    ],
)
def test_latin_script_languages_are_left_as_they_are(text: str) -> None:
    assert not reads_as_transliterated(text)


def test_only_latin_text_in_a_cyrillic_language_is_transliterated() -> None:
    assert is_latin_typed("ya kukhar", "uk")
    assert not is_latin_typed("я кухар", "uk")
    assert not is_latin_typed("ya kukhar", "tr")
    assert not is_latin_typed("2015", "ru")


def test_german_names_with_umlauts_leave_a_text_latin_typed_and_stay_as_written() -> None:
    text = "vedu rozmovnyj klub v Neukölln"
    assert is_latin_typed(text, "uk")
    assert to_cyrillic(text, "uk") == "веду розмовний клуб в Neukölln"
