"""The main menu, settings, /help, unknown commands and stale buttons."""

from __future__ import annotations

from telegram import Update

from bot import keyboards, replies
from bot.context import HubContext
from bot.handlers import events, handover, onboarding, privacy, talent


async def help_command(update: Update, context: HubContext) -> None:
    """Explain hubbot and list the commands."""
    await context.say(replies.help_text(context.i18n), keyboards.main_menu(context.i18n))


async def menu_command(update: Update, context: HubContext) -> None:
    """Show the main menu, or the next onboarding question."""
    await onboarding.continue_onboarding(context)


async def unknown_command(update: Update, context: HubContext) -> None:
    """Answer a command hubbot does not know with the help text."""
    _ = context.i18n
    await context.say(
        _.gettext("I do not know this command.") + "\n\n" + replies.help_text(_),
        keyboards.main_menu(_),
    )


async def menu_chosen(update: Update, context: HubContext) -> None:
    """Answer a tap on the main or settings menu."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    action = query.data or ""
    _ = context.i18n
    if action == keyboards.MENU_ASK:
        await context.say(
            _.gettext(
                "Write your question in your own words, in any of hubbot's languages: "
                "for example about housing, German courses, work, documents, health or money."
            )
        )
    elif action == keyboards.MENU_PROGRAMMES:
        await talent.show_programmes(context)
    elif action == keyboards.MENU_APPLICATIONS:
        await talent.show_applications(context)
    elif action == keyboards.MENU_PERSON:
        await handover.ask_for_person(context)
    elif action == keyboards.MENU_EVENTS:
        await events.show_events(context)
    elif action == keyboards.MENU_SETTINGS:
        await context.say(_.gettext("Settings"), keyboards.settings_menu(_))
    elif action == keyboards.SETTINGS_LANGUAGE:
        await onboarding.ask_for_language(context)
    elif action == keyboards.SETTINGS_HUB:
        await onboarding.ask_for_hub(context)
    elif action == keyboards.SETTINGS_PRIVACY:
        await privacy.show_privacy(context)
    elif action == keyboards.SETTINGS_DELETE:
        await privacy.ask_to_delete(context)
    else:
        await onboarding.continue_onboarding(context)


async def stale_button(update: Update, context: HubContext) -> None:
    """Answer a button from an old message that hubbot no longer knows."""
    query = update.callback_query
    assert query is not None
    _ = context.i18n
    await query.answer(_.gettext("This button is no longer valid."))
    await context.say(_.gettext("How can I help you?"), keyboards.main_menu(_))
