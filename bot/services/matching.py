"""Recommend incubator programmes for a resident, with a reason they can read.

The score of a programme is a sum of parts a coordinator can follow: the skills the resident
named (full weight for the programme a skill belongs to first, less for the others; scaled so
the best programme gets 1), the same for what they would like to do, a semantic similarity
in [0, 1] for what the words miss ("back home I cooked for weddings of 300 guests"), and at the
resident's hub: shared meeting times, shared languages, and free places.

The weights were chosen on the development set `eval/match_dev/` (never on `eval/match/`):
the semantic part counts four times as much as the best word match, because words also pick
up context ("hospital" in "I interpreted for patients at the hospital") while the life
situations carry the meaning. In an answer of fewer than SHORT_TEXT words that names a listed
skill ("Aşçıyım", "Hatte zwanzig Jahre 'nen Kiosk"), the words are the meaning and e5
knows little of one inflected word or a sentence that says little else, so the semantic part
shrinks with the length.

What the resident says they did not do ("à l'hôpital, mais pas infirmier") counts against its
programme with DENIED_WEIGHT, and so does what they would not like to do, unless the same
answer names work of that programme ("je cuisine, mais pas de pâtisserie"). The hospital
around such a story pulls its meaning toward care work; the denial is its one plain statement
of where it does not go. Chosen on the hard development set (content/skills/examples/dev3/:
144 → 146 of 180 indirect; 2 and 3 alike, 1 one fewer), checked on every other set (none lost).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.i18n import N_, Translator
from bot.services.skills import Skill, SkillMatch, SkillRecogniser, tokenise
from bot.services.transliteration import is_latin_typed, to_cyrillic
from db.content_schema import PROGRAMMES

SECONDARY_WEIGHT = 0.6
WISH_WEIGHT = 1.0
SEMANTIC_WEIGHT = 4.0
# Chosen on the development sets in session 15 (4 → 8): six of their short answers changed
# their top programme, five for the better ("Hatte zwanzig Jahre 'nen Kiosk in Moabit.", a
# village midwife, a baker in Sana'a), one for the worse (importing electronics).
SHORT_TEXT = 8
# As much as two listed skills: weighed against the semantic part (× SEMANTIC_WEIGHT).
DENIED_WEIGHT = 2.0
TIMES_BONUS = 0.15
LANGUAGE_BONUS = 0.1
FULL_PENALTY = 0.3
MAX_REASON_SKILLS = 3


class SemanticScorer(Protocol):
    """Scores how close a text is to each programme, in [0, 1]; fails soft to {}."""

    def scores(self, text: str, *, words_lead: str | None = None) -> Mapping[str, float]:
        """Return a similarity per programme slug.

        `words_lead`: the programme the text's named skills point to, which a scorer may use
        to spare work where its reading agrees.
        """
        ...

    def warm_up(self) -> None:
        """Load what the scorer needs before the first text."""
        ...

    @property
    def state(self) -> str:
        """Return "ready", "loading" (texts are matched by their words meanwhile) or
        "unavailable" (the scorer failed to load: words alone, for good)."""
        ...


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the recommender knows about a programme at the resident's hub."""

    times: frozenset[str]
    languages: frozenset[str]
    free_places: int


@dataclass(frozen=True, slots=True)
class Wants:
    """Everything the resident told the intake, in the form the recommender scores."""

    skills: Sequence[SkillMatch] = ()
    wishes: Sequence[SkillMatch] = ()
    semantic: Mapping[str, float] = field(default_factory=dict)
    # Skills the resident said they did not do ("not as a nurse, in the kitchen"), and would
    # not like to do ("no more cooking").
    denied: Sequence[SkillMatch] = ()
    unwanted: Sequence[SkillMatch] = ()
    languages: Collection[str] = ()
    times: Collection[str] = ()
    declined: Collection[str] = ()


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One programme, its score and the facts behind it."""

    slug: str
    score: float
    skills: tuple[Skill, ...] = ()
    wishes: tuple[Skill, ...] = ()
    shared_times: tuple[str, ...] = ()
    shared_languages: tuple[str, ...] = ()
    full: bool = False

    def reason(self, _: Translator) -> str:
        """Return one line saying why this programme fits, in the resident's language."""
        parts = []
        if self.skills:
            names = ", ".join(skill.name_in(_.language) for skill in self.skills)
            parts.append(_.gettext("You can do: {skills}.").format(skills=names))
        if self.wishes:
            names = ", ".join(skill.name_in(_.language) for skill in self.wishes)
            parts.append(_.gettext("You would like to: {wishes}.").format(wishes=names))
        if not parts:
            parts.append(_.gettext("It is close to what you described."))
        if self.shared_times:
            labels = ", ".join(_.gettext(TIME_LABELS[time]) for time in self.shared_times)
            parts.append(
                _.gettext("It meets at times that suit you ({times}).").format(times=labels)
            )
        if self.full:
            parts.append(_.gettext("It is full right now: you would be on the waiting list."))
        return " ".join(parts)


TIME_LABELS = {
    "mornings": N_("Mornings"),
    "afternoons": N_("Afternoons"),
    "evenings": N_("Evenings"),
    "weekends": N_("Weekends"),
}


