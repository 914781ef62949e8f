"""Normalise residents' text for matching: case, diacritics, letter variants, invisibles."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.text import clean_incoming

# Arabic and Persian keyboards type the same letters differently; people mix them.
_LETTER_VARIANTS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "\u0640": None,  # tatweel
        "\u200c": " ",  # zero-width non-joiner: "می‌خوام" and "میخوام" should meet
    }
)
_HARAKAT = re.compile(r"[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")


def _strip_latin_marks(text: str) -> str:
    return "".join(map(_without_latin_marks, text))


# Per character, remembered: looking each one's name up took a tenth of reading a long story's
# words (0.2 ms a call). Bounded, as a message may hold any of a million code points.
@lru_cache(maxsize=4096)
def _without_latin_marks(char: str) -> str:
    # Only Latin letters lose their accents: Cyrillic й and ё must stay what they are.
    if "LATIN" not in unicodedata.name(char, ""):
        return char
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def normalise_for_matching(text: str) -> str:
    """Return a lowercase, mark-free, variant-free form of a message for comparisons."""
    text = clean_incoming(text.replace("\u200c", " ")).lower()
    text = _strip_latin_marks(text).replace("\u0307", "").replace("ı", "i").replace("ß", "ss")
    text = _HARAKAT.sub("", text.translate(_LETTER_VARIANTS))
    return _SPACES.sub(" ", text).strip()
