"""/broadcast and /broadcasts: staff compose, review, confirm and follow broadcasts.

Every step is stored on the broadcast row (bot.broadcasting.compose), so a restart in the
middle of composing loses nothing; the buttons carry the broadcast's number.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.broadcasting import compose, keyboards, outbox
from bot.broadcasting.staff import progress_line, staff_member, summary
from bot.context import HubContext
from bot.i18n import LANGUAGE_BY_CODE, N_, Translator
from db import repositories
from db.models import Broadcast, BroadcastStatus, Staff

logger = logging.getLogger(__name__)

ONLY_STAFF = N_("Only hub staff can send broadcasts.")


def _staff_language(context: HubContext) -> Translator:
    """Return gettext in the staff member's language (their own, else STAFF_LANGUAGE)."""
    language = context.resident.language or context.deps.settings.staff_language
    return context.deps.catalogue.translator(language)


async def _require_staff(context: HubContext) -> Staff:
    staff = await staff_member(
        context.scope.session, telegram_user_id=context.resident.telegram_user_id
    )
    if staff is None:
        await context.say(context.i18n.gettext(ONLY_STAFF))
        raise ApplicationHandlerStop
    return staff


async def broadcast_command(update: Update, context: HubContext) -> None:
    """Start (or resume) a draft; text after the command becomes its message."""
    staff = await _require_staff(context)
    _ = _staff_language(context)
    draft = await compose.start(
        context.scope.session,
        staff=staff,
        staff_user_id=context.resident.telegram_user_id,
        chat_id=context.resident.chat_id,
        language=_.language,
    )
    if context.args:
        compose.set_text(draft, " ".join(context.args))
    await _show_step(context, _, draft)
    raise ApplicationHandlerStop


async def broadcasts_command(update: Update, context: HubContext) -> None:
    """List the recent broadcasts with their progress; running ones can be cancelled."""
    await _require_staff(context)
    _ = _staff_language(context)
    session = context.scope.session
    recent = await compose.recent(session)
    if not recent:
        await context.say(_.gettext("No broadcasts yet. /broadcast starts one."))
        raise ApplicationHandlerStop
    counts = await outbox.progress(session, [broadcast.id for broadcast in recent])
    lines = [f"{summary(b)}\n{progress_line(_, counts[b.id])}" for b in recent]
    await context.say("\n\n".join(lines))
    for broadcast in recent:
        if broadcast.status in (BroadcastStatus.READY, BroadcastStatus.SENDING):
            await context.say(summary(broadcast), keyboards.running(_, broadcast))
    raise ApplicationHandlerStop


async def staff_text(update: Update, context: HubContext) -> None:
    """Take a text a draft is waiting for: the message, a time, or a corrected translation."""
    message = update.message
    if message is None or message.text is None or context.scope.resident is None:
        return
    if context.scope.is_staff is False:
        return
    session = context.scope.session
    broadcast = await compose.awaiting_text(
        session, staff_user_id=context.resident.telegram_user_id
    )
    if broadcast is None:
        return
    _ = _staff_language(context)
    if broadcast.step == compose.STEP_TEXT:
        compose.set_text(broadcast, message.text)
    elif broadcast.step == compose.STEP_TIME:
        moment = compose.parse_time(
            message.text, timezone=await compose.hub_timezone(session, broadcast)
        )
        if moment is None:
            await context.say(_.gettext("I could not read this time.") + "\n" + _time_help(_))
            raise ApplicationHandlerStop
        broadcast.send_after, broadcast.step = moment, compose.STEP_TARGET
    else:
        language = broadcast.step.removeprefix(compose.CORRECT_PREFIX)
        await compose.correct(session, broadcast, language, message.text)
        await _show_translation(context, _, broadcast, language)
        if broadcast.status != BroadcastStatus.DRAFT:
            await context.say(_.gettext("Saved. This language is sent now."))
            raise ApplicationHandlerStop
    await _show_step(context, _, broadcast)
    raise ApplicationHandlerStop


@dataclass(frozen=True)
class _Press:
    """A pressed broadcast button: what it acts on, for whom, in which language."""

    context: HubContext
    query: CallbackQuery
    broadcast: Broadcast
    name: str
    argument: str
    _: Translator


