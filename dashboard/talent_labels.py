"""Talent labels: coordinators say which programme a description fits; export teaches the matcher.

A resident's self-description (kept only with their consent, `TalentProfile.description`)
that hubbot ranked wrong is the best example there is of how residents talk. A coordinator
edits out what could identify the resident, picks the programme, and the export appends it to
content/skills/examples/staff/<language>.yml, where the matcher reads it as one more passage of
that programme on its next start (bot/services/similarity.py) and where it can be reviewed like
code. Texts of the measurement sets (eval/match*/) are never exported: the accuracy hubbot
reports must stay a reading of descriptions it has not learnt from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import PROJECT_ROOT
from bot.i18n import N_, is_rtl
from bot.text import clean_incoming
from db.content_schema import PROGRAMMES
from db.models import (
    Application,
    ApplicationStatus,
    Programme,
    ProgrammeRun,
    Resident,
    Staff,
    TalentLabel,
    TalentProfile,
)

RECENT_LIMIT = 100
MEASUREMENT_SETS = PROJECT_ROOT / "eval"
STAFF_EXAMPLES_HEADER = (
    "# Labelled examples from staff (dashboard, Talent descriptions): residents' own words,\n"
    "# edited so that they identify nobody, with the programme a coordinator said they fit.\n"
)


class DescriptionMissing(LookupError):
    """No kept description for that resident, or not one the viewer may see."""


class LabelRefused(ValueError):
    """A label that cannot teach the matcher; `message` says why (an i18n key)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class DescriptionRow:
    """A resident's kept description as the talent page lists it, with its label if any."""

    resident_id: int
    description: str
    language: str
    skills: list[str]
    # What the resident did with hubbot's recommendations: a declined programme ("Not for me")
    # is where a coordinator looks first for a misreading.
    applied: list[str]
    declined: list[str]
    updated_at: datetime
    label: TalentLabel | None
    labeller: str | None

    @property
    def rtl(self) -> bool:
        """Tell whether the text is written right to left."""
        return is_rtl(self.language)


@dataclass(frozen=True, slots=True)
class LabelExport:
    """What an export did: written to the examples, already there, or a measurement text."""

    written: int
    already_there: int
    measured: int


async def recent(
    session: AsyncSession, *, hub_scope: int | None, limit: int = RECENT_LIMIT
) -> list[DescriptionRow]:
    """Return the newest kept descriptions the viewer may see, unlabelled ones first."""
    query = (
        select(TalentProfile, Resident.language, TalentLabel, Staff.email)
        .join(Resident, Resident.id == TalentProfile.resident_id)
        .outerjoin(TalentLabel, TalentLabel.resident_id == TalentProfile.resident_id)
        .outerjoin(Staff, Staff.id == TalentLabel.staff_id)
        .where(TalentProfile.description.is_not(None))
    )
    if hub_scope is not None:
        # A member of one hub reads only that hub's residents' words.
        query = query.where(Resident.hub_id == hub_scope)
    rows = await session.execute(
        query.order_by(
            TalentLabel.id.is_not(None), TalentProfile.updated_at.desc(), TalentProfile.resident_id
        ).limit(limit)
    )
    found = list(rows)
    applied = await _applied(session, [profile.resident_id for profile, *_ in found])
    return [
        DescriptionRow(
            resident_id=profile.resident_id,
            description=profile.description or "",
            language=language or "",
            skills=list(profile.skills),
            applied=applied.get(profile.resident_id, []),
            declined=list(profile.declined),
            updated_at=profile.updated_at,
            label=label,
            labeller=email,
        )
        for profile, language, label, email in found
    ]


