"""Events: what is on at the hub, "I'll come" with a waiting list, details, calendar files."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot import keyboards
from bot.context import HubContext
from bot.i18n import Translator, native_name
from bot.outgoing import send_text
from bot.services.events import RsvpResult, calendar_file, when
from db.models import Event, Resident, RsvpStatus

logger = logging.getLogger(__name__)


async def events_command(update: Update, context: HubContext) -> None:
    """List the next events at the resident's hub."""
    await show_events(context)


async def show_events(context: HubContext) -> None:
    """List the next events of the resident's hub, each with its buttons."""
    _ = context.i18n
    hub_id = context.resident.hub_id
    session = context.scope.session
    events = await context.deps.events.upcoming(session, hub_id=hub_id) if hub_id else []
    if not events:
        await context.say(
            _.gettext("There are no events planned at your hub right now."),
            keyboards.main_menu(_),
        )
        return
    await context.say(_.gettext("Coming up at your hub:"))
    for event in events:
        status = await context.deps.events.status_of(session, event, context.resident)
        await context.say(*await _summary(context, event, status))


async def event_button(update: Update, context: HubContext) -> None:
    """Handle I'll come, Cancel my place, Details and Add to calendar."""
    query = update.callback_query
    assert query is not None
    action, _sep, raw_id = (query.data or "").removeprefix(keyboards.EVENT_PREFIX).partition(":")
    _ = context.i18n
    session = context.scope.session
    event = await session.get(Event, int(raw_id)) if raw_id.isdigit() else None
    if event is None or event.hub_id != context.resident.hub_id:
        await query.answer(_.gettext("This event is no longer on."))
        return
    await query.answer()
    service = context.deps.events
    if action == "come":
        result = await service.rsvp(session, event, context.resident)
        await context.say(_rsvp_reply(_, result), keyboards.event(_, event.id, _status(result)))
    elif action == "cancel":
        had_place, promoted = await service.cancel(session, event, context.resident)
        await context.say(
            _.gettext("Your place is cancelled. Thank you for letting us know!")
            if had_place
            else _.gettext("You had no place at this event.")
        )
        if promoted is not None:
            await _tell_promoted(context, event, promoted)
    elif action == "orig":
        title, description = service.original(event)
        await context.say(f"📅 {title}" + (f"\n\n{description}" if description else ""))
    elif action == "ics":
        text = await service.text_in(session, event, _.language)
        await context.send_file(
            data=calendar_file(event, text),
            filename=f"{event.slug}.ics",
            caption=_.gettext("Open this file to add the event to your calendar."),
        )
    else:
        status = await service.status_of(session, event, context.resident)
        await context.say(*await _summary(context, event, status, details=True))


async def _summary(
    context: HubContext, event: Event, status: str | None, *, details: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """Return an event's lines (with its description for Details) and its buttons."""
    _ = context.i18n
    text = await context.deps.events.text_in(context.scope.session, event, _.language)
    lines = [
        f"📅 {text.title}",
        when(event, _),
        f"📍 {event.room or event.hub.name_in(_.language)}",
    ]
    going, _waiting = await context.deps.events.counts(context.scope.session, event)
    if event.capacity is not None:
        free = max(0, event.capacity - going)
        lines.append(
            _.ngettext("{count} place left", "{count} places left", free).format(count=free)
            if free
            else _.gettext("Full – you can join the waiting list.")
        )
    if text.machine:
        lines.append(_.gettext("(translated automatically)"))
    elif text.failed:
        lines.append(_.gettext("(Automatic translation is not available right now.)"))
    elif text.language != _.language:
        lines.append(
            _.gettext("(This text is in {language}.)").format(language=native_name(text.language))
        )
    summary = "\n".join(lines)
    if details and text.description:
        summary += "\n\n" + text.description
    return summary, keyboards.event(_, event.id, status, original=text.machine)


def _status(result: RsvpResult) -> str | None:
    if result in (RsvpResult.GOING, RsvpResult.ALREADY_GOING):
        return RsvpStatus.GOING
    if result in (RsvpResult.WAITING, RsvpResult.ALREADY_WAITING):
        return RsvpStatus.WAITING
    return None


def _rsvp_reply(_: Translator, result: RsvpResult) -> str:
    replies = {
        RsvpResult.GOING: _.gettext(
            "Great, your place is booked! I will remind you the day before."
        ),
        RsvpResult.ALREADY_GOING: _.gettext("You already have a place. See you there!"),
        RsvpResult.WAITING: _.gettext(
            "The event is full: you are on the waiting list. If a place becomes free, "
            "I will tell you here."
        ),
        RsvpResult.ALREADY_WAITING: _.gettext("You are already on the waiting list."),
        RsvpResult.CLOSED: _.gettext("Sorry, this event is no longer open."),
    }
    return replies[result]


async def _tell_promoted(context: HubContext, event: Event, promoted: Resident) -> None:
    _ = context.deps.catalogue.translator(promoted.language or "de")
    text = await context.deps.events.text_in(context.scope.session, event, _.language)
    message = _.gettext(
        "Good news: a place became free at {title} ({when}). It is yours now! "
        "If you cannot come, please cancel so that someone else can."
    ).format(title=text.title, when=when(event, _))
    try:
        await send_text(
            context.bot,
            promoted.chat_id,
            message,
            rtl=_.rtl,
            keyboard=keyboards.event(_, event.id, RsvpStatus.GOING),
        )
    except TelegramError as error:
        logger.warning("could not tell a resident about their place: %s", error)
