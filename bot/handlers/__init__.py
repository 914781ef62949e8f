"""Telegram handlers: each module turns one kind of update into a service call and a reply."""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.broadcasting import keyboards as broadcast_keyboards
from bot.handlers import (
    broadcasts,
    errors,
    events,
    flows,
    handover,
    membership,
    menu,
    messages,
    onboarding,
    privacy,
    subscriptions,
    talent,
)


def register(
    application: Application[Any, Any, Any, Any, Any, Any], *, staff_chat_id: int | None
) -> None:
    """Add every handler to the application, most specific first."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    if staff_chat_id is not None:
        # Staff write in their chat; nothing there is a resident's message.
        staff_chat = filters.Chat(chat_id=staff_chat_id) & filters.UpdateType.MESSAGE
        application.add_handler(MessageHandler(staff_chat, handover.staff_reply))
    application.add_handlers(
        [
            CommandHandler("start", onboarding.start, filters=private),
            CommandHandler("language", onboarding.language_command, filters=private),
            CommandHandler("hub", onboarding.hub_command, filters=private),
            CommandHandler("help", menu.help_command, filters=private),
            CommandHandler("menu", menu.menu_command, filters=private),
            CommandHandler("privacy", privacy.privacy_command, filters=private),
            CommandHandler("mydata", privacy.mydata_command, filters=private),
            CommandHandler("delete", privacy.delete_command, filters=private),
            CommandHandler("talent", talent.talent_command, filters=private),
            CommandHandler("myapplications", talent.myapplications_command, filters=private),
            CommandHandler("cancel", flows.cancel_command, filters=private),
            CommandHandler("events", events.events_command, filters=private),
            MessageHandler(private & filters.COMMAND, menu.unknown_command),
            MessageHandler(private & filters.TEXT, messages.free_text),
            MessageHandler(private & ~filters.TEXT, messages.not_text),
            CallbackQueryHandler(
                onboarding.language_chosen, pattern=f"^{keyboards.LANGUAGE_PREFIX}"
            ),
            CallbackQueryHandler(
                onboarding.language_switched, pattern=f"^{keyboards.SWITCH_LANGUAGE_PREFIX}"
            ),
            CallbackQueryHandler(onboarding.hub_chosen, pattern=f"^{keyboards.HUB_PREFIX}"),
            CallbackQueryHandler(privacy.delete_answered, pattern="^delete:"),
            CallbackQueryHandler(flows.flow_button, pattern=f"^{keyboards.FLOW_PREFIX}"),
            CallbackQueryHandler(talent.programme_button, pattern=f"^{keyboards.PROGRAMME_PREFIX}"),
            CallbackQueryHandler(talent.withdraw_button, pattern=f"^{keyboards.WITHDRAW_PREFIX}"),
            CallbackQueryHandler(talent.start_button, pattern=f"^{keyboards.TALENT_START}$"),
            CallbackQueryHandler(events.event_button, pattern=f"^{keyboards.EVENT_PREFIX}"),
            CallbackQueryHandler(messages.topic_chosen, pattern=f"^{keyboards.TOPIC_PREFIX}"),
            CallbackQueryHandler(handover.resident_ends, pattern=f"^{keyboards.HANDOVER_END}$"),
            CallbackQueryHandler(messages.feedback_given, pattern=f"^{keyboards.FEEDBACK_PREFIX}"),
            CallbackQueryHandler(menu.menu_chosen, pattern=f"^({keyboards.MENU_PREFIX}|settings:)"),
            CallbackQueryHandler(menu.stale_button),
            ChatMemberHandler(membership.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    application.add_error_handler(errors.apologise)
    # Broadcasts (issue 6): one group earlier, so a staff member's text for a draft is taken
    # before it reads as a question; these handlers stop the update once they handled it.
    application.add_handlers(
        [
            CommandHandler("subscribe", subscriptions.subscribe_command, filters=private),
            CommandHandler("unsubscribe", subscriptions.unsubscribe_command, filters=private),
            CommandHandler("broadcast", broadcasts.broadcast_command, filters=private),
            CommandHandler("broadcasts", broadcasts.broadcasts_command, filters=private),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, broadcasts.staff_text),
            CallbackQueryHandler(
                subscriptions.topic_toggled, pattern=f"^{broadcast_keyboards.SUBSCRIBE_PREFIX}"
            ),
            CallbackQueryHandler(
                broadcasts.broadcast_button, pattern=f"^{broadcast_keyboards.BROADCAST_PREFIX}"
            ),
            CallbackQueryHandler(
                subscriptions.original_broadcast,
                pattern=f"^{broadcast_keyboards.ORIGINAL_PREFIX}",
            ),
        ],
        group=-1,
    )
