"""Commands that print numbers: `hubbot ask` (one answer a line) and `hubbot eval nlu`."""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import httpx

from bot.config import Settings
from bot.i18n import language_from_telegram
from bot.nlu_model import ensure_model
from bot.nlu_server import nlu_for_command, started_server
from bot.services.composer import compose
from bot.services.intent_search import Example, read_examples
from bot.services.language import MessageLanguage
from bot.services.nlu import FALLBACK_INTENT, NluClient
from db import repositories
from db.content import read_terms
from db.engine import create_engine, create_sessionmaker


def parse_line(line: str) -> tuple[str, str | None]:
    """Read one input line: plain text, or JSON with `text` and optional `language_code`."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return stripped, None
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            code = data.get("language_code")
            return data["text"], code if isinstance(code, str) else None
    return stripped, None


async def ask(settings: Settings, lines: Iterable[str], out: TextIO) -> int:
    """Answer each line as hubbot would (for the default or first hub); return the count."""
    languages = MessageLanguage(office_terms=set(read_terms(settings.content_dir)))
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    count = 0
    try:
        async with httpx.AsyncClient() as http, nlu_for_command(settings, http) as nlu:
            async with sessionmaker() as session:
                hubs = await repositories.list_hubs(session)
                hub = next((h for h in hubs if h.slug == settings.default_hub), None) or (
                    hubs[0] if hubs else None
                )
                for line in lines:
                    text, code = parse_line(line)
                    if not text:
                        continue
                    detection = languages.detect(text, prior=language_from_telegram(code))
                    reading = await nlu.parse(text)
                    answer = None
                    if detection.supported and reading.intent != FALLBACK_INTENT:
                        composed = await compose(
                            session, intent=reading.intent, language=detection.language, hub=hub
                        )
                        answer = composed.text if composed else None
                    record = {
                        "text": text,
                        "language": detection.language,
                        "intent": reading.intent,
                        "confidence": round(reading.confidence, 4),
                        "answer": answer,
                    }
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    out.flush()
                    count += 1
    finally:
        await engine.dispose()
    return count


@dataclass(frozen=True, slots=True)
class LanguageScore:
    """How a model did on one language's held-out examples."""

    language: str
    examples: int
    accuracy: float
    macro_f1: float


def _macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for gold, pred in pairs if gold == label and pred == label)
        fp = sum(1 for gold, pred in pairs if gold != label and pred == label)
        fn = sum(1 for gold, pred in pairs if gold == label and pred != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def read_held_out(tests_dir: Path) -> dict[str, list[Example]]:
    """Read the held-out examples of every language folder."""
    folders = sorted(path for path in tests_dir.iterdir() if path.is_dir())
    return {folder.name: read_examples(folder) for folder in folders}


async def predict(
    nlu: NluClient, held_out: dict[str, list[Example]]
) -> dict[str, list[tuple[str, str]]]:
    """Return (gold, predicted) intent pairs of the held-out examples, per language."""
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for language, examples in held_out.items():
        for example in examples:
            reading = await nlu.parse(example.text)
            # A fallback is a wrong answer here: the resident would not get the topic.
            pairs[language].append((example.intent, reading.intent))
    return pairs


def score(pairs: dict[str, list[tuple[str, str]]]) -> tuple[list[LanguageScore], Counter[Any]]:
    """Return per-language accuracy and macro-F1, and the most confused intent pairs."""
    scores = [
        LanguageScore(
            language,
            len(items),
            sum(gold == pred for gold, pred in items) / len(items),
            _macro_f1(items),
        )
        for language, items in sorted(pairs.items())
    ]
    confused: Counter[Any] = Counter(
        (gold, pred) for items in pairs.values() for gold, pred in items if gold != pred
    )
    return scores, confused


def mean_accuracy(pairs: dict[str, list[tuple[str, str]]]) -> float:
    """Return the accuracy averaged over languages, so each language weighs the same."""
    scores, _confused = score(pairs)
    return sum(entry.accuracy for entry in scores) / len(scores) if scores else 0.0


async def eval_nlu(settings: Settings, *, baseline: bool, out: TextIO) -> None:
    """Print per-language accuracy and macro-F1 on the held-out tests, with the baseline."""
    held_out = await asyncio.to_thread(read_held_out, settings.nlu_data_dir / "tests")
    models = [("hubbot", (await asyncio.to_thread(ensure_model, settings)).path)]
    if baseline:
        config = settings.nlu_data_dir / "baseline" / "config.yml"
        trained = await asyncio.to_thread(
            partial(ensure_model, settings, config=config, prefix="baseline")
        )
        models.append(("rasa default", trained.path))
    results = {}
    async with httpx.AsyncClient() as http:
        for name, model in models:
            async with started_server(settings, http, model=model) as nlu:
                results[name] = score(await predict(nlu, held_out))
    header = "language  examples  " + "  ".join(f"{name:>14} acc  {'F1':>5}" for name in results)
    out.write(header + "\n")
    languages = [entry.language for entry in next(iter(results.values()))[0]]
    for index, language in enumerate(languages):
        cells = []
        for scores, _confused in results.values():
            entry = scores[index]
            cells.append(f"{entry.accuracy:>18.3f}  {entry.macro_f1:>5.3f}")
        examples = next(iter(results.values()))[0][index].examples
        out.write(f"{language:<8}  {examples:>8}  " + "  ".join(cells) + "\n")
    for name, (scores, confused) in results.items():
        worst = min(scores, key=lambda entry: entry.accuracy)
        mean = sum(entry.accuracy for entry in scores) / len(scores)
        out.write(
            f"\n{name}: mean accuracy {mean:.3f}, worst {worst.language} {worst.accuracy:.3f}\n"
        )
        out.write("most confused (gold → predicted): ")
        out.write(", ".join(f"{g}→{p} ×{n}" for (g, p), n in confused.most_common(8)) + "\n")
