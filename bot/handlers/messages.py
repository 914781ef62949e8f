"""Messages that are not commands: questions in free text, and everything else."""

from __future__ import annotations

from telegram import Update

from bot import keyboards
from bot.context import HubContext
from bot.handlers import onboarding
from bot.services.answers import AnswerKind
from bot.services.onboarding import Step, next_step


async def free_text(update: Update, context: HubContext) -> None:
    """Route a question to the answer service, after any unanswered onboarding question."""
    message = update.message
    assert message is not None and message.text is not None
    step = next_step(context.resident, consent_version=context.deps.settings.consent_version)
    if step is not Step.DONE:
        await onboarding.continue_onboarding(context)
        return
    answer = await context.deps.answers.answer(question=message.text, resident=context.resident)
    _ = context.i18n
    if answer.kind is AnswerKind.ANSWERED and answer.text:
        await context.say(answer.text, keyboards.main_menu(_))
        return
    await context.say(
        _.gettext(
            "Thank you for your message. hubbot cannot answer questions by itself yet; "
            "this is coming soon. The menu shows what is already there, and the hub team "
            "can help you in person."
        ),
        keyboards.main_menu(_),
    )


async def not_text(update: Update, context: HubContext) -> None:
    """Tell the resident that hubbot reads text only."""
    _ = context.i18n
    await context.say(
        _.gettext(
            "Sorry, hubbot can only read text messages. Please write your question in words."
        ),
        keyboards.main_menu(_),
    )