class ProgrammeMatcher:
    """Understand self-descriptions and rank the programmes for them."""

    def __init__(self, recogniser: SkillRecogniser, semantic: SemanticScorer | None = None):
        self.recogniser = recogniser
        self.semantic = semantic

    def understand(self, text: str, language: str | None = None) -> list[SkillMatch]:
        """Return the skills named in a text (written in `language`, when known).

        Russian or Ukrainian in Latin letters is read as typed (brand and trade words:
        "Photoshop", "elektrik") and in Cyrillic, and each skill keeps its better reading.
        """
        return self._read(text, language, negated=False)

    def denied(self, text: str, language: str | None = None) -> list[SkillMatch]:
        """Return the skills a negation applies to in a text ("mais pas infirmier")."""
        return self._read(text, language, negated=True)

    def _read(self, text: str, language: str | None, *, negated: bool) -> list[SkillMatch]:
        found = self.recogniser.recognise(text, language, negated=negated)
        if language is None or not is_latin_typed(text, language):
            return found
        best = {match.skill.id: match for match in found}
        cyrillic = to_cyrillic(text, language)
        for match in self.recogniser.recognise(cyrillic, language, negated=negated):
            if match.skill.id not in best or match.score > best[match.skill.id].score:
                best[match.skill.id] = match
        return sorted(best.values(), key=lambda match: (-match.score, match.skill.id))

    def similarity(
        self,
        text: str,
        language: str | None = None,
        skills: Sequence[SkillMatch] | None = None,
    ) -> Mapping[str, float]:
        """Return the semantic similarity per programme, or nothing without a scorer.

        `skills` are the ones `understand` found in the text, when the caller has them already.

        e5 reads Russian and Ukrainian typed in Latin letters by their look, so it gets them in
        Cyrillic (development sets, words and meaning together: 15 of 18 descriptions ranked
        right in Latin letters, 18 of 18 in Cyrillic).
        """
        if self.semantic is None:
            return {}
        points, _ = _points(self.understand(text, language) if skills is None else skills, 1.0)
        lead = min(points, key=lambda slug: (-points[slug], slug)) if points else None
        if language is not None and is_latin_typed(text, language):
            text = to_cyrillic(text, language)
        scores = self.semantic.scores(text, words_lead=lead)
        words = len(tokenise(text))
        if words >= SHORT_TEXT or not self.recogniser.recognise(text, language):
            return scores
        return {slug: value * words / SHORT_TEXT for slug, value in scores.items()}

    def rank(
        self, wants: Wants, runs: Mapping[str, RunFacts] | None = None
    ) -> list[Recommendation]:
        """Rank every programme (or those with a run at the hub), best first."""
        skill_points, skill_reasons = _points(wants.skills, 1.0)
        wish_points, wish_reasons = _points(wants.wishes, WISH_WEIGHT)
        denied_points, _ = _points(wants.denied, DENIED_WEIGHT)
        unwanted_points, _ = _points(wants.unwanted, DENIED_WEIGHT)
        ranked = []
        for slug in PROGRAMMES if runs is None else [p for p in PROGRAMMES if p in runs]:
            score = skill_points[slug] + wish_points[slug]
            # "I cook, but no pastry": a denial counts against a programme unless the same
            # answer names work of it ("I was a cook" does not undo "no more cooking").
            score -= denied_points[slug] * (not skill_points[slug])
            score -= unwanted_points[slug] * (not wish_points[slug])
            score += SEMANTIC_WEIGHT * wants.semantic.get(slug, 0.0)
            run = None if runs is None else runs[slug]
            shared_times: tuple[str, ...] = ()
            shared_languages: tuple[str, ...] = ()
            if run is not None:
                shared_times = tuple(t for t in TIME_LABELS if t in run.times and t in wants.times)
                shared_languages = tuple(sorted(run.languages & set(wants.languages)))
                score += TIMES_BONUS * bool(shared_times) + LANGUAGE_BONUS * bool(shared_languages)
                score -= FULL_PENALTY * (run.free_places <= 0)
            if slug in wants.declined:
                score -= 10.0
            ranked.append(
                Recommendation(
                    slug=slug,
                    score=round(score, 3),
                    skills=tuple(skill_reasons[slug][:MAX_REASON_SKILLS]),
                    wishes=tuple(wish_reasons[slug][:MAX_REASON_SKILLS]),
                    shared_times=shared_times,
                    shared_languages=shared_languages,
                    full=run is not None and run.free_places <= 0,
                )
            )
        return sorted(ranked, key=lambda item: -item.score)


def _points(
    matches: Sequence[SkillMatch], weight: float
) -> tuple[dict[str, float], dict[str, list[Skill]]]:
    points: dict[str, float] = defaultdict(float)
    reasons: dict[str, list[Skill]] = defaultdict(list)
    for match in matches:
        for position, slug in enumerate(match.skill.programmes):
            share = 1.0 if position == 0 else SECONDARY_WEIGHT
            points[slug] += share * match.score
            reasons[slug].append(match.skill)
    # Many words for one skill must not drown what the resident's description means.
    best = max(points.values(), default=0.0) or 1.0
    return defaultdict(float, {slug: weight * p / best for slug, p in points.items()}), reasons
