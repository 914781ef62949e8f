"""hubbot's tables: hubs, residents, staff, messages, content, programmes, talent, flows."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, utcnow


class ConsentDecision(StrEnum):
    """What a resident answered to the privacy notice."""

    ACCEPTED = "accepted"
    DECLINED = "declined"


class Direction(StrEnum):
    """Who wrote a logged message."""

    INCOMING = "in"
    OUTGOING = "out"


class StaffRole(StrEnum):
    """What a staff member may do; the dashboard refines this."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    STAFF = "staff"


class Hub(Base):
    """An Integration Hub: a neighbourhood centre with its incubator programmes."""

    __tablename__ = "hubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    city: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(40), default="Europe/Berlin")
    # Per-language texts: {"de": "...", "ar": "..."}; staff-written content, not personal data.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(String(200), default="")
    opening_hours: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The language the hub's own content is written in; it may never be left empty.
    default_language: Mapped[str] = mapped_column(String(8), default="de", server_default="de")

    def name_in(self, language: str) -> str:
        """Return the hub's name in a language, falling back to German, then the city."""
        return self.names.get(language) or self.names.get("de") or self.city

    def opening_hours_in(self, language: str) -> str:
        """Return the opening hours in a language, falling back to German."""
        return self.opening_hours.get(language) or self.opening_hours.get("de", "")


class Resident(Base):
    """A person who writes to hubbot: newcomer or long-time local.

    Stores the minimum: Telegram ids to reply, the chosen language and hub, the consent
    decision. No names, no phone numbers. Free text is only kept with consent.
    """

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(8))
    telegram_language_code: Mapped[str | None] = mapped_column(String(16))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    consent_decision: Mapped[str | None] = mapped_column(String(10))
    consent_version: Mapped[int | None]
    consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_at: Mapped[datetime | None]

    hub: Mapped[Hub | None] = relationship(lazy="raise")
    messages: Mapped[list[MessageLog]] = relationship(
        back_populates="resident",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )

    def stores_text(self, consent_version: int) -> bool:
        """Tell whether this resident accepted the current privacy notice."""
        return (
            self.consent_decision == ConsentDecision.ACCEPTED
            and self.consent_version == consent_version
        )


class Staff(Base):
    """A hub worker or coordinator; the bot knows them by Telegram user id."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    role: Mapped[str] = mapped_column(String(20), default=StaffRole.STAFF)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageLog(Base):
    """One message to or from a resident: metadata always, text only with consent."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_resident_created", "resident_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(20), default="text")
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    # answered, unsure (low confidence), unavailable (nothing understood), emergency, ...
    outcome: Mapped[str | None] = mapped_column(String(20))
    # The likeliest intents and their confidence, best first, as [[intent, confidence], ...]:
    # what a coordinator needs to see why a question went unanswered.
    scores: Mapped[list[list[Any]] | None] = mapped_column(JSON)
    # The resident's "Was this helpful?" answer about the reply to this question.
    helpful: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship(back_populates="messages", lazy="raise")

    def as_export(self) -> dict[str, Any]:
        """Return the row as the resident sees it in /mydata."""
        return {
            "direction": self.direction,
            "kind": self.kind,
            "text": self.text,
            "language": self.language,
            "intent": self.intent,
            "confidence": self.confidence,
            "scores": self.scores,
            "outcome": self.outcome,
            "helpful": self.helpful,
            "time": self.created_at.isoformat(),
        }


class ProcessedUpdate(Base):
    """A Telegram update id already handled, so a redelivered update is handled once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewStatus(StrEnum):
    """Whether a text was checked by a person."""

    REVIEWED = "reviewed"
    NEEDS_REVIEW = "needs_review"
    MACHINE_TRANSLATED = "machine_translated"


class Answer(Base):
    """What hubbot says about an intent, for every hub or one hub."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("intent", "hub_id", name="uq_answers_intent_hub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intent: Mapped[str] = mapped_column(String(64), index=True)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped by every edit in the dashboard; an edit made on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    texts: Mapped[list[AnswerText]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", lazy="selectin"
    )

    def text_in(self, language: str) -> AnswerText | None:
        """Return the text in a language, if there is one."""
        return next((text for text in self.texts if text.language == language), None)


