"""The NLU data: every intent in every language, and a held-out set that stays held out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.services.intent_search import read_examples
from bot.services.normalise import normalise_for_matching
from db.content_schema import INTENTS

NLU = PROJECT_ROOT / "nlu_data"
LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_at_least_25_training_examples(language: str) -> None:
    counts = Counter(example.intent for example in read_examples(NLU / "data" / language))
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 25, counts.most_common()[-1]


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_examples_are_not_in_the_training_data(language: str) -> None:
    def forms(folder: Path) -> set[str]:
        return {normalise_for_matching(example.text) for example in read_examples(folder)}

    assert forms(NLU / "data" / language) & forms(NLU / "tests" / language) == set()