async def _applied(session: AsyncSession, resident_ids: list[int]) -> dict[int, list[str]]:
    """Return the programmes each resident applied to and did not withdraw from."""
    rows = await session.execute(
        select(Application.resident_id, Programme.slug)
        .join(ProgrammeRun, ProgrammeRun.id == Application.run_id)
        .join(Programme, Programme.id == ProgrammeRun.programme_id)
        .where(
            Application.resident_id.in_(resident_ids),
            Application.status == ApplicationStatus.SUBMITTED,
        )
        .order_by(Application.id)
    )
    applied: dict[int, list[str]] = {}
    for resident_id, slug in rows:
        applied.setdefault(resident_id, []).append(slug)
    return applied


async def label(
    session: AsyncSession,
    *,
    resident_id: int,
    programme: str,
    text: str,
    staff_id: int | None,
    hub_scope: int | None,
) -> TalentLabel:
    """Label a resident's description (again: the new label replaces the old one).

    `text` is the description as the coordinator edited it. Raises DescriptionMissing, or
    LabelRefused for an unknown programme or an empty text.
    """
    query = (
        select(TalentProfile, Resident.language)
        .join(Resident, Resident.id == TalentProfile.resident_id)
        .where(TalentProfile.resident_id == resident_id, TalentProfile.description.is_not(None))
    )
    if hub_scope is not None:
        query = query.where(Resident.hub_id == hub_scope)
    found = (await session.execute(query)).first()
    if found is None:
        raise DescriptionMissing(resident_id)
    if programme not in PROGRAMMES:
        raise LabelRefused(N_("Choose one of the programmes."))
    # As residents' texts are read: a zero-width mark alone is no text.
    words = " ".join(clean_incoming(text).split())
    if not words:
        raise LabelRefused(N_("The text is empty."))
    existing = await session.scalar(
        select(TalentLabel).where(TalentLabel.resident_id == resident_id)
    )
    if existing is None:
        existing = TalentLabel(resident_id=resident_id)
        session.add(existing)
    existing.text = words
    existing.language = found.language or "und"
    existing.programme = programme
    existing.staff_id = staff_id
    existing.exported = False
    await session.flush()
    return existing


async def export_pending(
    session: AsyncSession, *, examples_dir: Path, measurement_sets: Path = MEASUREMENT_SETS
) -> LabelExport:
    """Append every label not yet exported to examples_dir/<language>.yml; mark it exported."""
    pending = list(
        await session.scalars(
            select(TalentLabel).where(TalentLabel.exported.is_(False)).order_by(TalentLabel.id)
        )
    )
    # Plain values into the thread: the ORM rows belong to the session's event loop.
    labels = [(row.text, row.language, row.programme) for row in pending]
    report = await asyncio.to_thread(_write, examples_dir, measurement_sets, labels)
    for row in pending:
        row.exported = True
    await session.flush()
    return report


def _write(
    examples_dir: Path, measurement_sets: Path, labels: list[tuple[str, str, str]]
) -> LabelExport:
    measured = _texts_of(measurement_sets.glob("match*/*.yml"))
    present = _texts_of(examples_dir.glob("*.yml"))
    written = already = refused = 0
    by_language: dict[str, list[dict[str, object]]] = {}
    for text, language, programme in labels:
        if text in measured:
            refused += 1
        elif text in present:
            already += 1
        else:
            present.add(text)
            by_language.setdefault(language, []).append(
                {"text": text, "programmes": [programme], "kind": "staff"}
            )
            written += 1
    examples_dir.mkdir(parents=True, exist_ok=True)
    for language, entries in by_language.items():
        path = examples_dir / f"{language}.yml"
        before = path.read_text("utf-8") if path.exists() else STAFF_EXAMPLES_HEADER
        dumped = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000)
        path.write_text(before.rstrip("\n") + "\n" + dumped, "utf-8")
    return LabelExport(written=written, already_there=already, measured=refused)


def _texts_of(paths: Iterable[Path]) -> set[str]:
    texts: set[str] = set()
    for path in paths:
        for entry in yaml.safe_load(path.read_text("utf-8")) or []:
            texts.add(" ".join(str(entry["text"]).split()))
    return texts
