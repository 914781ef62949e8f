"""First contact: choose a language, a hub, and answer the privacy question."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, CallbackQuery, Message, Update
from telegram.error import TelegramError

from bot import keyboards, replies
from bot.context import HubContext
from bot.handlers import flows
from bot.i18n import LANGUAGE_BY_CODE, Language, languages_for_picker
from bot.services import onboarding
from bot.services.onboarding import Step
from db import repositories

logger = logging.getLogger(__name__)

CONSENT_FLOW = "consent"


async def start(update: Update, context: HubContext) -> None:
    """Greet the resident and ask for their language."""
    _ = context.i18n
    await context.say(
        _.gettext("Welcome to hubbot, the assistant of the Integration Hub!")
        + "\n"
        + _.gettext("Please choose your language:"),
        keyboards.language_picker(languages_for_picker(context.resident.telegram_language_code)),
    )


async def language_command(update: Update, context: HubContext) -> None:
    """Offer the language picker."""
    await ask_for_language(context)


async def hub_command(update: Update, context: HubContext) -> None:
    """Offer the hub picker."""
    await ask_for_hub(context)


async def language_chosen(update: Update, context: HubContext) -> None:
    """Store the chosen language and carry on with the next question."""
    query = _query(update)
    language = await _take_language(context, query, keyboards.LANGUAGE_PREFIX)
    await query.answer()
    if language is None:
        return
    await _mark_chosen(query, f"✓ {language.native_name}")
    await continue_onboarding(context)


async def language_switched(update: Update, context: HubContext) -> None:
    """Keep the language the resident wrote in, offered under an answer in that language."""
    query = _query(update)
    language = await _take_language(context, query, keyboards.SWITCH_LANGUAGE_PREFIX)
    if language is None:
        await query.answer()
        return
    await query.answer(
        context.i18n.gettext("From now on I answer you in {language}.").format(
            language=language.native_name
        )
    )
    # Only the offer goes: the answer's other buttons (feedback, website) stay usable.
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        try:
            await query.edit_message_reply_markup(
                keyboards.without_row(message.reply_markup, keyboards.SWITCH_LANGUAGE_PREFIX)
            )
        except TelegramError as error:
            logger.info("could not remove the language offer: %s", error)


async def _take_language(context: HubContext, query: CallbackQuery, prefix: str) -> Language | None:
    """Make the language a button names the resident's own, with its command menu."""
    language = LANGUAGE_BY_CODE.get((query.data or "").removeprefix(prefix))
    if language is None:
        return None
    context.resident.language = language.code
    context.use_language(language.code)
    await _set_chat_commands(context)
    return language


async def hub_chosen(update: Update, context: HubContext) -> None:
    """Store the chosen hub and carry on with the next question."""
    query = _query(update)
    slug = (query.data or "").removeprefix(keyboards.HUB_PREFIX)
    hub = await repositories.get_hub(context.scope.session, slug=slug)
    await query.answer()
    if hub is None:
        await ask_for_hub(context)
        return
    onboarding.choose_hub(context.resident, hub)
    await _mark_chosen(query, f"✓ {hub.name_in(context.i18n.language)}")
    await continue_onboarding(context)


async def consent_finished(context: HubContext, answers: Mapping[str, Any]) -> None:
    """Record the privacy decision and carry on (the consent flow's last step)."""
    accepted = answers.get("consent") == "yes"
    _ = context.i18n
    onboarding.record_consent(
        context.resident, accepted=accepted, consent_version=context.deps.settings.consent_version
    )
    if accepted:
        await context.say(_.gettext("Thank you! hubbot will keep your messages for the hub team."))
    else:
        await context.say(
            _.gettext(
                "All right: hubbot will not keep the text of your messages. "
                "You can still use everything."
            )
        )
    await continue_onboarding(context)


async def continue_onboarding(context: HubContext) -> None:
    """Ask the next unanswered question, or show the main menu when all are answered."""
    step = onboarding.next_step(
        context.resident, consent_version=context.deps.settings.consent_version
    )
    _ = context.i18n
    if step is Step.LANGUAGE:
        await ask_for_language(context)
    elif step is Step.HUB:
        await ask_for_hub(context)
    elif step is Step.CONSENT:
        await flows.start_flow(context, CONSENT_FLOW)
    else:
        await context.say(_.gettext("How can I help you?"), keyboards.main_menu(_))


async def ask_for_language(context: HubContext) -> None:
    """Ask for the language, the resident's own first."""
    await context.say(
        context.i18n.gettext("Please choose your language:"),
        keyboards.language_picker(languages_for_picker(context.resident.telegram_language_code)),
    )


async def ask_for_hub(context: HubContext) -> None:
    """Ask which hub the resident goes to; with one hub (or DEFAULT_HUB), choose it for them."""
    hubs = await repositories.list_hubs(context.scope.session)
    _ = context.i18n
    preset = [hub for hub in hubs if hub.slug == context.deps.settings.default_hub]
    if context.resident.hub_id is None and (preset or len(hubs) == 1):
        onboarding.choose_hub(context.resident, (preset or list(hubs))[0])
        await continue_onboarding(context)
        return
    if not hubs:
        await context.say(_.gettext("No hub is set up yet. Please ask the hub team."))
        return
    await context.say(_.gettext("Which hub is near you?"), keyboards.hub_picker(hubs, _.language))


async def _set_chat_commands(context: HubContext) -> None:
    # Telegram keys command menus by two-letter codes only, so Dari (and anyone whose
    # Telegram speaks another language) gets the menu for their own chat.
    _ = context.i18n
    commands = [BotCommand(name, _.gettext(text)) for name, text in replies.COMMANDS]
    try:
        await context.bot.set_my_commands(
            commands, scope=BotCommandScopeChat(context.resident.chat_id)
        )
    except TelegramError as error:
        logger.warning("could not set the chat's command menu: %s", error)


async def _mark_chosen(query: CallbackQuery, label: str) -> None:
    # Replace the buttons by the choice, so that old buttons cannot be pressed twice.
    try:
        await query.edit_message_text(label)
    except TelegramError as error:
        logger.info("could not replace the buttons of a choice: %s", error)


def _query(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise ValueError("expected a callback query")
    return update.callback_query
