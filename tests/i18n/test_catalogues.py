"""Every language's catalogue is complete, current and keeps the placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, Catalogue

LOCALES = Path(__file__).resolve().parents[2] / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
COMMAND = re.compile(r"/[a-z]+")


def _template_ids() -> set[str]:
    with (LOCALES / "messages.pot").open("rb") as pot:
        return {message.id for message in read_po(pot) if message.id}


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_catalogue_translates_every_message(code: str) -> None:
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    template = _template_ids()
    translated = {message.id: message for message in catalog if message.id}
    missing = sorted(template - translated.keys())
    assert not missing, f"{code}: untranslated: {missing}"
    for msgid in template:
        message = translated[msgid]
        # A plural has a tuple of ids and one form per the language's plural rule.
        sources = msgid if isinstance(msgid, tuple) else (msgid,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert forms and all(forms), f"{code}: empty translation for {msgid!r}"
        assert not message.fuzzy, f"{code}: fuzzy translation for {msgid!r}"
        expected = set(PLACEHOLDER.findall(sources[-1]))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == expected, (
                f"{code}: placeholders differ in {form!r}"
            )
            assert set(COMMAND.findall(form)) == set(COMMAND.findall(sources[-1])), (
                f"{code}: /commands must stay untranslated in {form!r}"
            )


def test_translations_are_used_at_run_time() -> None:
    catalogue = Catalogue.load(LOCALES)
    english = catalogue.translator("en").gettext("Please choose your language:")
    for language in LANGUAGES:
        if language.code == "en":
            continue
        assert (
            catalogue.translator(language.code).gettext("Please choose your language:") != english
        )


def test_dari_is_its_own_catalogue() -> None:
    with (LOCALES / "messages.pot").open("rb") as pot:
        ids = [message.id for message in read_po(pot) if message.id]
    catalogue = Catalogue.load(LOCALES)
    persian = catalogue.translator("fa")
    dari = catalogue.translator("prs")
    differing = [msgid for msgid in ids if persian.gettext(msgid) != dari.gettext(msgid)]
    assert differing, "Dari must not be a copy of Persian"


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_catalogue_declares_its_plural_rule(code: str) -> None:
    header = (LOCALES / code / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")[:1500]
    assert '"Plural-Forms: nplurals=' in header
    assert f'"Language: {code}\\n"' in header
