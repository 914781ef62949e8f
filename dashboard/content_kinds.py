"""The four kinds of hub content the dashboard edits, each seen as one version per language.

Answers and services keep a row per language (with its review status); programmes and events
keep a JSON text per language and a JSON review status per language. Each kind below reads
its rows into `LanguageVersion`s and writes them back, so pages and checks need not care.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Protocol

from sqlalchemy import Select, exists, select

from bot.i18n import N_
from db.content_schema import CONTENT_LANGUAGES
from db.models import (
    Answer,
    AnswerText,
    Event,
    Programme,
    ProgrammeRun,
    ReviewStatus,
    Service,
    ServiceText,
)

MISSING: Final = "missing"
STATUSES: Final = (
    ReviewStatus.NEEDS_REVIEW,
    ReviewStatus.MACHINE_TRANSLATED,
    ReviewStatus.REVIEWED,
)


@dataclass(frozen=True, slots=True)
class TextField:
    """One translatable field; the first field of a kind is required in every version."""

    name: str
    label: str
    max_length: int
    multiline: bool = False


@dataclass(frozen=True, slots=True)
class LanguageVersion:
    """An item's texts in one language and their review status."""

    values: dict[str, str]
    status: str = MISSING

    @property
    def missing(self) -> bool:
        """Tell whether there is no text in this language."""
        return self.status == MISSING


@dataclass(slots=True)
class ItemView:
    """A content item as the dashboard shows it: its texts in every language."""

    kind: str
    id: int
    name: str
    hub_id: int | None
    version: int
    versions: dict[str, LanguageVersion]
    # Languages that may never be left empty: the hub's default (and an event's source).
    required: frozenset[str] = field(default_factory=frozenset)

    def title_in(self, language: str) -> str:
        """Return the first field in a language, else in German, else the item's name."""
        for code in (language, "de", *CONTENT_LANGUAGES):
            version = self.versions.get(code)
            if version is not None and not version.missing:
                return next(iter(version.values.values()), "") or self.name
        return self.name

    @property
    def missing_languages(self) -> list[str]:
        """Return the languages this item has no text in."""
        return [code for code in CONTENT_LANGUAGES if self.versions[code].missing]


def _empty(fields: Sequence[TextField]) -> LanguageVersion:
    return LanguageVersion({f.name: "" for f in fields})


class AnswerKind:
    """What hubbot says about an intent (per hub, or for every hub)."""

    name: ClassVar[str] = "answers"
    label: ClassVar[str] = N_("Answers")
    fields: ClassVar[tuple[TextField, ...]] = (TextField("text", N_("Text"), 3000, multiline=True),)
    model: ClassVar[type[Answer]] = Answer

    def query(self, hub_id: int | None) -> Select[Answer]:
        """Select the answers a hub uses: its own and those for every hub."""
        query = select(Answer).order_by(Answer.intent, Answer.id)
        if hub_id is not None:
            query = query.where((Answer.hub_id == hub_id) | Answer.hub_id.is_(None))
        return query

    def hub_of(self, row: Answer) -> int | None:
        """Return the hub the answer belongs to (None: every hub)."""
        return row.hub_id

    def view(self, row: Answer) -> ItemView:
        """Read the answer's texts."""
        versions = {code: _empty(self.fields) for code in CONTENT_LANGUAGES}
        for text in row.texts:
            versions[text.language] = LanguageVersion({"text": text.text}, text.status)
        return ItemView(self.name, row.id, row.intent, row.hub_id, row.version, versions)

    def apply(self, row: Answer, versions: dict[str, LanguageVersion]) -> None:
        """Write the texts back, adding and removing languages."""
        for code, version in versions.items():
            text = row.text_in(code)
            if version.missing:
                if text is not None:
                    row.texts.remove(text)
                continue
            if text is None:
                text = AnswerText(language=code)
                row.texts.append(text)
            text.text, text.status = version.values["text"], version.status


class ServiceKind:
    """A concrete offer at one hub: title, description and hours per language."""

    name: ClassVar[str] = "services"
    label: ClassVar[str] = N_("Services")
    fields: ClassVar[tuple[TextField, ...]] = (
        TextField("title", N_("Title"), 200),
        TextField("body", N_("Description"), 2000, multiline=True),
        TextField("opening_hours", N_("Opening hours"), 300),
    )
    model: ClassVar[type[Service]] = Service

    def query(self, hub_id: int | None) -> Select[Service]:
        """Select a hub's services (every hub's without one)."""
        query = select(Service).order_by(Service.intent, Service.slug)
        if hub_id is not None:
            query = query.where(Service.hub_id == hub_id)
        return query

    def hub_of(self, row: Service) -> int | None:
        """Return the service's hub."""
        return row.hub_id

    def view(self, row: Service) -> ItemView:
        """Read the service's texts."""
        versions = {code: _empty(self.fields) for code in CONTENT_LANGUAGES}
        for text in row.texts:
            values = {"title": text.title, "body": text.body}
            values["opening_hours"] = text.opening_hours or ""
            versions[text.language] = LanguageVersion(values, text.status)
        return ItemView(self.name, row.id, row.slug, row.hub_id, row.version, versions)

    def apply(self, row: Service, versions: dict[str, LanguageVersion]) -> None:
        """Write the texts back, adding and removing languages."""
        for code, version in versions.items():
            text = row.text_in(code)
            if version.missing:
                if text is not None:
                    row.texts.remove(text)
                continue
            if text is None:
                text = ServiceText(language=code)
                row.texts.append(text)
            text.title, text.body = version.values["title"], version.values["body"]
            text.opening_hours = version.values["opening_hours"] or None
            text.status = version.status


