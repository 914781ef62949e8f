"""Load the hub's content (hubs, answers, services, programmes, events) from YAML files.

The YAML files are the source of truth for what they contain: importing twice changes
nothing, and a service removed from the files is removed from the database. An item changed
in the dashboard since, or made there (its version is above 1), is the dashboard's: its texts
and details are kept, and a service of the dashboard's is not deleted for missing from the
files. A service removed in the dashboard (named in the audit log) is not brought back.
Told to overwrite edits, the import puts the files' texts, details and removed services back
(services made in the dashboard stay). `make run` imports on every start and must not undo a
coordinator's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db import repositories
from db.content_schema import (
    CONTENT_LANGUAGES,
    EventFile,
    EventsFile,
    IntentContentFile,
    ProgrammeFile,
    ProgrammesFile,
    ServiceFile,
)
from db.models import (
    Answer,
    AnswerText,
    AuditEntry,
    Event,
    Hub,
    Programme,
    ProgrammeRun,
    ProgrammeStage,
    ReviewStatus,
    Service,
    ServiceText,
)

HUB_FIELDS = (
    "city",
    "timezone",
    "names",
    "address",
    "opening_hours",
    "phone",
    "email",
    "default_language",
)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import loaded."""

    hubs: int
    answers: int = 0
    services: int = 0
    programmes: int = 0
    events: int = 0
    # Items whose texts were edited in the dashboard and kept: "answers:housing", ...
    kept: tuple[str, ...] = ()
    # Services of the files that were removed in the dashboard and stay removed.
    removed: tuple[str, ...] = ()


class ContentError(ValueError):
    """The content files are not valid."""


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: not valid YAML: {error}") from error


def read_hubs(content_dir: Path) -> list[dict[str, Any]]:
    """Read and check `hubs.yml`."""
    path = content_dir / "hubs.yml"
    data = _load_yaml(path) or {}
    hubs = data.get("hubs")
    if not isinstance(hubs, list):
        raise ContentError(f"{path}: expected a list under 'hubs'")
    for hub in hubs:
        if not isinstance(hub, dict) or not hub.get("slug") or not hub.get("city"):
            raise ContentError(f"{path}: every hub needs a slug and a city: {hub!r}")
        if hub.get("default_language", "de") not in CONTENT_LANGUAGES:
            raise ContentError(f"{path}: hub {hub['slug']}: unknown default_language")
    return hubs


def read_intent_files(content_dir: Path) -> list[IntentContentFile]:
    """Read and check every `answers/<intent>.yml`."""
    files = []
    for path in sorted((content_dir / "answers").glob("*.yml")):
        try:
            files.append(IntentContentFile.model_validate(_load_yaml(path)))
        except ValidationError as error:
            raise ContentError(f"{path}: {error}") from error
    slugs = [service.slug for file in files for service in file.services]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise ContentError(f"service slugs used twice: {', '.join(duplicates)}")
    return files


class _Edits:
    """Decide whether an item's texts are imported, and note the ones kept."""

    def __init__(self, *, keep: bool) -> None:
        self._keep = keep
        self.kept: list[str] = []

    def keeps(self, kind: str, name: str, version: int | None) -> bool:
        """Tell whether to keep the texts edited in the dashboard (version above 1)."""
        if self._keep and version is not None and version > 1:
            self.kept.append(f"{kind}:{name}")
            return True
        return False