class AnswerText(Base):
    """One language's version of an answer."""

    __tablename__ = "answer_texts"
    __table_args__ = (UniqueConstraint("answer_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.REVIEWED)

    answer: Mapped[Answer] = relationship(back_populates="texts", lazy="raise")


class Service(Base):
    """A concrete offer for an intent at one hub: counselling hours, a course, a clinic."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    intent: Mapped[str] = mapped_column(String(64), index=True)
    partner: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(String(300))
    staff_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    texts: Mapped[list[ServiceText]] = relationship(
        back_populates="service", cascade="all, delete-orphan", lazy="selectin"
    )

    def text_in(self, language: str) -> ServiceText | None:
        """Return the text in a language, if there is one."""
        return next((text for text in self.texts if text.language == language), None)


class ServiceText(Base):
    """One language's version of a service's title, description and hours."""

    __tablename__ = "service_texts"
    __table_args__ = (UniqueConstraint("service_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    opening_hours: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.REVIEWED)

    service: Mapped[Service] = relationship(back_populates="texts", lazy="raise")


class HandoverStatus(StrEnum):
    """Where a request to talk to a person stands."""

    OPEN = "open"
    CLOSED = "closed"


class Handover(Base):
    """A resident's request to talk to a person, answered by staff in the staff chat."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=HandoverStatus.OPEN)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # How staff closed it (HandoverOutcome); None when the resident ended it or it is open.
    outcome: Mapped[str | None] = mapped_column(String(20))

    resident: Mapped[Resident] = relationship(lazy="raise")


class TranslationMemoryEntry(Base):
    """A translation made once and reused: by a provider, or corrected by a person."""

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("source_hash", "target_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of source language and text: the text itself can be long.
    source_hash: Mapped[str] = mapped_column(String(64))
    source_language: Mapped[str] = mapped_column(String(8))
    target_language: Mapped[str] = mapped_column(String(8))
    source_text: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(String(40))
    reviewed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Programmes and talent matching (issue 5)


class Programme(Base):
    """An incubator programme of the hubs, e.g. kitchen-lab; texts per language."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    summaries: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.REVIEWED)
    # Review status per language ({"ar": "machine_translated"}); a language not named here
    # was written by people (the content files).
    statuses: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    runs: Mapped[list[ProgrammeRun]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", lazy="raise"
    )

    def text_in(self, field: str, language: str) -> str:
        """Return names/summaries/descriptions in a language, falling back to German."""
        texts: dict[str, str] = getattr(self, field)
        fallback = "fa" if language == "prs" else "de"
        return texts.get(language) or texts.get(fallback) or texts.get("de", self.slug)


class ProgrammeRun(Base):
    """A programme at one hub: places, meeting times, languages, coordinator, curriculum."""

    __tablename__ = "programme_runs"
    __table_args__ = (UniqueConstraint("programme_id", "hub_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    capacity: Mapped[int]
    # mornings, afternoons, evenings, weekends
    times: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    coordinator_name: Mapped[str] = mapped_column(String(120))
    coordinator_email: Mapped[str | None] = mapped_column(String(200))

    programme: Mapped[Programme] = relationship(back_populates="runs", lazy="joined")
    stages: Mapped[list[ProgrammeStage]] = relationship(
        cascade="all, delete-orphan", order_by="ProgrammeStage.position", lazy="selectin"
    )


class ProgrammeStage(Base):
    """One stage of a run's incubation curriculum: idea, team, prototype, launch."""

    __tablename__ = "programme_stages"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("programme_runs.id", ondelete="CASCADE"))
    position: Mapped[int]
    stage: Mapped[str] = mapped_column(String(20))
    starts: Mapped[date]
    ends: Mapped[date]


class FlowProgress(Base):
    """Where a resident is in a multi-step flow; kept so that a flow survives restarts."""

    __tablename__ = "flow_progress"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(24))
    step: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    history: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TalentProfile(Base):
    """What a resident can do and wants to do, as understood by the talent intake.

    Skills and wishes are stored as taxonomy ids; the resident's own words only with consent.
    """

    __tablename__ = "talent_profiles"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    wishes: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    wishes_text: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    times: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_ok: Mapped[bool] = mapped_column(default=False)
    # Programme slugs the resident said are not for them.
    declined: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def as_export(self) -> dict[str, Any]:
        """Return the profile as the resident sees it in /mydata."""
        return {
            "skills": self.skills,
            "wishes": self.wishes,
            "description": self.description,
            "wishes_text": self.wishes_text,
            "languages": self.languages,
            "times": self.times,
            "contact_ok": self.contact_ok,
            "declined_programmes": self.declined,
        }


class ApplicationStatus(StrEnum):
    """Where an application to a programme stands."""

    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Application(Base):
    """A resident's application to a programme run at their hub."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("resident_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("programme_runs.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    run: Mapped[ProgrammeRun] = relationship(lazy="joined")

    def as_export(self) -> dict[str, Any]:
        """Return the application as the resident sees it in /mydata."""
        return {
            "programme": self.run.programme.slug,
            "status": self.status,
            "time": self.created_at.isoformat(),
        }


class TalentLabel(Base):
    """The programme a coordinator says a resident's self-description fits, to teach the matcher.

    Only the words go to content/skills/examples/staff/, as staff edited them (names and places
    taken out), never who wrote them; the copy is deleted with the resident (`/delete`) until
    it has been exported.
    """

    __tablename__ = "talent_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: labelling a description again corrects the label rather than adding another.
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    programme: Mapped[str] = mapped_column(String(40))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    exported: Mapped[bool] = mapped_column(default=False)


# Broadcasts (issue 6)


class Topic(StrEnum):
    """What a resident can subscribe to at their hub."""

    EVENTS = "events"
    PROGRAMMES = "programmes"
    JOBS = "jobs"
    LANGUAGE_COURSES = "language_courses"


class Subscription(Base):
    """A resident's choice to hear about one topic from their hub."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("resident_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BroadcastStatus(StrEnum):
    """Where a broadcast stands: composed, queued, going out, finished."""

    DRAFT = "draft"
    READY = "ready"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Base):
    """A message from staff to many residents; the draft lives here, never in memory."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_staff_status", "staff_user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # The staff member's Telegram user and chat: the draft is found and reported by them.
    staff_user_id: Mapped[int] = mapped_column(BigInteger)
    staff_chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=BroadcastStatus.DRAFT)
    # Compose step of a draft: text, target, time, review; correct:<lang> awaits a text.
    step: Mapped[str] = mapped_column(String(20), default="text")
    source_language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str | None] = mapped_column(Text)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    # Empty topics: a service notice for everyone at the hub; empty languages: every language.
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    critical: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    send_after: Mapped[datetime | None]
    # Only residents who said they will come to this event (e.g. its reminder).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    texts: Mapped[list[BroadcastText]] = relationship(
        back_populates="broadcast", cascade="all, delete-orphan", lazy="selectin"
    )

    def text_in(self, language: str) -> BroadcastText | None:
        """Return the text in a language, if there is one."""
        return next((text for text in self.texts if text.language == language), None)


class BroadcastText(Base):
    """One language's version of a broadcast, machine-translated or written by a person."""

    __tablename__ = "broadcast_texts"
    __table_args__ = (UniqueConstraint("broadcast_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    machine: Mapped[bool] = mapped_column(default=False)
    reviewed: Mapped[bool] = mapped_column(default=False)

    broadcast: Mapped[Broadcast] = relationship(back_populates="texts", lazy="raise")


class OutboxStatus(StrEnum):
    """Where one recipient's copy of a broadcast stands."""

    # Held: a critical broadcast's translation waits for a person's review.
    HELD = "held"
    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    """One recipient of one broadcast; the sender worker leases, sends and marks it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "resident_id"),
        Index("ix_outbox_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    leased_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]


# Events (issue 6)


class Event(Base):
    """Something on at a hub: texts per language, times in UTC, room, places, topics."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_hub_starts", "hub_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    # Per-language texts written by staff; missing languages are machine-translated on show.
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_language: Mapped[str] = mapped_column(String(8), default="de")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    room: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int | None]
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    cancelled: Mapped[bool] = mapped_column(default=False)
    # Set in the transaction that queues the reminder, so it is queued exactly once. (No
    # foreign key: broadcasts already point at events.)
    reminder_broadcast_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Review status per language, as for programmes.
    statuses: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    hub: Mapped[Hub] = relationship(lazy="joined", innerjoin=True)


class RsvpStatus(StrEnum):
    """A resident's answer to an event."""

    GOING = "going"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class EventRsvp(Base):
    """ "I'll come": a place, or a place on the waiting list (first come, first served)."""

    __tablename__ = "event_rsvps"
    __table_args__ = (UniqueConstraint("event_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10))
    # Waiting-list order: when the resident asked for a place.
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(lazy="joined")


# Dashboard (issue 7)


class StaffAccount(Base):
    """A staff member's dashboard login: an argon2id hash, never the password itself.

    Kept beside `staff` (one row per member) so the bot's staff table stays as it is; the
    dashboard and the bot share the member, and with it the Telegram user id.
    """

    __tablename__ = "staff_accounts"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # The dashboard's language for this member: de or en.
    ui_language: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    staff: Mapped[Staff] = relationship(lazy="joined")


class DashboardSession(Base):
    """A signed-in browser; the cookie holds a random token, the table only its hash."""

    __tablename__ = "dashboard_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class LoginAttempt(Base):
    """A failed sign-in, counted per e-mail and per address to slow down guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One staff action in the dashboard or the CLI: who, what, when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # Copied, so the entry still names the member after the account is deleted.
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewState(StrEnum):
    """Where a coordinator's review of a message stands."""

    NEEDS_REVIEW = "needs_review"
    RESOLVED = "resolved"
    WONT_FIX = "wont_fix"


class ReviewReason(StrEnum):
    """Why a message needed a review."""

    MISUNDERSTOOD = "misunderstood"
    MISSING_CONTENT = "missing_content"
    WRONG_LANGUAGE = "wrong_language"
    OUTDATED_ANSWER = "outdated_answer"


class MessageReview(Base):
    """The current review state of one logged message; its history is in the audit log."""

    __tablename__ = "message_reviews"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Handover inbox (issue 7)


class HandoverOutcome(StrEnum):
    """How a request to talk to a person ended, as staff record it when closing."""

    RESOLVED = "resolved"
    REFERRED = "referred"
    NO_REPLY = "no_reply"
    OTHER = "other"


class HandoverMessage(Base):
    """One message of a handover's thread: the resident's or a staff member's.

    The resident asked for a person, so the thread keeps its texts for that purpose, whatever
    the consent to keep other texts: staff must read what they answer. The texts are blanked
    by the retention job like every message text, and the rows go with /delete.
    """

    __tablename__ = "handover_messages"
    __table_args__ = (Index("ix_handover_messages_handover_created", "handover_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id", ondelete="CASCADE"))
    # in: resident to staff; out: staff to resident.
    direction: Mapped[str] = mapped_column(String(3))
    # The words as written, in `language`; None once retention removed them.
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    # The reader's version (staff language for the resident's words, and vice versa).
    translation: Mapped[str | None] = mapped_column(Text)
    translation_language: Mapped[str | None] = mapped_column(String(8))
    # Who answered: a dashboard member, or a Telegram user in the staff chat.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    staff_telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)
    # False: Telegram did not take a staff message (down, or the resident blocked hubbot).
    delivered: Mapped[bool] = mapped_column(default=True)
    # The logged message this is, so the conversation page can show its translation.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def as_export(self) -> dict[str, Any]:
        """Return the message as the resident sees it in /mydata (without staff ids)."""
        return {
            "direction": self.direction,
            "text": self.text,
            "language": self.language,
            "translation": self.translation,
            "translation_language": self.translation_language,
            "delivered": self.delivered,
            "time": self.created_at.isoformat(),
        }


# Annotation and retraining (issue 7)


class Annotation(Base):
    """A staff member's label for a resident's question, waiting to become training data.

    Only the words that go into `nlu_data/` are copied, never who wrote them; the copy is
    deleted with the resident (`/delete`) until it has been exported.
    """

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: annotating a question again corrects its label rather than adding another.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    # The NLU data folder it goes to (Dari is trained as `fa`).
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    exported: Mapped[bool] = mapped_column(default=False)


class RetrainStatus(StrEnum):
    """Where a retraining run stands."""

    RUNNING = "running"
    LOADED = "loaded"
    KEPT = "kept"
    FAILED = "failed"


class RetrainRun(Base):
    """One press of Retrain: export, train, compare on the held-out tests, maybe hot-load."""

    __tablename__ = "retrain_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=RetrainStatus.RUNNING)
    # exporting, training, evaluating, loading: what a page reload shows while it runs.
    step: Mapped[str] = mapped_column(String(20), default="exporting")
    model_name: Mapped[str | None] = mapped_column(String(80))
    old_accuracy: Mapped[float | None] = mapped_column(Float)
    new_accuracy: Mapped[float | None] = mapped_column(Float)
    examples_added: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
