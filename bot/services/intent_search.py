"""Guess an intent without the NLU server: fuzzy search over the training examples.

Used when the Rasa server is down or slow, so that a resident still gets an answer. The
examples are the same files Rasa trains on, so the two never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.services.nlu import IntentScore, NluResult
from bot.services.normalise import normalise_for_matching

# token_set_ratio of a paraphrase is usually 60-80; below this it is guessing.
MIN_SCORE = 62.0


@dataclass(frozen=True, slots=True)
class Example:
    """A training sentence and its intent."""

    text: str
    intent: str


def read_examples(data_dir: Path) -> list[Example]:
    """Read every `nlu.yml` under the Rasa data folder."""
    return [
        example
        for path in sorted(data_dir.glob("**/*.yml"))
        for example in read_examples_file(path)
    ]


def read_examples_file(path: Path) -> list[Example]:
    """Read the intent examples of one Rasa NLU file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for block in data.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip().removeprefix("-").strip()
            if text:
                examples.append(Example(text, str(intent)))
    return examples


class IntentSearch:
    """Nearest training example by fuzzy token match."""

    def __init__(self, examples: Iterable[Example]) -> None:
        self._examples = list(examples)
        self._choices = [normalise_for_matching(example.text) for example in self._examples]

    def search(self, text: str) -> NluResult | None:
        """Return the likeliest intents, or None when nothing is close enough."""
        query = normalise_for_matching(text)
        if not query:
            return None
        matches = process.extract(query, self._choices, scorer=fuzz.token_set_ratio, limit=20)
        best: dict[str, float] = {}
        for _choice, score, index in matches:
            intent = self._examples[index].intent
            best[intent] = max(best.get(intent, 0.0), float(score))
        ranking = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if not ranking or ranking[0][1] < MIN_SCORE:
            return None
        scores = tuple(IntentScore(name, score / 100.0) for name, score in ranking)
        return NluResult(intent=scores[0].name, confidence=scores[0].confidence, ranking=scores)
