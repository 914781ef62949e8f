"""Recognise a crisis in any served language, so that emergency numbers come first.

The patterns and the reply are data (`content/safety.yml`), written and tested per language
(tests/bot/test_safety_patterns.py); every language's patterns are tried on every message,
because people in distress mix languages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

# Arabic-script vowel marks and the decorative tatweel; hamza, madda and letters stay.
_HARAKAT = re.compile("[\u064b-\u0652\u0670\u0640]")
_SPACES = re.compile(r"\s+")
FALLBACK_LANGUAGE = "en"


def normalise_for_safety(text: str) -> str:
    """Return the form of a message that the crisis patterns are matched against.

    Lowercase; accents dropped from Latin letters only (é→e, ö→o, ş→s; ı and ß stay), so
    Cyrillic й, ё, ї keep their marks; Arabic-script harakat and tatweel removed; runs of
    whitespace collapsed. Arabic/Persian letter variants are left as typed: the patterns
    accept both.
    """
    text = unicodedata.normalize("NFC", text).lower()
    out: list[str] = []
    after_latin = False
    for char in text:
        if unicodedata.combining(char):
            # A stray combining mark after a Latin letter (e.g. the dot of "İ".lower()).
            if not after_latin:
                out.append(char)
            continue
        if "LATIN" in unicodedata.name(char, ""):
            decomposed = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
            after_latin = True
        else:
            out.append(char)
            after_latin = False
    text = _HARAKAT.sub("", unicodedata.normalize("NFC", "".join(out)))
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    """Crisis patterns per category and the crisis reply per language."""

    # One alternation per category: searching 365 patterns one by one was 4% of the bot's CPU.
    patterns: dict[str, re.Pattern[str]]
    replies: dict[str, str]

    @classmethod
    def load(cls, content_dir: Path) -> SafetyCheck:
        """Read and compile `safety.yml`."""
        data = yaml.safe_load((content_dir / "safety.yml").read_text(encoding="utf-8"))
        patterns = {
            category: re.compile(
                "|".join(
                    f"(?:{pattern})"
                    for language_patterns in spec["patterns"].values()
                    for pattern in language_patterns
                ),
                # No re.IGNORECASE: the text is lowercased first and the patterns are written in
                # lower case (a test checks); case folding on every character cost a quarter of
                # the search time.
            )
            for category, spec in data["categories"].items()
        }
        replies = {language: str(text).strip() for language, text in data["replies"].items()}
        return cls(patterns, replies)

    def crisis_in(self, text: str) -> str | None:
        """Return the crisis category a message signals (medical, violence, suicidal), if any."""
        normalised = normalise_for_safety(text)
        for category, pattern in self.patterns.items():
            if pattern.search(normalised):
                return category
        return None

    def reply(self, language: str) -> str:
        """Return the crisis reply in a language."""
        return self.replies.get(language) or self.replies[FALLBACK_LANGUAGE]
