"""/privacy, /mydata and /delete: what is stored, a copy of it, and erasing it."""

from __future__ import annotations

from telegram import Update

from bot import keyboards, replies
from bot.context import HubContext
from bot.handlers import flows
from bot.handlers.onboarding import CONSENT_FLOW
from bot.services import personal_data


async def privacy_command(update: Update, context: HubContext) -> None:
    """Explain what is stored and let the resident change their choice."""
    await show_privacy(context)


async def show_privacy(context: HubContext) -> None:
    """Send the privacy explanation, then ask the privacy question again (Accept / Decline)."""
    _ = context.i18n
    text = replies.privacy_text(
        _, context.resident, consent_version=context.deps.settings.consent_version
    )
    await context.say(text)
    await flows.start_flow(context, CONSENT_FLOW)


async def mydata_command(update: Update, context: HubContext) -> None:
    """Send everything stored about the resident as a JSON file."""
    data = await personal_data.export_resident(context.scope.session, resident=context.resident)
    await context.send_file(
        data=data,
        filename="hubbot-my-data.json",
        caption=context.i18n.gettext("Here is everything hubbot stores about you."),
    )


async def delete_command(update: Update, context: HubContext) -> None:
    """Ask the resident to confirm erasing their data."""
    await ask_to_delete(context)


async def ask_to_delete(context: HubContext) -> None:
    """Ask for confirmation before erasing."""
    _ = context.i18n
    await context.say(
        _.gettext(
            "Do you really want to delete everything hubbot stores about you? "
            "This cannot be undone."
        ),
        keyboards.delete_confirmation(_),
    )


async def delete_answered(update: Update, context: HubContext) -> None:
    """Erase the resident's data, or keep it, as they confirmed."""
    query = update.callback_query
    assert query is not None
    _ = context.i18n
    await query.answer()
    if query.data != keyboards.DELETE_CONFIRM:
        await query.edit_message_text(_.gettext("Nothing was deleted."))
        return
    await personal_data.erase_resident(context.scope.session, resident=context.resident)
    context.scope.resident = None
    # Edit the question rather than send a new message: nothing is logged for a
    # resident who no longer exists.
    await query.edit_message_text(
        _.gettext(
            "Everything hubbot stored about you has been deleted. "
            "If you write again, hubbot starts afresh."
        )
    )