async def broadcast_button(update: Update, context: HubContext) -> None:
    """Act on a broadcast button: target toggles, time, translations, confirm, cancel."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _require_staff(context)
    _ = _staff_language(context)
    rest = (query.data or "").removeprefix(keyboards.BROADCAST_PREFIX)
    number, name, argument = [*rest.split(":", 2), "", ""][:3]
    broadcast = await compose.get(context.scope.session, int(number)) if number.isdigit() else None
    action = _ACTIONS.get(name)
    if broadcast is None or action is None:
        await context.say(_.gettext("This broadcast no longer exists."))
    elif broadcast.status != BroadcastStatus.DRAFT and name not in _AFTER_CONFIRMATION:
        await context.say(
            _.gettext("Broadcast #{number} was already confirmed or cancelled.").format(
                number=broadcast.id
            )
        )
    else:
        await action(_Press(context, query, broadcast, name, argument, _))
    raise ApplicationHandlerStop


async def _retarget(press: _Press) -> None:
    """Toggle a hub, topic, language, critical or urgent, and redraw the target."""
    broadcast, argument = press.broadcast, press.argument
    if press.name == "hub":
        broadcast.hub_id = int(argument) if argument.isdigit() else None
    elif press.name == "topic":
        compose.toggle_topic(broadcast, argument)
    elif press.name == "lang":
        compose.toggle_language(broadcast, argument)
    elif press.name == "event":
        chosen = int(argument) if argument.isdigit() else None
        broadcast.event_id = None if broadcast.event_id == chosen else chosen
    elif press.name == "crit":
        broadcast.critical = not broadcast.critical
    else:
        broadcast.urgent = not broadcast.urgent
    session = press.context.scope.session
    await session.flush()
    await _edit(
        press.query,
        await _target_text(press.context, press._, broadcast),
        await _target_keyboard(press.context, press._, broadcast),
    )


async def _target_keyboard(
    context: HubContext, _: Translator, broadcast: Broadcast
) -> InlineKeyboardMarkup:
    """The target buttons, with the upcoming events of the chosen hub (to reach their guests)."""
    session = context.scope.session
    hubs = await repositories.list_hubs(session)
    events = []
    if broadcast.hub_id is not None:
        for event in await context.deps.events.upcoming(session, hub_id=broadcast.hub_id):
            text = await context.deps.events.text_in(session, event, _.language)
            events.append((event.id, text.title))
    return keyboards.target(_, broadcast, hubs, events)


async def _ask_time(press: _Press) -> None:
    """Wait for a time of day or a date and time."""
    press.broadcast.step = compose.STEP_TIME
    await press.context.say(_time_help(press._))


async def _translations(press: _Press) -> None:
    """Translate into every target language and show each with its buttons."""
    context, broadcast = press.context, press.broadcast
    if broadcast.status == BroadcastStatus.DRAFT:
        broadcast.step = compose.STEP_REVIEW
    await compose.translate(context.scope.session, broadcast, context.deps.translation)
    await _show_review(context, press._, broadcast)


async def _ask_correction(press: _Press) -> None:
    """Wait for the staff member's own text in one language."""
    if press.argument not in LANGUAGE_BY_CODE:
        return
    press.broadcast.step = compose.CORRECT_PREFIX + press.argument
    await press.context.say(
        press._.gettext("Send the text for {language}:").format(
            language=LANGUAGE_BY_CODE[press.argument].native_name
        )
    )


async def _reviewed(press: _Press) -> None:
    """Record that a person checked this language's machine translation."""
    if press.argument in LANGUAGE_BY_CODE:
        await compose.mark_reviewed(press.context.scope.session, press.broadcast, press.argument)
        await _show_translation(press.context, press._, press.broadcast, press.argument)


async def _confirm(press: _Press) -> None:
    """Queue the broadcast for every recipient."""
    _ = press._
    count = await compose.confirm(press.context.scope.session, press.broadcast)
    if count is None:
        await press.context.say(
            _.gettext("Broadcast #{number} was already confirmed or cancelled.").format(
                number=press.broadcast.id
            )
        )
        return
    confirmed = _.gettext("Broadcast #{number} is confirmed: {count} recipients are queued.")
    await press.context.say(
        confirmed.format(number=press.broadcast.id, count=count)
        + "\n"
        + _.gettext("/broadcasts shows the progress.")
    )


async def _back(press: _Press) -> None:
    """Return to the target."""
    press.broadcast.step = compose.STEP_TARGET
    await _show_step(press.context, press._, press.broadcast)


async def _cancel(press: _Press) -> None:
    """Cancel a draft or stop a running broadcast."""
    count = await compose.cancel(press.context.scope.session, press.broadcast)
    cancelled = press._.gettext(
        "Broadcast #{number} is cancelled; {count} recipients will not get it."
    )
    await press.context.say(cancelled.format(number=press.broadcast.id, count=count))


