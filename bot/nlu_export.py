"""Write annotated examples into the Rasa training data, where git shows them for review.

Each language gets `nlu_data/data/<lang>/annotated.yml` (Rasa 3.1 NLU format), sorted by
intent and text so that a diff shows exactly what was added. An example is compared with
the training data and the held-out tests after the same normalisation the NLU data tests use:
a held-out utterance is never trained on, and a sentence already trained is not repeated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.i18n import N_
from bot.services.intent_search import Example, read_examples
from bot.services.normalise import normalise_for_matching

ANNOTATED_FILE = "annotated.yml"
INTENT_NAME = re.compile(r"[a-z_]{1,64}")
MAX_EXAMPLE_CHARS = 300
# Dari is trained together with Persian: they share the `fa` folder.
NLU_LANGUAGES = {"prs": "fa"}
# Rasa reads "[words](entity)" and "[words]{...}" as entity markup; it has no escape.
_ENTITY_MARKUP = re.compile(r"\[[^\]]*\]\s*[({]")
_SPACES = re.compile(r"\s+")
HEADER = (
    "# Examples annotated in the dashboard, written by `hubbot nlu export-annotations`.\n"
    "# Review them like code; remove a line to drop an example (it is not written again).\n"
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an example cannot become training data: an English msgid and its placeholders."""

    message: str
    params: dict[str, str] = field(default_factory=dict)

    def english(self) -> str:
        """Return the reason in English (for the command line)."""
        return self.message.format(**self.params)


class ExampleRefused(ValueError):
    """An annotation that must not become training data."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.english())
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Labelled:
    """A sentence with the intent staff gave it, in an NLU data language."""

    text: str
    language: str
    intent: str


def nlu_language(language: str) -> str:
    """Return the NLU data folder of a resident's language."""
    return NLU_LANGUAGES.get(language, language)


def clean_example(text: str) -> str:
    """Return the text as one training line: no control characters, single spaces."""
    visible = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return _SPACES.sub(" ", visible).strip()


def _refuse(message: str, **params: str) -> ExampleRefused:
    return ExampleRefused(Refusal(message, params))


class NluData:
    """The training examples, held-out tests and annotations of an NLU project, read once."""

    def __init__(self, nlu_data_dir: Path) -> None:
        self.root = nlu_data_dir
        data = nlu_data_dir / "data"
        self.languages = sorted(path.name for path in data.iterdir() if path.is_dir())
        self.trained: dict[str, str] = {}
        self.annotated: dict[str, dict[str, Example]] = {}
        for language in self.languages:
            self.annotated[language] = {}
            for path in sorted((data / language).glob("**/*.yml")):
                for example in _read_file(path):
                    key = normalise_for_matching(example.text)
                    if path.name == ANNOTATED_FILE:
                        self.annotated[language][key] = example
                    else:
                        self.trained.setdefault(key, example.intent)
        tests = nlu_data_dir / "tests"
        self.held_out = {
            normalise_for_matching(example.text)
            for example in (read_examples(tests) if tests.is_dir() else [])
        }

    @property
    def intents(self) -> list[str]:
        """Return every intent in the training data and the annotations."""
        names = set(self.trained.values())
        for examples in self.annotated.values():
            names.update(example.intent for example in examples.values())
        return sorted(names)

    def check(self, *, text: str, language: str, intent: str) -> Labelled:
        """Return the example as it would be exported, or raise ExampleRefused."""
        cleaned = clean_example(text)
        folder = nlu_language(language)
        if not INTENT_NAME.fullmatch(intent):
            raise _refuse(
                N_("An intent name is 1 to 64 letters a-z and underscores, like {example}."),
                example="job_support",
            )
        if folder not in self.languages:
            raise _refuse(N_("There is no NLU training data in {language}."), language=language)
        if not cleaned:
            raise _refuse(N_("There is no text to annotate."))
        if len(cleaned) > MAX_EXAMPLE_CHARS or _ENTITY_MARKUP.search(cleaned):
            raise _refuse(
                N_("This text cannot be a training example (too long, or looks like markup).")
            )
        key = normalise_for_matching(cleaned)
        if key in self.held_out:
            raise _refuse(
                N_("This sentence is in the held-out tests; it must never be trained on.")
            )
        trained = self.trained.get(key)
        if trained is not None and trained != intent:
            raise _refuse(
                N_("The training data already has this sentence as {intent}; change it there."),
                intent=trained,
            )
        return Labelled(text=cleaned, language=folder, intent=intent)


@dataclass
class ExportReport:
    """What an export wrote and what it left out, and why."""

    written: list[Labelled] = field(default_factory=list)
    already_trained: list[Labelled] = field(default_factory=list)
    refused: list[tuple[Labelled, Refusal]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """Return one line for the command line."""
        return (
            f"{len(self.written)} examples written, {len(self.already_trained)} already in the "
            f"training data, {len(self.refused)} refused"
        )


def export(nlu_data_dir: Path, examples: list[Labelled]) -> ExportReport:
    """Merge labelled examples into each language's annotated.yml; the newest label wins."""
    data = NluData(nlu_data_dir)
    report = ExportReport()
    changed: set[str] = set()
    for example in examples:
        try:
            checked = data.check(
                text=example.text, language=example.language, intent=example.intent
            )
        except ExampleRefused as refused:
            report.refused.append((example, refused.refusal))
            continue
        key = normalise_for_matching(checked.text)
        if key in data.trained:
            report.already_trained.append(checked)
            continue
        current = data.annotated[checked.language].get(key)
        if current is not None and current.intent == checked.intent:
            report.already_trained.append(checked)
            continue
        data.annotated[checked.language][key] = Example(checked.text, checked.intent)
        changed.add(checked.language)
        report.written.append(checked)
    for language in sorted(changed):
        path = nlu_data_dir / "data" / language / ANNOTATED_FILE
        path.write_text(render(data.annotated[language].values()), encoding="utf-8")
        report.files.append(path)
    return report


def render(examples: Iterable[Example]) -> str:
    """Return examples as a Rasa 3.1 NLU file, sorted by intent, then text."""
    by_intent: dict[str, set[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, set()).add(example.text)
    lines = [HEADER + 'version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in sorted(by_intent[intent], key=str.casefold))
    return "\n".join(lines) + "\n"


def _read_file(path: Path) -> list[Example]:
    # libyaml's loader reads the ~9,000 training lines five times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506
    examples = []
    for block in document.get("nlu") or []:
        intent = block.get("intent")
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip().removeprefix("-").strip()
            if intent and text:
                examples.append(Example(text, str(intent)))
    return examples
