"""Messages that are not commands: questions in free text, and everything else."""

from __future__ import annotations

import logging

from telegram import Update

from bot import keyboards, replies
from bot.context import HubContext
from bot.formatting import paragraph
from bot.handlers import events, flows, handover, onboarding, privacy, talent
from bot.i18n import LANGUAGE_BY_CODE, LANGUAGES, Language
from bot.services.answers import Answer, AnswerKind
from bot.services.language import Detection
from bot.services.onboarding import Step, next_step
from bot.services.translation import TranslationUnavailable
from db import repositories

logger = logging.getLogger(__name__)


async def free_text(update: Update, context: HubContext) -> None:
    """Answer a question, after any unanswered onboarding question."""
    message = update.message
    assert message is not None and message.text is not None
    crisis = context.deps.safety.crisis_in(message.text)
    if crisis is not None:
        await answer_crisis(context, crisis, message.text)
        return
    step = next_step(context.resident, consent_version=context.deps.settings.consent_version)
    if step is not Step.DONE:
        await onboarding.continue_onboarding(context)
        return
    if await flows.take_text(context, message.text):
        return
    if await handover.forward_to_staff(context, message.text):
        return
    detection = context.deps.languages.detect(message.text, prior=context.resident.language)
    incoming = context.scope.incoming
    if not detection.supported:
        if await _answer_through_english(context, message.text, detection):
            return
        if incoming is not None:
            incoming.outcome = "unsupported_language"
        await context.say(
            context.i18n.gettext(
                "Sorry, I cannot read this language yet. You can write to me in: {languages}."
            ).format(languages=", ".join(language.native_name for language in LANGUAGES)),
            keyboards.main_menu(context.i18n),
        )
        return
    # Answer in the language of the message; short or unclear ones keep the chosen language.
    chosen = context.resident.language
    _ = context.use_language(detection.language)
    if incoming is not None:
        incoming.language = detection.language
    answer = await context.deps.answers.answer(
        question=message.text,
        resident=context.resident,
        session=context.scope.session,
        language=_.language,
    )
    # Written clearly in another served language (Dari and Persian are one for this): the
    # answer, in that language, offers to keep it.
    wrote_in = _.language
    switch_to = None
    if (
        detection.confident
        and chosen not in (None, wrote_in)
        and {chosen, wrote_in} != {"fa", "prs"}
    ):
        switch_to = LANGUAGE_BY_CODE[wrote_in]
    await deliver(context, answer, question=message.text, switch_to=switch_to)


async def _answer_through_english(context: HubContext, text: str, detection: Detection) -> bool:
    """Answer a message in an unserved language from its English translation, if allowed.

    Return False when the settings forbid it or the provider fails: the caller then says which
    languages hubbot reads.
    """
    if not context.deps.settings.translate_unserved_messages:
        return False
    try:
        translation = await context.deps.translation.translate(
            context.scope.session,
            text,
            source=detection.code or "auto",
            target="en",
            # A resident's own words: never kept in the translation memory.
            remember=False,
        )
    except TranslationUnavailable as error:
        logger.warning("a message in %s could not be translated: %s", detection.language, error)
        return False
    english = translation.text
    # The crisis patterns know the served languages only: the translation is checked too.
    crisis = context.deps.safety.crisis_in(english)
    if crisis is not None:
        await answer_crisis(context, crisis, text, for_staff=f"{text}\n\n(en) {english}")
        return True
    incoming = context.scope.incoming
    if incoming is not None and detection.code is not None:
        # Which unserved languages residents write in tells coordinators what to add.
        incoming.language = detection.code
    _ = context.i18n
    await context.say(
        _.gettext(
            "I read your message with automatic translation, so I may have misread "
            "it. I answer in {language}."
        ).format(language=LANGUAGE_BY_CODE[_.language].native_name)
    )
    answer = await context.deps.answers.answer(
        question=english,
        resident=context.resident,
        session=context.scope.session,
        language=_.language,
    )
    await deliver(context, answer, question=english)
    return True


