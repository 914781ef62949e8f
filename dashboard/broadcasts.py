"""Broadcasts in the dashboard: the compose form, what a member may see, progress.

Composing, translating, correcting, confirming and cancelling are bot.broadcasting.compose's,
the functions the Telegram /broadcast conversation uses, so both write the same rows to the
same outbox and the running worker sends them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bot.broadcasting import compose, outbox
from bot.i18n import LANGUAGE_BY_CODE, N_, is_rtl, native_name
from bot.services.translation import TranslationService
from dashboard.accounts import Viewer
from db.base import utcnow
from db.models import Broadcast, BroadcastStatus, Event, Hub, Staff

# Room for the "translated automatically" and unsubscribe lines within Telegram's 4096.
MAX_TEXT = 3500
DEFAULT_TIMEZONE = "Europe/Berlin"
RECENT = 30
UPCOMING_EVENTS = 20
# Drafts composed in the dashboard carry no Telegram user: no chat resumes them.
DASHBOARD_USER = 0

# Shown after a redirect (?notice=...): a fixed set, so the query cannot inject text.
NOTICES: dict[str, str] = {
    "approved": N_("Approved: the worker sends it now, or at the chosen time."),
    "nobody": N_("Approved, but nobody is in this target: nothing is sent."),
    "saved": N_("Corrections saved."),
    "cancelled": N_("The broadcast is cancelled; nothing more is sent."),
    "discarded": N_("The draft is discarded."),
    "not_draft": N_("This broadcast was already approved or cancelled."),
    "not_running": N_("This broadcast is no longer running."),
}


def row_id(text: str) -> int | None:
    """Return a positive database id from text, or None (PostgreSQL refuses ids past int4)."""
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def _clean(text: str) -> str:
    # Browsers send CRLF; PostgreSQL refuses NUL in text.
    return text.replace("\r\n", "\n").replace("\x00", "").strip()


class FormError(ValueError):
    """The compose form cannot be used as filled in; the message is a msgid."""


@dataclass(frozen=True, slots=True)
class ComposeForm:
    """The compose form as submitted (or empty)."""

    text: str = ""
    language: str = ""
    hub: str = ""
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    event: str = ""
    critical: bool = False
    urgent: bool = False
    send_at: str = ""

    @classmethod
    def from_form(cls, form: FormData) -> ComposeForm:
        """Read the fields; anything that is not text is ignored."""

        def text(name: str) -> str:
            value = form.get(name)
            return _clean(value) if isinstance(value, str) else ""

        def texts(name: str) -> tuple[str, ...]:
            return tuple(value for value in form.getlist(name) if isinstance(value, str))

        return cls(
            text=text("text"),
            language=text("language"),
            hub=text("hub"),
            topics=texts("topics"),
            languages=texts("languages"),
            event=text("event"),
            critical=bool(text("critical")),
            urgent=bool(text("urgent")),
            send_at=text("send_at"),
        )


@dataclass(frozen=True, slots=True)
class EventChoice:
    """An upcoming event whose guests a broadcast can reach."""

    id: int
    hub_id: int
    label: str


@dataclass(frozen=True, slots=True)
class BroadcastRow:
    """A broadcast in the list, with its hub and its recipients by state."""

    broadcast: Broadcast
    hub: str | None
    progress: outbox.Progress

    @property
    def running(self) -> bool:
        """Tell whether it is queued or going out (and can be cancelled)."""
        return self.broadcast.status in (BroadcastStatus.READY, BroadcastStatus.SENDING)


@dataclass(frozen=True, slots=True)
class LanguageText:
    """One target language of a broadcast: its text, where it came from, its recipients."""

    code: str
    name: str
    text: str
    state: str
    progress: outbox.Progress | None

    @property
    def rtl(self) -> bool:
        """Tell whether the language is written right to left."""
        return is_rtl(self.code)

    @property
    def editable(self) -> bool:
        """Tell whether staff may write this language's text (the original stays)."""
        return self.state != "original"


async def hubs_in_scope(session: AsyncSession, viewer: Viewer) -> list[Hub]:
    """Return the hubs a member may send to."""
    query = select(Hub).order_by(Hub.slug)
    if viewer.hub_scope is not None:
        query = query.where(Hub.id == viewer.hub_scope)
    return list((await session.scalars(query)).all())


async def event_choices(session: AsyncSession, viewer: Viewer, language: str) -> list[EventChoice]:
    """Return the upcoming events in the member's hubs, soonest first."""
    query = (
        select(Event)
        .where(Event.ends_at > utcnow(), Event.cancelled.is_(False))
        .order_by(Event.starts_at, Event.id)
        .limit(UPCOMING_EVENTS)
    )
    if viewer.hub_scope is not None:
        query = query.where(Event.hub_id == viewer.hub_scope)
    choices = []
    for event in (await session.scalars(query)).unique().all():
        title = event.titles.get(language) or event.titles.get(event.source_language) or event.slug
        start = event.starts_at.astimezone(ZoneInfo(event.hub.timezone)).strftime("%Y-%m-%d %H:%M")
        choices.append(EventChoice(event.id, event.hub_id, f"{event.hub.slug}: {title}, {start}"))
    return choices


async def _target_hub(session: AsyncSession, viewer: Viewer, form: ComposeForm) -> Hub | None:
    if not form.hub:
        if viewer.hub_scope is None:
            return None
        return await session.get(Hub, viewer.hub_scope)
    hub_id = row_id(form.hub)
    hub = await session.get(Hub, hub_id) if hub_id else None
    if hub is None or (viewer.hub_scope is not None and hub.id != viewer.hub_scope):
        raise FormError(N_("There is no such hub."))
    return hub


