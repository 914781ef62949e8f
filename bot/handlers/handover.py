"""Talk to a person: the resident's request, the relay both ways, and closing it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import keyboards, replies
from bot.context import HubContext
from bot.i18n import N_, Translator
from bot.outgoing import send_text
from bot.services import handover as handovers
from bot.services.translation import TranslationUnavailable
from db import repositories
from db.base import utcnow
from db.models import Direction, Handover, HandoverStatus, Resident

logger = logging.getLogger(__name__)

NO_STAFF_CHAT = N_(
    "hubbot cannot put you through to a staff member in this chat yet. You can reach the team here:"
)


async def ask_for_person(context: HubContext) -> None:
    """Pass the resident to the team, or give the team's contact when no staff chat is set."""
    _ = context.i18n
    staff_chat = context.deps.settings.staff_chat_id
    resident = context.resident
    if staff_chat is None:
        contact = replies.hub_contact(_, resident.hub)
        await context.say(_.gettext(NO_STAFF_CHAT) + "\n\n" + contact, keyboards.main_menu(_))
        return
    session = context.scope.session
    handover, created = await handovers.request(session, resident=resident, language=_.language)
    if not created:
        await context.say(
            _.gettext("Your request is already with the team. They will answer you here."),
            keyboards.end_handover(_),
        )
        return
    staff = context.deps.catalogue.translator(context.deps.settings.staff_language)
    messages = await handovers.recent_messages(session, resident=resident)
    notice = handovers.staff_notice(staff, handover=handover, resident=resident, messages=messages)
    try:
        await context.bot.send_message(staff_chat, notice)
    except TelegramError as error:
        logger.error("the staff chat cannot be reached: %s", error)
        handovers.close(handover)
        contact = replies.hub_contact(_, resident.hub)
        await context.say(_.gettext(NO_STAFF_CHAT) + "\n\n" + contact, keyboards.main_menu(_))
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


async def forward_to_staff(context: HubContext, text: str) -> bool:
    """Relay a resident's message to the staff chat if a request is open; tell whether it was."""
    staff_chat = context.deps.settings.staff_chat_id
    if staff_chat is None:
        return False
    handover = await handovers.open_handover_of(context.scope.session, resident=context.resident)
    if handover is None:
        return False
    incoming = context.scope.incoming
    if incoming is not None:
        incoming.outcome = "handover"
    staff_language = context.deps.settings.staff_language
    relayed = f"{handovers.reference(handover)} → {text}"
    try:
        translation = await context.deps.translation.translate(
            context.scope.session,
            text,
            source=context.i18n.language,
            target=staff_language,
            remember=False,
        )
    except TranslationUnavailable as error:
        logger.info("resident's message not translated for staff: %s", error)
    else:
        if translation.text != text:
            relayed += f"\n🌐 {translation.text}"
    await context.bot.send_message(staff_chat, relayed)
    await context.say(context.i18n.gettext("Sent to the team ✓"))
    return True


async def resident_ends(update: Update, context: HubContext) -> None:
    """Close the resident's request at their wish; hubbot answers again."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _ = context.i18n
    handover = await handovers.open_handover_of(context.scope.session, resident=context.resident)
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
    _ = context.deps.catalogue.translator(handover.language or resident.language)
    text = (message.text or "").strip()
    if text.startswith("/close"):
        handovers.close(handover)
        outgoing = _.gettext(
            "The hub team has closed your request. hubbot answers your questions again."
        )
        confirmation = staff.gettext("{reference} closed.")
    else:
        outgoing = (
            _.gettext("Message from the hub team:")
            + "\n\n"
            + await _in_language_of(context, text, source=staff.language, reader=_)
        )
        confirmation = None
    delivered = await send_text(context.bot, resident.chat_id, outgoing, rtl=_.rtl)
    if not delivered:
        resident.blocked_at = utcnow()
        await message.reply_text(staff.gettext("The resident has blocked hubbot."))
        return
    await repositories.log_message(
        session,
        resident=resident,
        direction=Direction.OUTGOING,
        kind="staff",
        text=outgoing if resident.stores_text(context.deps.settings.consent_version) else None,
        language=_.language,
    )
    if confirmation:
        await message.reply_text(confirmation.format(reference=handovers.reference(handover)))


async def _in_language_of(
    context: HubContext, text: str, *, source: str, reader: Translator
) -> str:
    """Return a staff message for the resident: translated and labelled, or the original."""
    if source == reader.language:
        return text
    try:
        translation = await context.deps.translation.translate(
            context.scope.session, text, source=source, target=reader.language, remember=False
        )
    except TranslationUnavailable as error:
        logger.info("staff reply not translated: %s", error)
        return text + "\n\n" + reader.gettext("(Automatic translation is not available right now.)")
    if not translation.machine:
        return translation.text
    explained = context.deps.translation.terms.explain(text, reader.language)
    glossary = "".join(f"\nℹ️ {line}" for line in explained)
    return (
        translation.text
        + glossary
        + "\n\n"
        + reader.gettext("Translated automatically. The original:")
        + "\n"
        + text
    )


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
