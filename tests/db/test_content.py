"""The demo content covers every intent, in every language, for both hubs."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from db.content import read_intent_files, read_term_explanations, read_terms
from db.content_schema import ANSWER_PLACEHOLDERS, CONTENT_LANGUAGES, INTENTS

CONTENT = PROJECT_ROOT / "content"
SERVICE_INTENTS = {
    "housing", "language_course", "job_support", "qualification_recognition", "legal_advice",
    "health", "childcare_school", "documents_help", "money_benefits",
}  # fmt: skip


def _nlu_intents() -> set[str]:
    intents: set[str] = set()
    for path in Path(PROJECT_ROOT / "nlu_data" / "data").glob("*/nlu.yml"):
        intents |= {block["intent"] for block in yaml.safe_load(path.read_text("utf-8"))["nlu"]}
    return intents


def test_every_intent_has_an_answer_in_all_nine_languages() -> None:
    files = {file.intent: file for file in read_intent_files(CONTENT)}
    assert set(files) == set(INTENTS) == _nlu_intents()
    for file in files.values():
        assert set(file.answer) == set(CONTENT_LANGUAGES)


def test_service_intents_have_services_at_both_hubs() -> None:
    files = {file.intent: file for file in read_intent_files(CONTENT)}
    for intent in SERVICE_INTENTS:
        assert {service.hub for service in files[intent].services} == {"berlin", "stuttgart"}


def test_answers_use_only_known_placeholders_and_health_names_112() -> None:
    for file in read_intent_files(CONTENT):
        for language, text in file.answer.items():
            for placeholder in ANSWER_PLACEHOLDERS:
                text = text.replace(placeholder, "")
            assert "{" not in text and "}" not in text, (file.intent, language)
            if file.intent == "health":
                assert "112" in text, language


def test_every_office_word_is_explained_in_all_nine_languages() -> None:
    """A translated message keeps "Jobcenter" in German: the reader must learn what it is."""
    explained = read_term_explanations(CONTENT)
    for term in read_terms(CONTENT):
        explanations = explained.get(term.lower(), {})
        missing = set(CONTENT_LANGUAGES) - {code for code, text in explanations.items() if text}
        assert not missing, f"{term}: no explanation in {sorted(missing)}"
