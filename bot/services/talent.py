"""The talent intake's host, the resident's talent profile, and applications to programmes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES
from bot.services.language import MessageLanguage
from bot.services.matching import ProgrammeMatcher, Recommendation, RunFacts, Wants
from bot.services.similarity import (
    ProgrammeSimilarity,
    background_passages,
    programme_passages,
)
from bot.services.skills import Skill, SkillMatch, SkillRecogniser
from db import repositories
from db.base import utcnow
from db.models import Application, ApplicationStatus, ProgrammeRun, Resident, TalentProfile
from flows import FlowState, Option, Step

INTAKE = "talent_intake"
# Languages residents often speak besides hubbot's own; programmes may use them too.
OTHER_LANGUAGES = (("ku", "Kurdî"), ("ps", "پښتو"), ("ti", "ትግርኛ"), ("so", "Soomaali"))
SHOWN = 3


class TalentIntakeHost:
    """Turns the intake's free-text answers into skills, and offers them back for checking."""

    def __init__(self, matcher: ProgrammeMatcher, languages: MessageLanguage | None = None):
        self._matcher = matcher
        # Decides which word lists count for an answer; without it, the conversation's language.
        self._languages = languages

    def options(self, source: str, state: FlowState, *, language: str) -> Sequence[Option]:
        """Offer the understood skills, or the languages."""
        if source == "understood_skills":
            return [
                Option(value=skill.id, label=skill.name_in(language))
                for skill in self.skills(state.answers.get("skill_ids", []))
            ]
        if source == "languages":
            own = [(language.code, language.native_name) for language in LANGUAGES]
            return [Option(value=code, label=name) for code, name in own + list(OTHER_LANGUAGES)]
        raise LookupError(source)

    def condition(self, name: str, state: FlowState) -> bool:
        """Tell whether skills were found in the first answer."""
        found = bool(state.answers.get("skill_ids"))
        if name == "skills_found":
            return found
        if name == "no_skills_found":
            return not found
        raise LookupError(name)

    def prompt_values(self, step: Step, state: FlowState, *, language: str) -> dict[str, str]:
        """Fill "I understood: {skills}"."""
        skills = self.skills(state.answers.get("skill_ids", []))
        return {"skills": ", ".join(skill.name_in(language) for skill in skills)}

    def after_text(self, step: Step, state: FlowState, *, keep_text: bool, language: str) -> None:
        """Recognise skills in a typed answer; keep the words only with consent.

        The word lists that count are those of the answer's language: the conversation's,
        unless the answer is clearly in another one (MessageLanguage.of_description)."""
        text = str(state.answers.get(step.id) or "")
        words_language: str | None = language
        if self._languages is not None:
            words_language = self._languages.of_description(text, chosen=language)
        if step.id == "skills":
            matches = self._matcher.understand(text, words_language)
            state.answers["skill_ids"] = [match.skill.id for match in matches]
            state.answers["skill_scores"] = _scores(matches)
            state.answers["fix"] = [match.skill.id for match in matches]
            state.answers["semantic"] = dict(
                self._matcher.similarity(text, words_language, matches)
            )
            state.answers["denied_scores"] = _scores(self._matcher.denied(text, words_language))
        elif step.id == "wishes":
            matches = self._matcher.understand(text, words_language)
            state.answers["wish_scores"] = _scores(matches)
            state.answers["wish_semantic"] = dict(
                self._matcher.similarity(text, words_language, matches)
            )
            state.answers["unwanted_scores"] = _scores(self._matcher.denied(text, words_language))
        if not keep_text:
            state.answers[step.id] = None

    def skills(self, skill_ids: Sequence[str]) -> list[Skill]:
        """Return the skills with these ids, in order."""
        known = self._matcher.recogniser.skills
        return [known[skill_id] for skill_id in skill_ids if skill_id in known]


@dataclass(frozen=True, slots=True)
class Offer:
    """A recommended programme at the resident's hub."""

    run: ProgrammeRun
    recommendation: Recommendation


