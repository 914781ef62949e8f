"""Russian and Ukrainian typed in Latin letters, read back into Cyrillic.

Many residents from Ukraine and Russia write on a phone without a Cyrillic keyboard:
"pratsyuvala v Kyievi v startapi". The word lists and the embedding model both know the
Cyrillic words, not these spellings, so a description in Latin letters from a resident who
reads Russian or Ukrainian is matched in both spellings (`matching.ProgrammeMatcher`).

The rules follow the informal romanisations people actually type (zh, kh, ts, ch, sh, shch,
ya/ja, yu/ju, ye, yi, and ' for the soft sign), which differ per language where the letters do:
Ukrainian h is г and i is і, Russian h is х and i is и. The packages on PyPI
(`transliterate`, `cyrtranslit`) implement strict standards and turn the most common informal
digraphs into letter salad ("pratsyuvala" -> "прациувала", "shchi" -> "сгцгі"), so the table
is written out here.
"""

from __future__ import annotations

import re

_VOWELS = set("аеиоуыэюяіїєё")
_COMMON = {
    "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш",
    "ya": "я", "ja": "я", "yu": "ю", "ju": "ю", "a": "а", "b": "б", "v": "в", "w": "в",
    "g": "г", "d": "д", "e": "е", "z": "з", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "c": "ц", "x": "кс", "q": "к",
    "j": "й", "'": "ь",
}  # fmt: skip
_BY_LANGUAGE = {
    "uk": {**_COMMON, "ye": "є", "je": "є", "yi": "ї", "ji": "ї", "yo": "йо", "jo": "йо",
           "h": "г", "i": "і", "y": "и"},
    "ru": {**_COMMON, "ye": "е", "je": "е", "yo": "ё", "jo": "ё", "h": "х", "i": "и",
           "y": "ы"},
}  # fmt: skip
# Words that Russian and Ukrainian typed in Latin letters use all the time, and those of the
# Latin-script languages hubbot serves; a text reads as transliterated when it has at least
# two of the first kind and more of them than of the second. Turkish "ya da", "ne" alone do
# not reach two. Checked on every Latin-letter description in eval/ (none misread).
_TRANSLITERATED_WORDS = frozenset(
    "v na s z u ya ja ne ni iz po do za dlya dla eto chto shcho scho sho kak yak vse use tak "
    "ale no ili abo bylo bulo bula buv byl byla byli buly mene menya nas nam moya moy moi moyi "
    "moyu svoi svoyu svoyi teper seychas sejchas zaraz tozhe takozh ochen duzhe kogda koly gde "
    "tam tut zdes rokiv let goda godu rik roku sebe tebe vy ty ona vin vona oni vony potom "
    "potim esli yakshcho cherez bez pri pid pod nad mizh mezhdu kotorye yaki".split()
)
_LATIN_SCRIPT_WORDS = frozenset(
    "the and of to in for with at from was were my our is have had me it on by as an a "
    "ich und der die das mit bei war habe bin ein eine einen meine mein auf als auch ist wir "
    "je et le la les des du dans pour avec au aux une est mon ma mes "
    "ve bir ben bu için icin çok cok ile olarak benim".split()
)
_WORD = re.compile(r"[^\W\d_]+")
_LONGEST = max(len(key) for table in _BY_LANGUAGE.values() for key in table)
# Letters with accents are Latin too: a Ukrainian typing in Latin letters still writes the
# German names around them as they are ("klub v Neukölln", "na Müllerstraße").
_LATIN = "A-Za-z\u00c0-\u024f"
_LATIN_WORD = re.compile(rf"[{_LATIN}][{_LATIN}']*")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_OTHER_LETTER = re.compile(rf"[^\W\d_{_LATIN}]")
LANGUAGES = frozenset(_BY_LANGUAGE)


def is_latin_typed(text: str, language: str | None) -> bool:
    """Tell whether a text in a Cyrillic-script language is written in Latin letters only."""
    return (
        language in _BY_LANGUAGE
        and _LATIN_LETTER.search(text) is not None
        and _OTHER_LETTER.search(text) is None
    )


def reads_as_transliterated(text: str) -> bool:
    """Tell whether a Latin-letter text is Russian or Ukrainian rather than en/de/fr/tr."""
    words = _WORD.findall(text.lower())
    ours = sum(word in _TRANSLITERATED_WORDS for word in words)
    theirs = sum(word in _LATIN_SCRIPT_WORDS for word in words)
    return ours >= 2 and ours > theirs


def to_cyrillic(text: str, language: str) -> str:
    """Return the text with its Latin words written in the Cyrillic of `language`."""
    table = _BY_LANGUAGE[language]

    def spelled(match: re.Match[str]) -> str:
        word = match.group()
        # A word with an accent is a German or French name, not Ukrainian in Latin letters.
        return _word(word, table, language) if word.isascii() else word

    return _LATIN_WORD.sub(spelled, text)


def _word(word: str, table: dict[str, str], language: str) -> str:
    out: list[str] = []
    lower = word.lower()
    position = 0
    while position < len(lower):
        for size in range(min(_LONGEST, len(lower) - position), 0, -1):
            chunk = lower[position : position + size]
            if chunk in table:
                break
        else:
            out.append(word[position])
            position += 1
            continue
        letters = table[chunk]
        previous = out[-1].lower() if out else ""
        if chunk == "y" and previous in _VOWELS:
            letters = "й"  # "maystram", "moy": y after a vowel is the short i
        elif chunk == "e" and not out and language == "ru":
            letters = "э"  # "eto", "elektrik": a Russian word starting with e is mostly э
        elif (
            chunk == "'"
            and language == "uk"
            and lower[position + 1 : position + 2]
            in (
                "y",
                "j",
            )
        ):
            letters = "'"  # "kav'yarnya": the Ukrainian apostrophe, not a soft sign
        if word[position].isupper():
            letters = letters[0].upper() + letters[1:]
        out.append(letters)
        position += size
    return "".join(out)