async def answer_crisis(
    context: HubContext, category: str, text: str, *, for_staff: str | None = None
) -> None:
    """Give the emergency numbers before anything else, and alert the staff chat.

    `for_staff`: what the alert quotes, when not the text alone (with its translation).
    """
    detection = context.deps.languages.detect(text, prior=context.i18n.language)
    _ = context.use_language(detection.language) if detection.supported else context.i18n
    incoming = context.scope.incoming
    if incoming is not None:
        incoming.outcome, incoming.intent = "emergency", f"crisis:{category}"
    await context.say(context.deps.safety.reply(_.language), keyboards.crisis(_))
    await handover.alert_staff(context, category=category, text=for_staff or text)


async def topic_chosen(update: Update, context: HubContext) -> None:
    """Answer the topic the resident picked from the suggestions."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    intent = (query.data or "").removeprefix(keyboards.TOPIC_PREFIX)
    if intent not in replies.INTENT_LABELS:
        await onboarding.continue_onboarding(context)
        return
    answer = await context.deps.answers.answer_intent(
        intent,
        resident=context.resident,
        session=context.scope.session,
        language=context.i18n.language,
    )
    await deliver(context, answer)


async def deliver(
    context: HubContext,
    answer: Answer,
    *,
    question: str | None = None,
    switch_to: Language | None = None,
) -> None:
    """Send an answer, and note on the logged question how it was understood.

    `switch_to`: offer to answer in this language for good (see `keyboards.answer`).
    """
    incoming = context.scope.incoming
    if incoming is not None:
        incoming.intent, incoming.confidence = answer.intent, answer.confidence
        incoming.outcome = answer.kind.value
        incoming.scores = [[name, confidence] for name, confidence in answer.scores] or None
    _ = context.i18n
    if answer.kind is AnswerKind.DELETE_DATA:
        await privacy.ask_to_delete(context)
    elif answer.kind is AnswerKind.HANDOVER:
        await handover.ask_for_person(context)
    elif answer.kind is AnswerKind.TALENT:
        await talent.start_intake(context, description=question)
    elif answer.kind is AnswerKind.EVENTS:
        await events.show_events(context)
    elif answer.kind is AnswerKind.ANSWERED and answer.text:
        keyboard = keyboards.answer(
            _,
            question_id=await context.scope.incoming_id(),
            website=answer.website,
            address=answer.address,
            switch_to=switch_to,
        )
        await context.say_lines(answer.lines or paragraph(answer.text), keyboard)
    elif answer.kind is AnswerKind.UNSURE:
        await context.say(
            _.gettext(
                "I am not sure I understood. Is your question about one of these topics? "
                "You can also write it in other words."
            ),
            keyboards.suggestions(_, answer.suggestions, replies.INTENT_LABELS),
        )
    else:
        await context.say(
            _.gettext(
                "Sorry, I could not understand your question. Please write it in other words, "
                "choose a topic from the menu, or talk to a person."
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


async def feedback_given(update: Update, context: HubContext) -> None:
    """Store whether an answer helped, on the question it answered."""
    query = update.callback_query
    assert query is not None
    _ = context.i18n
    helpful, _sep, question_id = (
        (query.data or "").removeprefix(keyboards.FEEDBACK_PREFIX).partition(":")
    )
    stored = await repositories.set_feedback(
        context.scope.session,
        resident=context.resident,
        message_id=int(question_id) if question_id.isdigit() else -1,
        helpful=helpful == "1",
    )
    await query.answer(_.gettext("Thank you for your feedback!") if stored else None)
    if stored and helpful != "1":
        await context.say(
            _.gettext(
                "Sorry that this did not help. You can ask in other words or talk to a person."
            ),
            keyboards.suggestions(_, (), replies.INTENT_LABELS),
        )