class TalentService:
    """Store profiles, recommend programme runs at a hub, take and withdraw applications."""

    def __init__(self, matcher: ProgrammeMatcher, languages: MessageLanguage | None = None):
        self.matcher = matcher
        self.host = TalentIntakeHost(matcher, languages)

    async def save_profile(
        self, session: AsyncSession, resident: Resident, answers: Mapping[str, Any]
    ) -> TalentProfile:
        """Store what the intake understood."""
        profile = await repositories.get_talent_profile(session, resident=resident)
        if profile is None:
            profile = TalentProfile(resident_id=resident.id, declined=[])
            session.add(profile)
        chosen = answers.get("fix") if answers.get("confirm") == "fix" else answers.get("skill_ids")
        profile.skills = list(chosen or [])
        profile.wishes = list((answers.get("wish_scores") or {}).keys())
        profile.description = answers.get("skills") or None
        profile.wishes_text = answers.get("wishes") or None
        profile.languages = list(answers.get("languages") or [])
        profile.times = list(answers.get("times") or [])
        profile.contact_ok = answers.get("contact") == "yes"
        profile.updated_at = utcnow()
        await session.flush()
        return profile

    async def recommend(
        self,
        session: AsyncSession,
        resident: Resident,
        answers: Mapping[str, Any],
        profile: TalentProfile,
    ) -> list[Offer]:
        """Return the best programme runs at the resident's hub, best first."""
        if resident.hub_id is None:
            return []
        runs = {
            run.programme.slug: run
            for run in await repositories.hub_runs(session, hub_id=resident.hub_id)
        }
        taken = await repositories.submitted_counts(
            session, run_ids=[run.id for run in runs.values()]
        )
        facts = {
            slug: RunFacts(
                times=frozenset(run.times),
                languages=frozenset(run.languages),
                free_places=run.capacity - taken.get(run.id, 0),
            )
            for slug, run in runs.items()
        }
        wants = Wants(
            skills=self._matches(profile.skills, answers.get("skill_scores") or {}),
            wishes=self._matches(profile.wishes, answers.get("wish_scores") or {}),
            denied=self._scored(answers.get("denied_scores") or {}),
            unwanted=self._scored(answers.get("unwanted_scores") or {}),
            semantic=_merge(answers.get("semantic") or {}, answers.get("wish_semantic") or {}),
            languages=profile.languages,
            times=profile.times,
            declined=profile.declined,
        )
        ranked = self.matcher.rank(wants, facts)
        return [Offer(runs[item.slug], item) for item in ranked[:SHOWN]]

    def _matches(self, skill_ids: Sequence[str], scores: Mapping[str, float]) -> list[SkillMatch]:
        return [
            SkillMatch(skill, float(scores.get(skill.id, 1.0)), ())
            for skill in self.host.skills(skill_ids)
        ]

    def _scored(self, scores: Mapping[str, float]) -> list[SkillMatch]:
        return self._matches(list(scores), scores)

    async def apply(
        self, session: AsyncSession, resident: Resident, run: ProgrammeRun
    ) -> tuple[Application, bool]:
        """Apply to a run; return the application and whether it is new (or renewed)."""
        for application in await repositories.resident_applications(session, resident=resident):
            if application.run_id == run.id:
                if application.status == ApplicationStatus.SUBMITTED:
                    return application, False
                application.status, application.withdrawn_at = ApplicationStatus.SUBMITTED, None
                application.created_at = utcnow()
                await session.flush()
                return application, True
        application = Application(resident_id=resident.id, run_id=run.id, run=run)
        session.add(application)
        await session.flush()
        return application, True

    async def withdraw(
        self, session: AsyncSession, resident: Resident, application_id: int
    ) -> Application | None:
        """Withdraw one of the resident's own applications."""
        for application in await repositories.resident_applications(session, resident=resident):
            if application.id == application_id:
                if application.status == ApplicationStatus.SUBMITTED:
                    application.status = ApplicationStatus.WITHDRAWN
                    application.withdrawn_at = utcnow()
                    await session.flush()
                return application
        return None

    async def decline(self, session: AsyncSession, resident: Resident, slug: str) -> None:
        """Remember that a programme is not for the resident."""
        profile = await repositories.get_talent_profile(session, resident=resident)
        if profile is not None and slug not in profile.declined:
            profile.declined = [*profile.declined, slug]
            await session.flush()


def build_talent_service(
    skills_dir: Path,
    *,
    semantic: bool,
    cache_dir: Path | None = None,
    engine: Path | None = None,
    languages: MessageLanguage | None = None,
    left_out_examples: Collection[str] = (),
) -> TalentService:
    """Build the talent service from the taxonomy folder, with or without the embedding model.

    `left_out_examples`: labelled descriptions that are no passages (`hubbot eval match
    --leave-out`).
    """
    similarity = (
        ProgrammeSimilarity(
            programme_passages(skills_dir, left_out=left_out_examples),
            background=background_passages(skills_dir),
            cache_dir=cache_dir,
            engine=engine,
        )
        if semantic
        else None
    )
    recogniser = SkillRecogniser.from_folder(skills_dir)
    return TalentService(ProgrammeMatcher(recogniser, similarity), languages)


def _scores(matches: Sequence[SkillMatch]) -> dict[str, float]:
    return {match.skill.id: match.score for match in matches}


def _merge(first: Mapping[str, float], second: Mapping[str, float]) -> dict[str, float]:
    return {slug: max(first.get(slug, 0.0), second.get(slug, 0.0)) for slug in {*first, *second}}