async def import_content(
    session: AsyncSession, content_dir: Path, *, keep_edits: bool = True
) -> ImportReport:
    """Create or update everything in the content folder; the caller commits.

    With `keep_edits`, texts changed in the dashboard stay; everything else is imported.
    """
    edits = _Edits(keep=keep_edits)
    hubs_data = read_hubs(content_dir)
    intent_files = read_intent_files(content_dir)
    hubs: dict[str, Hub] = {}
    for hub in hubs_data:
        fields = {name: hub[name] for name in HUB_FIELDS if name in hub}
        hubs[str(hub["slug"])] = await repositories.upsert_hub(
            session, slug=str(hub["slug"]), fields=fields
        )
    for file in intent_files:
        await _import_answer(session, file, edits)
    services = [service for file in intent_files for service in file.services]
    removed = await removed_services(session) if keep_edits else set()
    for file in intent_files:
        for service in file.services:
            if service.hub not in hubs:
                raise ContentError(f"service {service.slug}: unknown hub {service.hub!r}")
            if service.slug not in removed:
                await _import_service(session, file.intent, service, hubs[service.hub], edits)
    await session.execute(
        delete(Service).where(Service.slug.not_in([s.slug for s in services]), Service.version == 1)
    )
    await session.flush()
    programmes = read_programmes(content_dir)
    for programme in programmes:
        await _import_programme(session, programme, hubs, edits)
    events = read_events(content_dir)
    for event in events:
        await upsert_event(session, event, hubs, edits=edits)
    return ImportReport(
        hubs=len(hubs),
        answers=len(intent_files),
        services=len(services),
        programmes=len(programmes),
        events=len(events),
        kept=tuple(edits.kept),
        removed=tuple(sorted(removed & {service.slug for service in services})),
    )


REMOVED_SERVICE = "services:"


async def removed_services(session: AsyncSession) -> set[str]:
    """Return the slugs of the services removed in the dashboard (from the audit log)."""
    targets = await session.scalars(
        select(AuditEntry.target).where(
            AuditEntry.action == "content.remove",
            AuditEntry.target.startswith(REMOVED_SERVICE),
        )
    )
    return {target.removeprefix(REMOVED_SERVICE) for target in targets if target}


def read_events(content_dir: Path) -> list[EventFile]:
    """Read and check `events.yml` (optional)."""
    path = content_dir / "events.yml"
    if not path.exists():
        return []
    try:
        return EventsFile.model_validate(_load_yaml(path)).events
    except ValidationError as error:
        raise ContentError(f"{path}: {error}") from error


async def upsert_event(
    session: AsyncSession, data: EventFile, hubs: dict[str, Hub], *, edits: _Edits | None = None
) -> Event:
    """Create or update an event by slug; its local times are read in the hub's time zone.

    An event's RSVPs and reminder survive a re-import: the row is updated in place.
    """
    if data.hub not in hubs:
        raise ContentError(f"event {data.slug}: unknown hub {data.hub!r}")
    hub = hubs[data.hub]
    zone = ZoneInfo(hub.timezone)
    result = await session.execute(select(Event).where(Event.slug == data.slug))
    event = result.scalar_one_or_none() or Event(slug=data.slug)
    if edits is not None and edits.keeps("events", data.slug, event.version):
        return event
    event.hub_id, event.hub = hub.id, hub
    event.titles, event.descriptions = dict(data.titles), dict(data.descriptions)
    event.source_language = data.source_language
    event.statuses = {}
    event.starts_at = _utc(data.starts, zone)
    event.ends_at = _utc(data.ends, zone)
    event.room, event.capacity, event.topics = data.room, data.capacity, list(data.topics)
    session.add(event)
    await session.flush()
    return event


