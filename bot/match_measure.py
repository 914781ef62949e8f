"""`hubbot match` (one recommendation a line) and `hubbot eval match` (accuracy per language)."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TextIO

import yaml

from bot.config import Settings
from bot.i18n import Catalogue, language_from_telegram
from bot.measure import parse_line
from bot.services.language import MessageLanguage
from bot.services.matching import ProgrammeMatcher, Wants
from bot.services.similarity import ProgrammeSimilarity
from bot.services.talent import build_talent_service
from db.content import read_terms

# The zero-shot baseline of issue 5: e5 similarity to one-line English programme descriptions.
BASELINE_DESCRIPTIONS = {
    "kitchen-lab": "cooking, catering, baking, food business",
    "repair-and-make": "tailoring and sewing, carpentry, electrics, bicycles, repairs, crafts",
    "digital-lab": "IT, programming, web and graphic design, social media",
    "language-bridges": "interpreting, translating, language teaching, cultural mediation",
    "green-commons": "gardening, farming, environment, recycling",
    "culture-collective": "music, art, theatre, photography, film, dance",
    "care-circle": "nursing, medicine, childcare, elderly care, psychology, social work",
    "founders-studio": (
        "founding a business, trade, retail and shops, hairdressing and beauty, import/export"
    ),
    "sports-and-youth": "sports coaching, youth work and mentoring",
}


def read_description(matcher: ProgrammeMatcher, text: str, language: str | None) -> Wants:
    """Return what a self-description alone tells the recommender (as the intake's first answer)."""
    skills = matcher.understand(text, language)
    return Wants(
        skills=skills,
        semantic=matcher.similarity(text, language, skills),
        denied=matcher.denied(text, language),
    )


def rank_text(matcher: ProgrammeMatcher, text: str, language: str | None = None) -> list[str]:
    """Return the programme slugs for a self-description, best first (no hub context)."""
    return [item.slug for item in matcher.rank(read_description(matcher, text, language))]


def match_lines(settings: Settings, lines: Iterable[str], out: TextIO) -> int:
    """Print skills and ranked programmes with reasons for each input line; return the count."""
    matcher = build_talent_service(
        settings.content_dir / "skills",
        semantic=settings.match_semantic,
        cache_dir=settings.embedding_cache,
        engine=settings.e5_engine,
    ).matcher
    languages = MessageLanguage(office_terms=set(read_terms(settings.content_dir)))
    catalogue = Catalogue.load(settings.locales_dir)
    count = 0
    for line in lines:
        text, code = parse_line(line)
        if not text:
            continue
        detection = languages.detect(text, prior=language_from_telegram(code))
        language = detection.language if detection.supported else "en"
        _ = catalogue.translator(language)
        words_language = languages.of_description(text, chosen=language_from_telegram(code))
        wants = read_description(matcher, text, words_language)
        skills = wants.skills
        ranked = matcher.rank(wants)
        record = {
            "text": text,
            "language": detection.language,
            "skills": [
                {"id": m.skill.id, "name": m.skill.name_in(language), "score": m.score}
                for m in skills
            ],
            "programmes": [
                {"slug": item.slug, "score": item.score, "reason": item.reason(_)}
                for item in ranked
            ],
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class Labelled:
    """A self-description with the programmes that fit it."""

    text: str
    programmes: tuple[str, ...]
    kind: str


def read_labelled(folder: Path) -> dict[str, list[Labelled]]:
    """Read eval/match/<language>.yml files."""
    sets: dict[str, list[Labelled]] = {}
    for path in sorted(folder.glob("*.yml")):
        entries = yaml.safe_load(path.read_text("utf-8")) or []
        sets[path.stem] = [
            Labelled(str(e["text"]), tuple(e["programmes"]), str(e["kind"])) for e in entries
        ]
    return sets


@dataclass
class Tally:
    """Hits per kind of description for one method and language."""

    top1: dict[str, list[bool]]
    top3: dict[str, list[bool]]
    both: list[bool]
    ms: list[float]
    # (kind, expected programme, programme ranked first instead) -> how often
    confused: Counter[tuple[str, str, str]] = field(default_factory=Counter)


def _tally(ranker: object, items: Sequence[Labelled]) -> Tally:
    tally = Tally(defaultdict(list), defaultdict(list), [], [])
    for item in items:
        started = time.perf_counter()
        ranked = ranker(item.text)  # type: ignore[operator]
        tally.ms.append((time.perf_counter() - started) * 1000)
        kind = "plain" if item.kind == "two_fields" else item.kind
        tally.top1[kind].append(ranked[0] in item.programmes)
        if ranked[0] not in item.programmes:
            tally.confused[(kind, item.programmes[0], ranked[0])] += 1
        tally.top3[kind].append(any(slug in ranked[:3] for slug in item.programmes))
        if item.kind == "two_fields":
            tally.both.append(all(slug in ranked[:3] for slug in item.programmes[:2]))
    return tally


def _rate(hits: list[bool]) -> str:
    return f"{sum(hits) / len(hits):.3f}" if hits else "  -  "


def eval_match(
    settings: Settings, *, eval_dir: Path, out: TextIO, leave_out: bool = False
) -> dict[str, Tally]:
    """Print top-1/top-3 per language and kind for hubbot and the zero-shot baseline.

    `leave_out`: the descriptions of `eval_dir` are no passages (an example set of
    content/skills/examples/ would otherwise find itself, each description at cosine 1).
    """
    sets = read_labelled(eval_dir)
    left_out = {item.text for items in sets.values() for item in items} if leave_out else set()
    matcher = build_talent_service(
        settings.content_dir / "skills",
        semantic=settings.match_semantic,
        cache_dir=settings.embedding_cache,
        engine=settings.e5_engine,
        left_out_examples=left_out,
    ).matcher
    baseline = ProgrammeSimilarity(
        {slug: [d] for slug, d in BASELINE_DESCRIPTIONS.items()},
        views=(False,),
        engine=settings.e5_engine,
        read_wording=False,
    )

    def zero_shot(text: str) -> list[str]:
        scores = baseline.closeness(text)
        return sorted(scores, key=lambda slug: -scores[slug])

    matcher.similarity("warm up")
    baseline.warm_up()
    results: dict[str, Tally] = {}
    out.write(
        "language  method     plain top1  top3   indirect top1  top3   two fields both  "
        "ms p50  p95\n"
    )
    for language, items in sets.items():
        for name, ranker in (
            ("hubbot", partial(rank_text, matcher, language=language)),
            ("zero-shot", zero_shot),
        ):
            tally = _tally(ranker, items)
            if name == "hubbot":
                results[language] = tally
            ms = sorted(tally.ms)
            out.write(
                f"{language:<8}  {name:<9}  {_rate(tally.top1['plain']):>10}  "
                f"{_rate(tally.top3['plain'])}  {_rate(tally.top1['indirect']):>13}  "
                f"{_rate(tally.top3['indirect'])}  {_rate(tally.both):>15}  "
                f"{statistics.median(ms):>6.1f}  {ms[int(len(ms) * 0.95) - 1]:>4.1f}\n"
            )
    write_confusions(results, out)
    return results


def write_confusions(results: dict[str, Tally], out: TextIO, *, shown: int = 12) -> None:
    """Print the programme pairs hubbot confuses most, per kind, over all languages."""
    for kind in ("plain", "indirect"):
        pairs: Counter[tuple[str, str]] = Counter()
        languages: dict[tuple[str, str], set[str]] = defaultdict(set)
        for language, tally in results.items():
            for (confused_kind, expected, got), count in tally.confused.items():
                if confused_kind == kind:
                    pairs[(expected, got)] += count
                    languages[(expected, got)].add(language)
        if not pairs:
            continue
        out.write(f"\nconfused on {kind} descriptions (expected -> ranked first, count, where)\n")
        for (expected, got), count in pairs.most_common(shown):
            codes = " ".join(sorted(languages[(expected, got)]))
            out.write(f"  {expected:<18} -> {got:<18} {count:>3}  {codes}\n")