class _JsonTexts:
    """Content whose texts are JSON columns per field, with a JSON status per language."""

    fields: ClassVar[tuple[TextField, ...]]
    # Field name → the model's JSON column holding it.
    columns: ClassVar[dict[str, str]]

    def _versions(self, row: Programme | Event) -> dict[str, LanguageVersion]:
        versions = {}
        first = self.fields[0].name
        for code in CONTENT_LANGUAGES:
            values = {f.name: getattr(row, self.columns[f.name]).get(code, "") for f in self.fields}
            present = bool(values[first])
            status = row.statuses.get(code, ReviewStatus.REVIEWED) if present else MISSING
            versions[code] = LanguageVersion(values, status)
        return versions

    def apply(self, row: Programme | Event, versions: dict[str, LanguageVersion]) -> None:
        """Write the texts back; JSON columns are replaced, not changed in place."""
        columns: dict[str, dict[str, Any]] = {
            column: dict(getattr(row, column)) for column in self.columns.values()
        }
        statuses = dict(row.statuses)
        for code, version in versions.items():
            for f in self.fields:
                texts = columns[self.columns[f.name]]
                value = "" if version.missing else version.values[f.name]
                if value:
                    texts[code] = value
                else:
                    texts.pop(code, None)
            if version.missing:
                statuses.pop(code, None)
            else:
                statuses[code] = version.status
        for column, texts in columns.items():
            setattr(row, column, texts)
        row.statuses = statuses


class ProgrammeKind(_JsonTexts):
    """An incubator programme: shared by the hubs that run it."""

    name: ClassVar[str] = "programmes"
    label: ClassVar[str] = N_("Programmes")
    fields: ClassVar[tuple[TextField, ...]] = (
        TextField("name", N_("Name"), 120),
        TextField("summary", N_("Summary"), 300, multiline=True),
        TextField("description", N_("Description"), 2000, multiline=True),
    )
    columns: ClassVar[dict[str, str]] = {
        "name": "names",
        "summary": "summaries",
        "description": "descriptions",
    }
    model: ClassVar[type[Programme]] = Programme

    def query(self, hub_id: int | None) -> Select[Programme]:
        """Select the programmes (those run at a hub, with one)."""
        query = select(Programme).order_by(Programme.slug)
        if hub_id is not None:
            runs_here = (ProgrammeRun.programme_id == Programme.id) & (
                ProgrammeRun.hub_id == hub_id
            )
            query = query.where(exists().where(runs_here))
        return query

    def hub_of(self, row: Programme) -> int | None:
        """Programmes belong to no single hub."""
        return None

    def view(self, row: Programme) -> ItemView:
        """Read the programme's texts."""
        return ItemView(self.name, row.id, row.slug, None, row.version, self._versions(row))


class EventKind(_JsonTexts):
    """Something on at a hub; languages without a text are machine-translated when shown."""

    name: ClassVar[str] = "events"
    label: ClassVar[str] = N_("Events")
    fields: ClassVar[tuple[TextField, ...]] = (
        TextField("title", N_("Title"), 200),
        TextField("description", N_("Description"), 2000, multiline=True),
    )
    columns: ClassVar[dict[str, str]] = {"title": "titles", "description": "descriptions"}
    model: ClassVar[type[Event]] = Event

    def query(self, hub_id: int | None) -> Select[Event]:
        """Select a hub's events in time order."""
        query = select(Event).order_by(Event.starts_at, Event.id)
        if hub_id is not None:
            query = query.where(Event.hub_id == hub_id)
        return query

    def hub_of(self, row: Event) -> int | None:
        """Return the event's hub."""
        return row.hub_id

    def view(self, row: Event) -> ItemView:
        """Read the event's texts; its source language may not be emptied either."""
        item = ItemView(self.name, row.id, row.slug, row.hub_id, row.version, self._versions(row))
        item.required = frozenset({row.source_language})
        return item


class ContentKind(Protocol):
    """What the pages need of a kind of content; rows are the kind's own model."""

    name: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[tuple[TextField, ...]]
    model: ClassVar[type[Any]]

    def query(self, hub_id: int | None) -> Select[Any]:
        """Select the items a hub uses (every item without one)."""
        ...

    def hub_of(self, row: Any) -> int | None:
        """Return the hub an item belongs to (None: every hub)."""
        ...

    def view(self, row: Any) -> ItemView:
        """Read an item's texts."""
        ...

    def apply(self, row: Any, versions: dict[str, LanguageVersion]) -> None:
        """Write an item's texts back."""
        ...


KINDS: Final[dict[str, ContentKind]] = {
    kind.name: kind for kind in (AnswerKind(), ServiceKind(), ProgrammeKind(), EventKind())
}
