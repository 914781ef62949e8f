"""Run a declared flow: one step at a time, with validation, Back, Cancel and branches.

Pure logic: no Telegram, database or network. The caller keeps a `FlowState` between
messages (hubbot stores it in the database) and renders what the engine returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flows.schema import END, FlowDefinition, Option, Step, StepType

# Computes the options of a step with `options_from`, evaluates `when` conditions, and
# digests a typed answer (e.g. finds skills in it) before the next step is chosen.
OptionsSource = Callable[[str, "FlowState"], Sequence[Option]]
Condition = Callable[[str, "FlowState"], bool]
Digest = Callable[[Step, "FlowState"], None]


@dataclass
class FlowState:
    """Where a resident is in a flow and what they answered so far."""

    flow: str
    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ask:
    """Ask the resident the current step (again)."""

    step: Step
    options: tuple[Option, ...]
    selected: frozenset[str] = frozenset()
    can_go_back: bool = False


@dataclass(frozen=True)
class Invalid:
    """The answer does not fit the step: say why (a msgid with placeholders), then ask again."""

    reason: str
    params: Mapping[str, Any]
    ask: Ask


@dataclass(frozen=True)
class Finished:
    """Every step is answered."""

    answers: Mapping[str, Any]


Outcome = Ask | Invalid | Finished


def N_(message: str) -> str:
    """Mark a message for the catalogue; the host translates it when it shows it."""
    return message


def _no_options(source: str, state: FlowState) -> Sequence[Option]:
    raise LookupError(f"no options source {source!r}")


def _always(name: str, state: FlowState) -> bool:
    raise LookupError(f"no condition {name!r}")


def _keep(step: Step, state: FlowState) -> None:
    return None


class FlowEngine:
    """Moves a `FlowState` through a `FlowDefinition`."""

    def __init__(
        self,
        definition: FlowDefinition,
        *,
        options: OptionsSource = _no_options,
        condition: Condition = _always,
        digest: Digest = _keep,
    ) -> None:
        self.definition = definition
        self._options = options
        self._condition = condition
        self._digest = digest

    def start(self, answers: Mapping[str, Any] | None = None) -> tuple[FlowState, Outcome]:
        """Begin the flow, optionally with answers known beforehand (e.g. preselections)."""
        state = FlowState(flow=self.definition.name, step=self.definition.steps[0].id)
        state.answers.update(answers or {})
        return state, self._enter(state, state.step)

    def current(self, state: FlowState) -> Ask:
        """Return the question the resident is on."""
        step = self.definition.step(state.step)
        options = self.options_of(step, state)
        selected = frozenset(state.answers.get(step.id, ())) if _is_multi(step) else frozenset()
        return Ask(step, options, selected, can_go_back=bool(state.history))

    def options_of(self, step: Step, state: FlowState) -> tuple[Option, ...]:
        """Return a step's buttons: written in the flow, or computed by the host."""
        if step.options_from is not None:
            return tuple(self._options(step.options_from, state))
        return step.options

    def answer_text(self, state: FlowState, text: str) -> Outcome:
        """Take a typed answer for a text step."""
        step = self.definition.step(state.step)
        if step.type is not StepType.TEXT:
            return Invalid(N_("Please use the buttons below."), {}, self.current(state))
        text = text.strip()
        if len(text) < step.min_length:
            return Invalid(
                N_("Please write a little more (at least {count} characters)."),
                {"count": step.min_length},
                self.current(state),
            )
        if len(text) > step.max_length:
            return Invalid(
                N_("Please write it shorter (at most {count} characters)."),
                {"count": step.max_length},
                self.current(state),
            )
        state.answers[step.id] = text
        self._digest(step, state)
        return self._advance(state, step, step.next)

    def choose(self, state: FlowState, value: str) -> Outcome:
        """Take a button press on a choice step."""
        step = self.definition.step(state.step)
        if step.type is not StepType.CHOICE:
            return self.current(state)
        if value not in {option.value for option in self.options_of(step, state)}:
            return self.current(state)
        state.answers[step.id] = value
        return self._advance(state, step, step.branches.get(value, step.next))

    def toggle(self, state: FlowState, value: str) -> Outcome:
        """Select or unselect one option of a multi-select step."""
        step = self.definition.step(state.step)
        if not _is_multi(step) or value not in {o.value for o in self.options_of(step, state)}:
            return self.current(state)
        selected = list(state.answers.get(step.id, []))
        if value in selected:
            selected.remove(value)
        else:
            selected.append(value)
        state.answers[step.id] = selected
        return self.current(state)

    def done(self, state: FlowState) -> Outcome:
        """Close a multi-select step."""
        step = self.definition.step(state.step)
        if not _is_multi(step):
            return self.current(state)
        if len(state.answers.get(step.id, [])) < step.min_selected:
            return Invalid(
                N_("Please choose at least {count}."),
                {"count": step.min_selected},
                self.current(state),
            )
        return self._advance(state, step, step.next)

    def skip(self, state: FlowState) -> Outcome:
        """Leave an optional step unanswered."""
        step = self.definition.step(state.step)
        if not step.optional:
            return self.current(state)
        state.answers.pop(step.id, None)
        return self._advance(state, step, step.next)

    def back(self, state: FlowState) -> Outcome:
        """Return to the previous question; its earlier answer stays as the default."""
        if state.history:
            state.step = state.history.pop()
        return self.current(state)

    def is_stale(self, updated_at: datetime, now: datetime) -> bool:
        """Tell whether a flow was left long enough ago to ask: continue or start again?"""
        return now - updated_at > timedelta(hours=self.definition.resume_after_hours)

    def _advance(self, state: FlowState, step: Step, target: str | None) -> Outcome:
        state.history.append(step.id)
        return self._enter(state, target or self.definition.following(step.id))

    def _enter(self, state: FlowState, target: str) -> Outcome:
        # Skip steps whose condition is false, following the written order.
        while target != END:
            step = self.definition.step(target)
            if step.when is None or self._condition(step.when, state):
                state.step = target
                return self.current(state)
            target = self.definition.following(step.id)
        return Finished(dict(state.answers))


def _is_multi(step: Step) -> bool:
    return step.type is StepType.MULTI_SELECT
