"""The needs report: what a hub's residents asked about, in which languages, and what they
want to take part in, over a period."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dashboard.conversations import UNANSWERED_OUTCOMES, day_start
from dashboard.security import safe_cell
from db.models import (
    Application,
    ApplicationStatus,
    Direction,
    Event,
    EventRsvp,
    Hub,
    MessageLog,
    Programme,
    ProgrammeRun,
    Resident,
    RsvpStatus,
    TalentProfile,
)

TOP = 15


@dataclass(frozen=True, slots=True)
class Count:
    """A label and how often it occurred."""

    key: str
    count: int


@dataclass(frozen=True, slots=True)
class EventAttendance:
    """One event in the period and its answers: places taken, waiting list, cancelled."""

    slug: str
    title: str
    language: str
    hub: str
    starts_at: datetime
    capacity: int | None
    going: int
    waiting: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class NeedsReport:
    """Aggregates for one hub (or all) over a period; no personal data."""

    hub: str
    since: date
    until: date
    questions: int
    unanswered: int
    negative: int
    by_topic: list[Count]
    by_language: list[Count]
    topic_language: list[tuple[str, str, int]]
    applications: list[Count]
    talent_profiles: int
    wishes: list[Count]
    skills: list[Count]
    events: list[EventAttendance]

    @property
    def unanswered_rate(self) -> float:
        """Return the share of questions hubbot could not answer."""
        return self.unanswered / self.questions if self.questions else 0.0


def default_period(today: date) -> tuple[date, date]:
    """Return the last 30 days up to today."""
    return today - timedelta(days=29), today


def _counts(pairs: Sequence[tuple[str | None, int]]) -> list[Count]:
    counts = [Count(key or "?", count) for key, count in pairs]
    return sorted(counts, key=lambda item: (-item.count, item.key))


async def build_report(session: AsyncSession, *, hub: str, since: date, until: date) -> NeedsReport:
    """Count questions, outcomes, applications and talent profiles for a hub and period."""
    start, end = day_start(since), day_start(until + timedelta(days=1))
    hub_id = await session.scalar(select(Hub.id).where(Hub.slug == hub)) if hub else None
    if hub and hub_id is None:
        # An unknown hub has nothing to report (comparing with NULL would mean "no hub").
        hub_id = 0
    questions = (
        select(MessageLog.intent, MessageLog.language, MessageLog.outcome, MessageLog.helpful)
        .join(Resident, Resident.id == MessageLog.resident_id)
        .where(
            MessageLog.direction == Direction.INCOMING,
            MessageLog.outcome.is_not(None),
            MessageLog.created_at >= start,
            MessageLog.created_at < end,
        )
    )
    if hub:
        questions = questions.where(Resident.hub_id == hub_id)
    asked = questions.subquery()
    by_pair = await session.execute(
        select(asked.c.intent, asked.c.language, func.count())
        .group_by(asked.c.intent, asked.c.language)
        .order_by(asked.c.intent, asked.c.language)
    )
    topic_language = [(intent or "?", language or "?", n) for intent, language, n in by_pair]
    topics: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for intent, language, n in topic_language:
        topics[intent] += n
        languages[language] += n
    total = sum(topics.values())
    unanswered = await session.scalar(
        select(func.count()).select_from(asked).where(asked.c.outcome.in_(UNANSWERED_OUTCOMES))
    )
    negative = await session.scalar(
        select(func.count()).select_from(asked).where(asked.c.helpful.is_(False))
    )
    applications: Select[str, int] = (
        select(Programme.slug, func.count())
        .select_from(Application)
        .join(ProgrammeRun, ProgrammeRun.id == Application.run_id)
        .join(Programme, Programme.id == ProgrammeRun.programme_id)
        .where(
            Application.status == ApplicationStatus.SUBMITTED,
            Application.created_at >= start,
            Application.created_at < end,
        )
        .group_by(Programme.slug)
    )
    if hub:
        applications = applications.where(ProgrammeRun.hub_id == hub_id)
    profiles = select(TalentProfile.skills, TalentProfile.wishes).where(
        TalentProfile.updated_at >= start, TalentProfile.updated_at < end
    )
    if hub:
        profiles = profiles.join(Resident, Resident.id == TalentProfile.resident_id).where(
            Resident.hub_id == hub_id
        )
    skills: Counter[str] = Counter()
    wishes: Counter[str] = Counter()
    profile_count = 0
    for profile_skills, profile_wishes in await session.execute(profiles):
        profile_count += 1
        skills.update(profile_skills)
        wishes.update(profile_wishes)
    return NeedsReport(
        events=await _attendance(session, hub_id if hub else None, start, end),
        hub=hub,
        since=since,
        until=until,
        questions=total,
        unanswered=unanswered or 0,
        negative=negative or 0,
        by_topic=_counts(list(topics.items())),
        by_language=_counts(list(languages.items())),
        topic_language=topic_language,
        applications=_counts([(slug, n) for slug, n in await session.execute(applications)]),
        talent_profiles=profile_count,
        wishes=_counts(wishes.most_common(TOP)),
        skills=_counts(skills.most_common(TOP)),
    )


async def _attendance(
    session: AsyncSession, hub_id: int | None, start: datetime, end: datetime
) -> list[EventAttendance]:
    """Count the answers to each event that starts in the period, in order of time."""
    query = (
        select(Event)
        .where(Event.starts_at >= start, Event.starts_at < end)
        .order_by(Event.starts_at, Event.id)
    )
    if hub_id is not None:
        query = query.where(Event.hub_id == hub_id)
    events = (await session.scalars(query)).unique().all()
    answers = await session.execute(
        select(EventRsvp.event_id, EventRsvp.status, func.count())
        .where(EventRsvp.event_id.in_([event.id for event in events]))
        .group_by(EventRsvp.event_id, EventRsvp.status)
    )
    counts: dict[tuple[int, str], int] = {
        (event_id, status): int(n) for event_id, status, n in answers
    }
    return [
        EventAttendance(
            slug=event.slug,
            title=event.titles.get(event.source_language) or next(iter(event.titles.values()), ""),
            language=event.source_language,
            hub=event.hub.slug,
            # The day as the hub counts it: an evening event is not the next day in UTC.
            starts_at=event.starts_at.astimezone(ZoneInfo(event.hub.timezone)),
            capacity=event.capacity,
            going=counts.get((event.id, RsvpStatus.GOING), 0),
            waiting=counts.get((event.id, RsvpStatus.WAITING), 0),
            cancelled=counts.get((event.id, RsvpStatus.CANCELLED), 0),
        )
        for event in events
    ]


def report_csv(report: NeedsReport) -> str:
    """Return the report as CSV, every text cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "key", "language", "count", "hub", "since", "until"])
    period = [report.hub or "all", report.since.isoformat(), report.until.isoformat()]
    rows: list[list[object]] = [["questions", "total", "", report.questions]]
    rows.append(["questions", "unanswered", "", report.unanswered])
    rows.append(["questions", "negative_feedback", "", report.negative])
    rows += [["topic", topic, language, n] for topic, language, n in report.topic_language]
    rows += [["language", item.key, item.key, item.count] for item in report.by_language]
    rows += [["applications", item.key, "", item.count] for item in report.applications]
    rows.append(["talent_profiles", "total", "", report.talent_profiles])
    rows += [["wish", item.key, "", item.count] for item in report.wishes]
    rows += [["skill", item.key, "", item.count] for item in report.skills]
    for event in report.events:
        # Staff wrote the title: it is made safe like every other cell.
        key = f"{event.title} ({event.starts_at.date().isoformat()})"
        rows += [
            [f"event_{part}", key, event.language, count]
            for part, count in (
                ("going", event.going),
                ("waiting", event.waiting),
                ("cancelled", event.cancelled),
                ("capacity", "" if event.capacity is None else event.capacity),
            )
        ]
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in [*row, *period]])
    return buffer.getvalue()