async def _target_event(session: AsyncSession, viewer: Viewer, form: ComposeForm) -> Event | None:
    if not form.event:
        return None
    choices = await event_choices(session, viewer, "en")
    chosen = next((choice for choice in choices if str(choice.id) == form.event), None)
    if chosen is None:
        raise FormError(N_("This event is not open for a broadcast."))
    return await session.get(Event, chosen.id)


def _send_after(form: ComposeForm, timezone: str) -> datetime | None:
    if not form.send_at:
        return None
    moment = compose.parse_time(form.send_at, timezone=timezone)
    if moment is None:
        raise FormError(N_("I could not read this time."))
    if moment <= utcnow():
        raise FormError(N_("This time has passed."))
    return moment


async def compose_draft(
    session: AsyncSession, *, viewer: Viewer, form: ComposeForm, translation: TranslationService
) -> Broadcast:
    """Check the form, store a draft with its target and translate it into every language."""
    if not form.text:
        raise FormError(N_("Write the message."))
    if len(form.text) > MAX_TEXT:
        raise FormError(N_("The message is too long."))
    if form.language not in LANGUAGE_BY_CODE:
        raise FormError(N_("Choose the language the message is written in."))
    hub = await _target_hub(session, viewer, form)
    event = await _target_event(session, viewer, form)
    if event is not None:
        # The guests of an event are at its hub.
        hub = event.hub
    send_after = _send_after(form, hub.timezone if hub else DEFAULT_TIMEZONE)
    staff = await session.get(Staff, viewer.staff_id)
    assert staff is not None  # a signed-in member is a staff row
    broadcast = await compose.create(
        session,
        staff=staff,
        staff_user_id=DASHBOARD_USER,
        # Private chats share the user's id: a member known to the bot hears when it is done.
        chat_id=staff.telegram_user_id or 0,
        language=form.language,
    )
    compose.set_text(broadcast, form.text)
    compose.set_target(
        broadcast,
        hub_id=hub.id if hub else None,
        topics=form.topics,
        languages=form.languages,
        event_id=event.id if event else None,
        critical=form.critical,
        urgent=form.urgent,
        send_after=send_after,
    )
    broadcast.step = compose.STEP_REVIEW
    await compose.translate(session, broadcast, translation)
    return broadcast


def _visible(viewer: Viewer) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        # Telegram drafts belong to their chat until confirmed.
        or_(
            Broadcast.status != BroadcastStatus.DRAFT,
            Broadcast.staff_user_id == DASHBOARD_USER,
        )
    ]
    if viewer.hub_scope is not None:
        conditions.append(Broadcast.hub_id == viewer.hub_scope)
    return conditions


async def load(session: AsyncSession, viewer: Viewer, broadcast_id: int) -> Broadcast | None:
    """Return a broadcast the member may see, or None."""
    if row_id(str(broadcast_id)) is None:
        return None
    return await session.scalar(
        select(Broadcast).where(Broadcast.id == broadcast_id, *_visible(viewer))
    )


async def recent(session: AsyncSession, viewer: Viewer) -> list[BroadcastRow]:
    """Return the newest broadcasts the member may see, with their progress."""
    rows = (
        await session.execute(
            select(Broadcast, Hub.slug)
            .outerjoin(Hub, Hub.id == Broadcast.hub_id)
            .where(*_visible(viewer))
            .order_by(Broadcast.id.desc())
            .limit(RECENT)
        )
    ).all()
    counts = await outbox.progress(session, [broadcast.id for broadcast, _ in rows])
    return [BroadcastRow(broadcast, hub, counts[broadcast.id]) for broadcast, hub in rows]


def _state(broadcast: Broadcast, code: str) -> str:
    text = broadcast.text_in(code)
    if code == broadcast.source_language:
        return "original"
    if text is None:
        return "missing"
    return "machine" if text.machine and not text.reviewed else "reviewed"


def language_texts(
    broadcast: Broadcast, by_language: Mapping[str, outbox.Progress] | None = None
) -> list[LanguageText]:
    """Return every target language's text and state, side by side."""
    by_language = by_language or {}
    codes = compose.target_languages(broadcast)
    # A broadcast may have gone out in a language it was not aimed at (e.g. a reminder).
    codes += [code for code in by_language if code not in codes]
    result = []
    for code in codes:
        text = broadcast.text_in(code)
        result.append(
            LanguageText(
                code=code,
                name=native_name(code),
                text=text.text if text is not None else "",
                state=_state(broadcast, code),
                progress=by_language.get(code),
            )
        )
    return result


async def save_texts(
    session: AsyncSession, broadcast: Broadcast, form: FormData
) -> tuple[list[str], list[str]]:
    """Apply corrections (they count as reviewed) and reviews; return both languages' lists."""
    corrected: list[str] = []
    reviewed: list[str] = []
    for code in compose.target_languages(broadcast):
        if code == broadcast.source_language:
            continue
        value = form.get(f"text_{code}")
        written = _clean(value) if isinstance(value, str) else ""
        current = broadcast.text_in(code)
        if written and (current is None or written != current.text.strip()):
            await compose.correct(session, broadcast, code, written[:MAX_TEXT])
            corrected.append(code)
        elif form.get(f"reviewed_{code}") and current is not None and not current.reviewed:
            await compose.mark_reviewed(session, broadcast, code)
            reviewed.append(code)
    return corrected, reviewed


def local_time(moment: datetime | None, timezone: str) -> str:
    """Return a time in a hub's zone as "YYYY-MM-DD HH:MM" ('' for none)."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def waiting_languages(broadcast: Broadcast) -> Sequence[str]:
    """Return the languages a critical broadcast holds back until a person reviews them."""
    return compose.unreviewed_languages(broadcast) if broadcast.critical else []
