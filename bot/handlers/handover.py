"""Talk to a person: the resident's request, the relay both ways, and closing it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import keyboards, replies
from bot.context import HubContext
from bot.i18n import N_
from bot.services import handover as handovers
from db import repositories
from db.models import Handover, HandoverOutcome, HandoverStatus, Resident

logger = logging.getLogger(__name__)

NO_STAFF_CHAT = N_(
    "hubbot cannot put you through to a staff member in this chat yet. You can reach the team here:"
)
NOT_DELIVERED = N_(
    "The message could not be delivered to the resident; it is kept in the thread as not delivered."
)


async def ask_for_person(context: HubContext) -> None:
    """Pass the resident to the team (staff chat and dashboard inbox), or give its contact.

    The request is taken when someone can see it: a staff chat, or an active dashboard account
    for the resident's hub. Otherwise promising an answer would be a lie; the hub's contact
    details are given instead.
    """
    _ = context.i18n
    staff_chat = context.deps.settings.staff_chat_id
    resident = context.resident
    session = context.scope.session
    inbox = await handovers.inbox_is_staffed(session, hub_id=resident.hub_id)
    if staff_chat is None and not inbox:
        await _give_contact(context)
        return
    handover, created = await handovers.request(session, resident=resident, language=_.language)
    if not created:
        await context.say(
            _.gettext("Your request is already with the team. They will answer you here."),
            keyboards.end_handover(_),
        )
        return
    if staff_chat is not None:
        staff = context.deps.catalogue.translator(context.deps.settings.staff_language)
        messages = await handovers.recent_messages(session, resident=resident)
        notice = handovers.staff_notice(
            staff, handover=handover, resident=resident, messages=messages
        )
        try:
            await context.bot.send_message(staff_chat, notice)
        except TelegramError as error:
            logger.error("the staff chat cannot be reached: %s", error)
            if not inbox:
                handovers.close(handover)
                await _give_contact(context)
                return
    hours = resident.hub.opening_hours_in(_.language) if resident.hub is not None else ""
    await context.say(
        _.gettext(
            "I have passed your request to the hub team. Someone will answer you here in this "
            "chat during opening hours ({hours}). Until then, hubbot will not answer your "
            "questions by itself."
        ).format(hours=hours or "–"),
        keyboards.end_handover(_),
    )


async def _give_contact(context: HubContext) -> None:
    _ = context.i18n
    contact = replies.hub_contact(_, context.resident.hub)
    await context.say(_.gettext(NO_STAFF_CHAT) + "\n\n" + contact, keyboards.main_menu(_))


async def forward_to_staff(context: HubContext, text: str) -> bool:
    """Keep a resident's message in the open request's thread (and relay it to the staff chat
    if there is one); tell whether a request was open."""
    staff_chat = context.deps.settings.staff_chat_id
    handover = await repositories.get_open_handover(
        context.scope.session, resident=context.resident
    )
    if handover is None:
        return False
    incoming = context.scope.incoming
    if incoming is not None:
        incoming.outcome = "handover"
    entry = await handovers.relay_from_resident(
        context.scope.session,
        context.deps.translation,
        handover=handover,
        text=text,
        language=context.i18n.language,
        staff_language=context.deps.settings.staff_language,
        logged=incoming,
    )
    if staff_chat is not None:
        relayed = f"{handovers.reference(handover)} → {text}"
        if entry.translation:
            relayed += f"\n🌐 {entry.translation}"
        try:
            await context.bot.send_message(staff_chat, relayed)
        except TelegramError as error:
            # The message is in the thread; the dashboard's inbox shows it.
            logger.error("the staff chat cannot be reached: %s", error)
    await context.say(context.i18n.gettext("Sent to the team ✓"))
    return True


async def resident_ends(update: Update, context: HubContext) -> None:
    """Close the resident's request at their wish; hubbot answers again."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _ = context.i18n
    handover = await repositories.get_open_handover(
        context.scope.session, resident=context.resident
    )
    if handover is not None:
        handovers.close(handover)
        staff_chat = context.deps.settings.staff_chat_id
        if staff_chat is not None:
            staff = context.deps.catalogue.translator(context.deps.settings.staff_language)
            await context.bot.send_message(
                staff_chat,
                staff.gettext("{reference} was closed by the resident.").format(
                    reference=handovers.reference(handover)
                ),
            )
    await context.say(
        _.gettext("hubbot answers your questions again. How can I help you?"),
        keyboards.main_menu(_),
    )


def relay(context: HubContext) -> handovers.Relay:
    """Return what staff messages need to reach residents, from the bot's dependencies."""
    deps = context.deps
    return handovers.Relay(
        context.bot, deps.translation, deps.catalogue, deps.settings.consent_version
    )


async def staff_reply(update: Update, context: HubContext) -> None:
    """Relay a staff member's reply to the resident, or close the request with /close."""
    message = update.message
    assert message is not None
    staff = context.deps.catalogue.translator(context.deps.settings.staff_language)
    replied = message.reply_to_message
    handover_id = handovers.referenced_id(replied.text if replied else None)
    if handover_id is None:
        await message.reply_text(
            staff.gettext("Reply to a request (a message with #number) to answer a resident.")
        )
        return
    session = context.scope.session
    handover = await session.get(Handover, handover_id)
    resident = await session.get(Resident, handover.resident_id) if handover else None
    if handover is None or resident is None or handover.status != HandoverStatus.OPEN:
        await message.reply_text(staff.gettext("This request is closed or no longer exists."))
        return
    text = (message.text or "").strip()
    if text.startswith("/close"):
        delivery = await handovers.close_request(
            session, relay(context), handover=handover, resident=resident, outcome=_outcome(text)
        )
        confirmation = staff.gettext("{reference} closed.")
    else:
        delivery, _entry = await handovers.reply_to_resident(
            session,
            relay(context),
            handover=handover,
            resident=resident,
            text=text,
            source=staff.language,
            staff_telegram_user_id=message.from_user.id if message.from_user else None,
        )
        confirmation = None
    if delivery is handovers.Delivery.BLOCKED:
        await message.reply_text(staff.gettext("The resident has blocked hubbot."))
    elif delivery is handovers.Delivery.UNREACHABLE:
        await message.reply_text(staff.gettext(NOT_DELIVERED))
    elif confirmation:
        await message.reply_text(confirmation.format(reference=handovers.reference(handover)))


def _outcome(command: str) -> HandoverOutcome | None:
    """Read the outcome of "/close referred"; none when absent or unknown."""
    word = command.removeprefix("/close").strip().lower()
    return HandoverOutcome(word) if word in set(HandoverOutcome) else None


async def alert_staff(context: HubContext, *, category: str, text: str) -> None:
    """Tell the staff chat at once that a resident may be in danger."""
    staff_chat = context.deps.settings.staff_chat_id
    if staff_chat is None:
        logger.warning("possible %s emergency, and no staff chat to alert", category)
        return
    staff = context.deps.catalogue.translator(context.deps.settings.staff_language)
    resident = context.resident
    hub = resident.hub.name_in(staff.language) if resident.hub is not None else "–"
    # In a crisis the words matter more than data minimisation: they go to staff, unstored.
    alert = staff.gettext(
        "Possible emergency ({category}) from a resident of {hub}, language {language}. "
        "hubbot sent the emergency numbers. Message:"
    ).format(category=category, hub=hub, language=context.i18n.language)
    try:
        await context.bot.send_message(staff_chat, f"⚠️ {alert}\n\n{text}")
    except TelegramError as error:
        logger.error("could not alert the staff chat: %s", error)
