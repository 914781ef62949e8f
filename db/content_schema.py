"""The shape of the hub content files, checked before anything is written to the database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CONTENT_LANGUAGES = ("de", "en", "ar", "fa", "prs", "uk", "ru", "tr", "fr")

INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "bot_capabilities",
    "hub_info",
    "housing",
    "language_course",
    "job_support",
    "qualification_recognition",
    "legal_advice",
    "health",
    "childcare_school",
    "documents_help",
    "money_benefits",
    "programmes_info",
    "offer_talent",
    "events",
    "volunteer",
    "human_handover",
    "delete_my_data",
    "out_of_scope",
)

# Placeholders an answer may use; they are filled from the resident's hub.
ANSWER_PLACEHOLDERS = ("{hub}", "{address}", "{opening_hours}", "{phone}", "{email}")

Texts = dict[str, str]


def _complete(value: Texts) -> Texts:
    missing = [code for code in CONTENT_LANGUAGES if not value.get(code, "").strip()]
    if missing:
        raise ValueError(f"missing languages: {', '.join(missing)}")
    unknown = sorted(set(value) - set(CONTENT_LANGUAGES))
    if unknown:
        raise ValueError(f"unknown languages: {', '.join(unknown)}")
    return {code: text.strip() for code, text in value.items()}


class ServiceFile(BaseModel):
    """A concrete offer at one hub or by a partner: counselling hours, a course, a clinic."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9-]{3,60}$")
    hub: str
    partner: str | None = None
    address: str | None = None
    phone: str | None = None
    url: str | None = None
    staff_languages: list[str] = Field(default_factory=list)
    title: Texts
    body: Texts
    opening_hours: Texts | None = None

    _check_title = field_validator("title", "body")(_complete)

    @field_validator("opening_hours")
    @classmethod
    def _check_hours(cls, value: Texts | None) -> Texts | None:
        return None if value is None else _complete(value)


class IntentContentFile(BaseModel):
    """Everything hubbot says about one intent: a general answer and the hubs' services."""

    model_config = ConfigDict(extra="forbid")

    intent: str
    answer: Texts
    services: list[ServiceFile] = Field(default_factory=list)

    _check_answer = field_validator("answer")(_complete)

    @field_validator("intent")
    @classmethod
    def _known_intent(cls, value: str) -> str:
        if value not in INTENTS:
            raise ValueError(f"unknown intent {value!r}")
        return value


PROGRAMMES = (
    "kitchen-lab",
    "repair-and-make",
    "digital-lab",
    "language-bridges",
    "green-commons",
    "culture-collective",
    "care-circle",
    "founders-studio",
    "sports-and-youth",
)
STAGES = ("idea", "team", "prototype", "launch")
MEETING_TIMES = ("mornings", "afternoons", "evenings", "weekends")


class StageFile(BaseModel):
    """One stage of the incubation curriculum."""

    model_config = ConfigDict(extra="forbid")

    stage: Literal["idea", "team", "prototype", "launch"]
    starts: date
    ends: date


class CoordinatorFile(BaseModel):
    """Who runs a programme at a hub."""

    model_config = ConfigDict(extra="forbid")

    name: str
    email: str | None = None


class ProgrammeRunFile(BaseModel):
    """A programme at one hub."""

    model_config = ConfigDict(extra="forbid")

    capacity: int = Field(ge=1, le=500)
    times: list[Literal["mornings", "afternoons", "evenings", "weekends"]] = Field(min_length=1)
    languages: list[str] = Field(min_length=1)
    coordinator: CoordinatorFile
    stages: list[StageFile]

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CONTENT_LANGUAGES))
        if unknown:
            raise ValueError(f"unknown languages: {', '.join(unknown)}")
        return value

    @field_validator("stages")
    @classmethod
    def _curriculum(cls, value: list[StageFile]) -> list[StageFile]:
        if tuple(stage.stage for stage in value) != STAGES:
            raise ValueError(f"stages must be {', '.join(STAGES)}, in this order")
        for stage, following in zip(value, value[1:], strict=False):
            if not stage.starts <= stage.ends <= following.starts:
                raise ValueError(f"stage {stage.stage} must end before {following.stage} starts")
        return value


class ProgrammeFile(BaseModel):
    """An incubator programme: texts in every language and its runs per hub."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    names: Texts
    summaries: Texts
    descriptions: Texts
    hubs: dict[str, ProgrammeRunFile]

    _check_texts = field_validator("names", "summaries", "descriptions")(_complete)

    @field_validator("slug")
    @classmethod
    def _known_programme(cls, value: str) -> str:
        if value not in PROGRAMMES:
            raise ValueError(f"unknown programme {value!r}; known: {', '.join(PROGRAMMES)}")
        return value


class ProgrammesFile(BaseModel):
    """`programmes.yml`."""

    model_config = ConfigDict(extra="forbid")

    programmes: list[ProgrammeFile]


TOPICS = ("events", "programmes", "jobs", "language_courses")
Topic = Literal["events", "programmes", "jobs", "language_courses"]


class EventFile(BaseModel):
    """Something on at a hub; times are the hub's local time."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9-]{3,80}$")
    hub: str
    starts: datetime
    ends: datetime
    room: str | None = None
    capacity: int | None = Field(default=None, ge=1)
    topics: list[Topic] = Field(default_factory=lambda: list[Topic](["events"]))
    source_language: str = "de"
    titles: Texts
    descriptions: Texts = Field(default_factory=dict)

    @field_validator("titles", "descriptions")
    @classmethod
    def _known_languages(cls, value: Texts) -> Texts:
        unknown = sorted(set(value) - set(CONTENT_LANGUAGES))
        if unknown:
            raise ValueError(f"unknown languages: {', '.join(unknown)}")
        return {code: text.strip() for code, text in value.items()}

    @model_validator(mode="after")
    def _consistent(self) -> EventFile:
        if self.source_language not in self.titles:
            raise ValueError(f"event {self.slug}: no title in {self.source_language}")
        if self.ends <= self.starts:
            raise ValueError(f"event {self.slug}: ends before it starts")
        return self


class EventsFile(BaseModel):
    """`events.yml`."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventFile]
