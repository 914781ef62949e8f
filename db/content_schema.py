"""The shape of the hub content files, checked before anything is written to the database."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
