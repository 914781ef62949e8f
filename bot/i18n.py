"""Languages hubbot speaks and the gettext catalogue behind every user-facing string.

Catalogues are read from `locales/<code>/LC_MESSAGES/messages.po` when the application is
built, so a translator's edit needs no compile step. Dari (`prs`) is its own catalogue: its
wording differs from Iranian Persian, and Babel has no `prs` locale, so dates and plurals
use `fa_AF` for it.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"


@dataclass(frozen=True, slots=True)
class Language:
    """A language residents can choose."""

    code: str
    native_name: str
    rtl: bool
    babel_locale: str
    # The two-letter code Telegram clients report and setMyCommands accepts, if any.
    telegram_code: str | None


LANGUAGES: tuple[Language, ...] = (
    Language("de", "Deutsch", False, "de_DE", "de"),
    Language("en", "English", False, "en_GB", "en"),
    Language("ar", "العربية", True, "ar", "ar"),
    Language("fa", "فارسی", True, "fa_IR", "fa"),
    Language("prs", "دری", True, "fa_AF", None),
    Language("uk", "Українська", False, "uk_UA", "uk"),
    Language("ru", "Русский", False, "ru_RU", "ru"),
    Language("tr", "Türkçe", False, "tr_TR", "tr"),
    Language("fr", "Français", False, "fr_FR", "fr"),
)
LANGUAGE_BY_CODE = {language.code: language for language in LANGUAGES}
FALLBACK_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def native_name(code: str) -> str:
    """Return a language's own name ("Русский"), or the code for one hubbot does not serve."""
    entry = LANGUAGE_BY_CODE.get(code)
    return entry.native_name if entry is not None else code


def is_rtl(language: str) -> bool:
    """Tell whether a language is written right to left."""
    entry = LANGUAGE_BY_CODE.get(language)
    return entry is not None and entry.rtl


def babel_locale(language: str) -> str:
    """Return the Babel locale for dates and numbers in a language (Dari: fa_AF)."""
    entry = LANGUAGE_BY_CODE.get(language)
    return entry.babel_locale if entry is not None else "en_GB"


def language_from_telegram(language_code: str | None) -> str | None:
    """Map Telegram's IETF `language_code` ("de-AT", "fa") to a language we serve."""
    if not language_code:
        return None
    primary = language_code.replace("_", "-").split("-")[0].lower()
    if primary in LANGUAGE_BY_CODE:
        return primary
    return None


def languages_for_picker(language_code: str | None) -> list[Language]:
    """Order the picker so the resident's own language comes first.

    Telegram has no Dari interface, so people from Afghanistan usually report "fa": Dari is
    then shown right after Persian.
    """
    guessed = language_from_telegram(language_code)
    if guessed is None:
        return list(LANGUAGES)
    first = [LANGUAGE_BY_CODE[guessed]]
    if guessed == "fa":
        first.append(LANGUAGE_BY_CODE["prs"])
    return first + [language for language in LANGUAGES if language not in first]


class Translator:
    """gettext for one language."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def gettext(self, message: str) -> str:
        """Translate a message."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message whose form depends on a count."""
        return self._translations.ngettext(singular, plural, n)

    @property
    def rtl(self) -> bool:
        """Tell whether this language is written right to left."""
        return is_rtl(self.language)


class Catalogue:
    """All translations, loaded once per process."""

    def __init__(self, translations: dict[str, gettext.NullTranslations]) -> None:
        self._translations = translations

    @classmethod
    def load(cls, locales_dir: Path, languages: Iterable[str] | None = None) -> Catalogue:
        """Read every language's `.po` file; a missing one falls back to the English source."""
        loaded: dict[str, gettext.NullTranslations] = {}
        for code in languages or LANGUAGE_BY_CODE:
            po_path = locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"
            if not po_path.exists():
                loaded[code] = gettext.NullTranslations()
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=None, domain=DOMAIN)
            buffer = io.BytesIO()
            # Fuzzy entries are a translator's unchecked guesses: fall back to English.
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            loaded[code] = gettext.GNUTranslations(buffer)
        return cls(loaded)

    def translator(self, language: str | None) -> Translator:
        """Return the translator for a language, English when it is unknown."""
        code = language if language in self._translations else FALLBACK_LANGUAGE
        assert code is not None
        return Translator(code, self._translations.get(code, gettext.NullTranslations()))