_ACTIONS: dict[str, Callable[[_Press], Awaitable[None]]] = {
    "hub": _retarget,
    "topic": _retarget,
    "lang": _retarget,
    "event": _retarget,
    "crit": _retarget,
    "urgent": _retarget,
    "time": _ask_time,
    "next": _translations,
    "review": _translations,
    "fix": _ask_correction,
    "ok": _reviewed,
    "send": _confirm,
    "back": _back,
    "cancel": _cancel,
}
# What still makes sense once a broadcast is queued: review its held languages, or stop it.
_AFTER_CONFIRMATION = {"review", "fix", "ok", "cancel"}


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        # Pressing a button twice leaves the message as it was: nothing to change.
        if "not modified" not in str(error):
            raise


async def _show_step(context: HubContext, _: Translator, broadcast: Broadcast) -> None:
    if broadcast.step == compose.STEP_TEXT:
        await context.say(
            _.gettext(
                "Write the message for the residents. I will translate it into their languages."
            )
        )
    elif broadcast.step == compose.STEP_TIME:
        await context.say(_time_help(_))
    elif broadcast.step == compose.STEP_REVIEW or broadcast.step.startswith(compose.CORRECT_PREFIX):
        await _show_review(context, _, broadcast)
    else:
        broadcast.step = compose.STEP_TARGET
        await context.say(
            await _target_text(context, _, broadcast),
            await _target_keyboard(context, _, broadcast),
        )


def _time_help(_: Translator) -> str:
    return _.gettext("Send the time in the hub's time zone, for example 09:30 or 2026-12-24 09:30.")


async def _target_text(context: HubContext, _: Translator, broadcast: Broadcast) -> str:
    settings = context.deps.settings
    lines = [
        _.gettext("Broadcast #{number}:").format(number=broadcast.id),
        broadcast.text or "",
        "",
        _.gettext("Recipients now: {count}").format(
            count=await outbox.count_recipients(context.scope.session, broadcast)
        ),
    ]
    if broadcast.event_id is not None:
        lines.append(_.gettext("Only the guests of the chosen event."))
    elif not broadcast.topics:
        lines.append(_.gettext("No topic chosen: a notice for everyone at the hub."))
    if broadcast.send_after is not None:
        zone = await compose.hub_timezone(context.scope.session, broadcast)
        lines.append(
            _.gettext("Sent at {time}.").format(
                time=broadcast.send_after.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
            )
        )
    if broadcast.critical:
        lines.append(
            _.gettext(
                "Critical: each language is sent only once a person has reviewed its translation."
            )
        )
    if broadcast.urgent:
        lines.append(_.gettext("Urgent: sent during quiet hours too."))
    else:
        lines.append(
            _.gettext("Quiet hours {start}–{end}: the broadcast waits for the morning.").format(
                start=settings.quiet_hours_start.strftime("%H:%M"),
                end=settings.quiet_hours_end.strftime("%H:%M"),
            )
        )
    return "\n".join(lines)


def _state(_: Translator, broadcast: Broadcast, language: str) -> str:
    text = broadcast.text_in(language)
    if language == broadcast.source_language:
        return _.gettext("original")
    if text is None:
        return _.gettext("no translation yet: the original is sent unless you write one")
    if text.machine and not text.reviewed:
        return _.gettext("machine-translated, not reviewed")
    return _.gettext("reviewed")


async def _show_translation(
    context: HubContext, _: Translator, broadcast: Broadcast, language: str
) -> None:
    text = broadcast.text_in(language)
    name = LANGUAGE_BY_CODE[language].native_name
    body = text.text if text is not None else broadcast.text or ""
    reviewable = text is not None and not text.reviewed
    await context.say(
        f"{name} · {_state(_, broadcast, language)}\n\n{body}",
        keyboards.translation(_, broadcast, language, reviewable=reviewable),
    )


async def _show_review(context: HubContext, _: Translator, broadcast: Broadcast) -> None:
    for language in compose.target_languages(broadcast):
        await _show_translation(context, _, broadcast, language)
    if broadcast.status != BroadcastStatus.DRAFT:
        return
    count = await outbox.count_recipients(context.scope.session, broadcast)
    lines = [_.gettext("Recipients: {count}").format(count=count)]
    waiting = compose.unreviewed_languages(broadcast) if broadcast.critical else []
    if waiting:
        lines.append(
            _.gettext(
                "Critical: these languages wait until a person reviews them: {languages}"
            ).format(languages=", ".join(LANGUAGE_BY_CODE[code].native_name for code in waiting))
        )
    await context.say("\n".join(lines), keyboards.confirmation(_, broadcast))
