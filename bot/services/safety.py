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

# The parser `re` itself uses, to read which letters a pattern needs (no public API does).
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any

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


def script_of(char: str) -> str | None:
    """Return the script of a letter (LATIN, CYRILLIC, ARABIC, ...), None for anything else."""
    if not char.isalpha():
        return None
    return unicodedata.name(char, "").partition(" ")[0] or None


def required_scripts(pattern: str) -> frozenset[str]:
    """Return the scripts of which every match of `pattern` must contain a letter.

    Worked out from the parsed pattern, never guessed: a letter counts when it must be matched
    (not inside an optional part, a lookaround or only some branches); empty when unsure.
    """
    try:
        parsed = _sre_parser.parse(pattern)
    except Exception:  # noqa: BLE001 - a private module: when it changes, search everything
        return frozenset()
    return _required(parsed)


def _required(items: Any) -> frozenset[str]:
    found: set[str] = set()
    for op, argument in items:
        name = str(op)
        if name == "LITERAL":
            script = script_of(chr(argument))
            found |= {script} if script else set()
        elif name == "IN":
            found |= _class_script(argument)
        elif name == "BRANCH":
            branches = [_required(branch) for branch in argument[1]]
            found |= frozenset.intersection(*branches) if branches else set()
        elif name == "SUBPATTERN":
            found |= _required(argument[-1])
        elif name == "ATOMIC_GROUP":
            found |= _required(argument)
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"} and argument[0] >= 1:
            found |= _required(argument[2])
    return frozenset(found)


def _class_script(members: Any) -> set[str]:
    # [يیى] needs an Arabic letter; [a-z0-9], [^x] or \w need nothing in particular.
    scripts: set[str | None] = set()
    for op, argument in members:
        name = str(op)
        if name == "LITERAL":
            scripts.add(script_of(chr(argument)))
        elif name == "RANGE":
            scripts |= {script_of(chr(argument[0])), script_of(chr(argument[1]))}
        else:
            return set()
    return {script for script in scripts if script} if len(scripts) == 1 else set()


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    """Crisis patterns per category and the crisis reply per language."""

    # Per category, one alternation per script its patterns need a letter of (None: patterns
    # that can match without one, like "112"), searched only in messages with letters of that
    # script: an Arabic message skips the Latin and Cyrillic patterns. One alternation per
    # category rather than 365 patterns one by one: that was 4% of the bot's CPU; skipping the
    # scripts absent from a message takes an Arabic one from 0.94 to 0.12 ms, a German one from
    # 1.66 to 0.70 ms.
    patterns: dict[str, dict[str | None, re.Pattern[str]]]
    replies: dict[str, str]

    @classmethod
    def load(cls, content_dir: Path) -> SafetyCheck:
        """Read and compile `safety.yml`."""
        data = yaml.safe_load((content_dir / "safety.yml").read_text(encoding="utf-8"))
        patterns: dict[str, dict[str | None, re.Pattern[str]]] = {}
        for category, spec in data["categories"].items():
            by_script: dict[str | None, list[str]] = {}
            for language_patterns in spec["patterns"].values():
                for pattern in language_patterns:
                    scripts = required_scripts(pattern)
                    key = min(scripts) if scripts else None
                    by_script.setdefault(key, []).append(f"(?:{pattern})")
            # No re.IGNORECASE: the text is lowercased first and the patterns are written in
            # lower case (a test checks); case folding on every character cost a quarter of
            # the search time.
            patterns[category] = {
                script: re.compile("|".join(alternatives))
                for script, alternatives in by_script.items()
            }
        replies = {language: str(text).strip() for language, text in data["replies"].items()}
        return cls(patterns, replies)

    def crisis_in(self, text: str) -> str | None:
        """Return the crisis category a message signals (medical, violence, suicidal), if any."""
        normalised = normalise_for_safety(text)
        present: set[str | None] = {script_of(char) for char in set(normalised)}
        present.add(None)
        for category, by_script in self.patterns.items():
            for script, pattern in by_script.items():
                if script in present and pattern.search(normalised):
                    return category
        return None

    def reply(self, language: str) -> str:
        """Return the crisis reply in a language."""
        return self.replies.get(language) or self.replies[FALLBACK_LANGUAGE]
