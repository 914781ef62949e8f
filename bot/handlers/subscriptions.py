"""/subscribe and /unsubscribe: topics a resident wants to hear about from their hub."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.broadcasting import keyboards
from bot.context import HubContext
from bot.handlers import onboarding
from bot.services import subscriptions
from bot.services.onboarding import Step, next_step


async def subscribe_command(update: Update, context: HubContext) -> None:
    """Offer the topics as toggles."""
    await _offer(
        context,
        context.i18n.gettext(
            "Which news from your hub would you like to get? Tap a topic to switch it on or off."
        ),
    )


async def unsubscribe_command(update: Update, context: HubContext) -> None:
    """Offer the topics as toggles, and stopping them all."""
    await _offer(
        context,
        context.i18n.gettext(
            "Tap a topic to stop it, or unsubscribe from all. Important notices from your "
            "hub still reach you."
        ),
    )


async def _offer(context: HubContext, text: str) -> None:
    if next_step(context.resident, consent_version=context.deps.settings.consent_version) is not (
        Step.DONE
    ):
        await onboarding.continue_onboarding(context)
        raise ApplicationHandlerStop
    chosen = await subscriptions.topics_of(context.scope.session, resident=context.resident)
    await context.say(text, keyboards.subscriptions(context.i18n, chosen))
    raise ApplicationHandlerStop


async def topic_toggled(update: Update, context: HubContext) -> None:
    """Switch a topic, stop them all, or finish with a summary."""
    query = update.callback_query
    assert query is not None
    _ = context.i18n
    session, resident = context.scope.session, context.resident
    data = query.data or ""
    await query.answer()
    if data == keyboards.SUBSCRIBE_DONE:
        await query.edit_message_text(
            _summary(context, await subscriptions.topics_of(session, resident=resident))
        )
        raise ApplicationHandlerStop
    if data == keyboards.SUBSCRIBE_NONE:
        await subscriptions.clear(session, resident=resident)
    else:
        topic = data.removeprefix(keyboards.SUBSCRIBE_PREFIX)
        if topic in keyboards.TOPIC_LABELS:
            await subscriptions.toggle(session, resident=resident, topic=topic)
    chosen = await subscriptions.topics_of(session, resident=resident)
    await query.edit_message_reply_markup(keyboards.subscriptions(_, chosen))
    raise ApplicationHandlerStop


def _summary(context: HubContext, chosen: set[str]) -> str:
    _ = context.i18n
    if not chosen:
        return _.gettext(
            "You get no topic news. Important notices from your hub still reach you. "
            "/subscribe to choose topics."
        )
    names = ", ".join(
        _.gettext(label) for topic, label in keyboards.TOPIC_LABELS.items() if topic in chosen
    )
    return _.gettext("You get news from your hub about: {topics}.").format(topics=names)


async def original_broadcast(update: Update, context: HubContext) -> None:
    """Show what the staff wrote under a machine-translated broadcast this resident got."""
    query = update.callback_query
    assert query is not None
    raw_id = (query.data or "").removeprefix(keyboards.ORIGINAL_PREFIX)
    text = (
        await subscriptions.original_text(
            context.scope.session, broadcast_id=int(raw_id), resident=context.resident
        )
        if raw_id.isdigit()
        else None
    )
    await query.answer(None if text else context.i18n.gettext("This message is no longer here."))
    if text:
        await context.say("📢 " + text)
    raise ApplicationHandlerStop
