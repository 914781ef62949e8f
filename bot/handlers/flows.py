"""Declared flows in Telegram: show a step, take answers and buttons, Back, Cancel, resume.

A flow left for longer than its `resume_after_hours` is not continued silently: the resident
is asked whether to go on or start again. While a flow waits for buttons, typed text gets a
reminder to use them (or /cancel), so a question is never mistaken for an answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from babel.dates import format_date
from telegram import Update
from telegram.error import TelegramError

from bot import keyboards
from bot.context import HubContext
from bot.i18n import babel_locale
from bot.services.flows import Progress
from db.base import utcnow
from flows import Ask, Finished, FlowEngine, FlowState, Invalid, Outcome

Finisher = Callable[[HubContext, Mapping[str, Any]], Awaitable[None]]


def _finishers() -> dict[str, Finisher]:
    # Imported here: these handlers start their flows through this module.
    from bot.handlers import onboarding, talent

    return {"talent_intake": talent.intake_finished, "consent": onboarding.consent_finished}


async def start_flow(
    context: HubContext, flow: str, answers: Mapping[str, Any] | None = None
) -> FlowState:
    """Begin a flow for the resident (replacing any other) and ask its first question."""
    state, outcome = _engine(context, flow).start(answers)
    await _settle(context, state, outcome)
    return state


async def answer_typed(context: HubContext, state: FlowState, text: str) -> None:
    """Take typed text as the answer to the current step.

    In a worker thread: reading an answer can mean recognising skills and embedding a story
    part by part (about 100 ms of CPU), and other residents' updates must not wait for it.
    The state is this resident's own, and their next update waits for this one (updates.py).
    """
    engine = _engine(context, state.flow)
    await _settle(context, state, await asyncio.to_thread(engine.answer_text, state, text))


def _engine(context: HubContext, flow: str) -> FlowEngine:
    return context.deps.flows.engine(
        flow,
        language=context.i18n.language,
        keep_text=context.resident.stores_text(context.deps.settings.consent_version),
    )


async def take_text(context: HubContext, text: str) -> bool:
    """Route typed text to the resident's flow; False when they are in none."""
    progress = await context.deps.flows.load(context.scope.session, context.resident)
    if progress is None:
        return False
    if await _asked_to_resume(context, progress):
        return True
    await answer_typed(context, progress.state, text)
    return True


async def flow_button(update: Update, context: HubContext) -> None:
    """Handle a button of a flow step: choose, toggle, done, skip, back, cancel, resume."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _step_id, action, value = _parse(query.data or "")
    service = context.deps.flows
    progress = await service.load(context.scope.session, context.resident)
    if progress is None:
        await _mark(query, context.i18n.gettext("These questions are closed."))
        return
    state = progress.state
    engine = _engine(context, state.flow)
    if action == "r":
        if value == "restart":
            await start_flow(context, state.flow)
        else:
            await _settle(context, state, engine.current(state))
        return
    if _step_id != state.step:
        # A button of an earlier question: ask the current one again.
        await _settle(context, state, engine.current(state))
        return
    if action == "x":
        await cancel(context)
        return
    if action == "t":
        outcome = engine.toggle(state, value)
        await context.deps.flows.save(context.scope.session, context.resident, state)
        if isinstance(outcome, Ask):
            await _refresh_buttons(context, query, outcome)
            return
    elif action == "c":
        outcome = engine.choose(state, value)
    elif action == "d":
        outcome = engine.done(state)
    elif action == "s":
        outcome = engine.skip(state)
    elif action == "b":
        outcome = engine.back(state)
    else:
        outcome = engine.current(state)
    await _mark(query, None)
    await _settle(context, state, outcome)


async def cancel_command(update: Update, context: HubContext) -> None:
    """Stop the flow the resident is in."""
    await cancel(context)


async def cancel(context: HubContext) -> None:
    """Forget the resident's flow and show the menu."""
    _ = context.i18n
    progress = await context.deps.flows.load(context.scope.session, context.resident)
    await context.deps.flows.clear(context.scope.session, context.resident)
    text = (
        _.gettext("Stopped. Your answers to these questions were not kept.")
        if progress is not None
        else _.gettext("There is nothing to cancel.")
    )
    await context.say(text, keyboards.main_menu(_))


async def _asked_to_resume(context: HubContext, progress: Progress) -> bool:
    engine = _engine(context, progress.state.flow)
    if not engine.is_stale(progress.updated_at, utcnow()):
        return False
    _ = context.i18n
    day = format_date(progress.updated_at, format="long", locale=babel_locale(_.language))
    await context.say(
        _.gettext(
            "You started answering questions about your talents on {date}. "
            "Do you want to continue or start again?"
        ).format(date=day),
        keyboards.flow_resume(_),
    )
    return True


async def _settle(context: HubContext, state: FlowState, outcome: Outcome) -> None:
    service = context.deps.flows
    session, resident = context.scope.session, context.resident
    if isinstance(outcome, Finished):
        await service.clear(session, resident)
        await _finishers()[state.flow](context, outcome.answers)
        return
    await service.save(session, resident, state)
    _ = context.i18n
    if isinstance(outcome, Invalid):
        await context.say(_.gettext(outcome.reason).format(**outcome.params))
        outcome = outcome.ask
    await context.say(
        _prompt(context, state, outcome),
        keyboards.flow_step(_, outcome, translate_options=outcome.step.options_from is None),
    )


def _prompt(context: HubContext, state: FlowState, ask: Ask) -> str:
    _ = context.i18n
    host = context.deps.flows.host(state.flow)
    values = host.prompt_values(ask.step, state, language=_.language)
    text = _.gettext(ask.step.prompt)
    return text.format(**values) if values else text


async def _refresh_buttons(context: HubContext, query: Any, ask: Ask) -> None:
    markup = keyboards.flow_step(context.i18n, ask, translate_options=ask.step.options_from is None)
    try:
        await query.edit_message_reply_markup(markup)
    except TelegramError:
        await context.say(context.i18n.gettext("Please choose:"), markup)


async def _mark(query: Any, text: str | None) -> None:
    # Take the buttons off an answered question, so they cannot be pressed twice.
    try:
        if text is None:
            await query.edit_message_reply_markup(None)
        else:
            await query.edit_message_text(text)
    except TelegramError:
        pass


def _parse(data: str) -> tuple[str, str, str]:
    parts = data.removeprefix(keyboards.FLOW_PREFIX).split(":", 2)
    while len(parts) < 3:
        parts.append("")
    return parts[0], parts[1], parts[2]