def _utc(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    return local.astimezone(UTC)


def read_programmes(content_dir: Path) -> list[ProgrammeFile]:
    """Read and check `programmes.yml` (optional)."""
    path = content_dir / "programmes.yml"
    if not path.exists():
        return []
    try:
        return ProgrammesFile.model_validate(_load_yaml(path)).programmes
    except ValidationError as error:
        raise ContentError(f"{path}: {error}") from error


async def _import_programme(
    session: AsyncSession, data: ProgrammeFile, hubs: dict[str, Hub], edits: _Edits
) -> None:
    result = await session.execute(
        select(Programme).where(Programme.slug == data.slug).options(selectinload(Programme.runs))
    )
    programme = result.scalar_one_or_none() or Programme(slug=data.slug, runs=[])
    if not edits.keeps("programmes", data.slug, programme.version):
        programme.names, programme.summaries = dict(data.names), dict(data.summaries)
        programme.descriptions = dict(data.descriptions)
        programme.status = ReviewStatus.REVIEWED
        programme.statuses = {}
    session.add(programme)
    await session.flush()
    existing = {run.hub_id: run for run in programme.runs}
    for hub_slug, run_data in data.hubs.items():
        if hub_slug not in hubs:
            raise ContentError(f"programme {data.slug}: unknown hub {hub_slug!r}")
        hub = hubs[hub_slug]
        run = existing.pop(hub.id, None)
        if run is None:
            run = ProgrammeRun(programme_id=programme.id, hub_id=hub.id, stages=[])
            session.add(run)
        run.capacity, run.times = run_data.capacity, list(run_data.times)
        run.languages = list(run_data.languages)
        run.coordinator_name = run_data.coordinator.name
        run.coordinator_email = run_data.coordinator.email
        await session.flush()
        # Stages are few and have no identity of their own: replace them.
        run.stages.clear()
        await session.flush()
        run.stages.extend(
            ProgrammeStage(position=index, stage=stage.stage, starts=stage.starts, ends=stage.ends)
            for index, stage in enumerate(run_data.stages)
        )
    for run in existing.values():
        await session.delete(run)
    await session.flush()


async def _import_answer(session: AsyncSession, file: IntentContentFile, edits: _Edits) -> None:
    result = await session.execute(
        select(Answer).where(Answer.intent == file.intent, Answer.hub_id.is_(None))
    )
    answer = result.scalar_one_or_none() or Answer(intent=file.intent, hub_id=None, texts=[])
    if edits.keeps("answers", file.intent, answer.version):
        return
    wanted = {language: {"text": text} for language, text in file.answer.items()}
    _sync_texts(answer.texts, wanted, AnswerText)
    session.add(answer)
    await session.flush()


async def _import_service(
    session: AsyncSession, intent: str, data: ServiceFile, hub: Hub, edits: _Edits
) -> None:
    result = await session.execute(select(Service).where(Service.slug == data.slug))
    service = result.scalar_one_or_none() or Service(slug=data.slug, texts=[])
    if edits.keeps("services", data.slug, service.version):
        return
    service.hub_id = hub.id
    service.intent = intent
    service.partner = data.partner
    service.address = data.address
    service.phone = data.phone
    service.url = data.url
    service.staff_languages = list(data.staff_languages)
    hours = data.opening_hours or {}
    wanted = {
        language: {
            "title": data.title[language],
            "body": data.body[language],
            "opening_hours": hours.get(language),
        }
        for language in data.title
    }
    _sync_texts(service.texts, wanted, ServiceText)
    session.add(service)
    await session.flush()


def read_terms(content_dir: Path) -> list[str]:
    """Read the German office words of `terms.yml`."""
    path = content_dir / "terms.yml"
    if not path.exists():
        return []
    data = _load_yaml(path) or {}
    return [str(term) for term in data.get("terms") or []]


TextRow = TypeVar("TextRow", AnswerText, ServiceText)


def _sync_texts(
    rows: list[TextRow], wanted: dict[str, dict[str, Any]], make: type[TextRow]
) -> None:
    """Make a content item's per-language rows match the file, updating rows in place.

    In place because the (item, language) pair is unique: replacing the rows would insert
    the new ones before the old ones are deleted.
    """
    existing = {row.language: row for row in rows}
    for language, fields in wanted.items():
        row = existing.pop(language, None)
        if row is None:
            row = make(language=language)
            rows.append(row)
        for name, value in fields.items():
            setattr(row, name, value)
        row.status = ReviewStatus.REVIEWED
    for row in existing.values():
        rows.remove(row)


def read_term_explanations(content_dir: Path) -> dict[str, dict[str, str]]:
    """Read `terms_explained.yml`: explanations per language, by lowercase term and variant."""
    path = content_dir / "terms_explained.yml"
    if not path.exists():
        return {}
    data = _load_yaml(path) or {}
    explained: dict[str, dict[str, str]] = {}
    for entry in data.get("terms") or []:
        texts = {str(code): str(text) for code, text in (entry.get("explanations") or {}).items()}
        for word in [entry.get("term"), *(entry.get("variants") or [])]:
            if word:
                explained[str(word).lower()] = texts
    return explained
