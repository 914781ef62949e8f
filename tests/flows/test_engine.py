"""The flow engine on its own: steps, validation, branches, conditions, Back, Skip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from flows import Ask, Finished, FlowDefinition, FlowEngine, FlowState, Invalid, Option, Step
from flows.loader import load_definitions

DEFINITION = FlowDefinition.model_validate(
    {
        "name": "demo",
        "resume_after_hours": 24,
        "steps": [
            {"id": "story", "type": "text", "prompt": "Tell me", "min_length": 3, "max_length": 20},
            {
                "id": "check",
                "type": "choice",
                "prompt": "Right?",
                "when": "found",
                "options": [{"value": "yes", "label": "Yes"}, {"value": "again", "label": "No"}],
                "branches": {"again": "story"},
            },
            {"id": "wish", "type": "text", "prompt": "Wish?", "optional": True},
            {"id": "days", "type": "multi_select", "prompt": "Days?", "options_from": "days"},
        ],
    }
)
DAYS = [Option(value="mon", label="Monday"), Option(value="sat", label="Saturday")]


def digest(step: Step, state: FlowState) -> None:
    if step.id == "story":
        state.answers["found"] = "cook" in str(state.answers["story"])


def make_engine() -> FlowEngine:
    return FlowEngine(
        DEFINITION,
        options=lambda source, state: DAYS,
        condition=lambda name, state: bool(state.answers.get(name)),
        digest=digest,
    )


def test_a_flow_asks_its_steps_in_order_and_finishes_with_every_answer() -> None:
    engine = make_engine()
    state, first = engine.start()
    assert isinstance(first, Ask) and first.step.id == "story" and not first.can_go_back
    check = engine.answer_text(state, "I cook")
    assert isinstance(check, Ask) and check.step.id == "check" and check.can_go_back
    assert isinstance(engine.choose(state, "yes"), Ask)
    days = engine.answer_text(state, "a café")
    assert isinstance(days, Ask) and [o.value for o in days.options] == ["mon", "sat"]
    engine.toggle(state, "sat")
    finished = engine.done(state)
    assert isinstance(finished, Finished)
    assert finished.answers["story"] == "I cook"
    assert finished.answers["wish"] == "a café"
    assert finished.answers["days"] == ["sat"]


def test_a_step_whose_condition_is_false_is_skipped() -> None:
    engine = make_engine()
    state, _ = engine.start()
    outcome = engine.answer_text(state, "I sing")
    assert isinstance(outcome, Ask) and outcome.step.id == "wish"


def test_a_branch_leads_back_to_an_earlier_step() -> None:
    engine = make_engine()
    state, _ = engine.start()
    engine.answer_text(state, "I cook")
    outcome = engine.choose(state, "again")
    assert isinstance(outcome, Ask) and outcome.step.id == "story"


@pytest.mark.parametrize(("text", "count"), [("ab", 3), ("x" * 21, 20)])
def test_text_that_is_too_short_or_too_long_is_refused_and_asked_again(
    text: str, count: int
) -> None:
    engine = make_engine()
    state, _ = engine.start()
    outcome = engine.answer_text(state, text)
    assert isinstance(outcome, Invalid)
    assert outcome.params == {"count": count}
    assert outcome.ask.step.id == "story" and "story" not in state.answers


def test_typing_at_a_button_step_asks_for_the_buttons() -> None:
    engine = make_engine()
    state, _ = engine.start()
    engine.answer_text(state, "I cook")
    outcome = engine.answer_text(state, "yes")
    assert isinstance(outcome, Invalid) and outcome.reason == "Please use the buttons below."


def test_an_unknown_button_value_changes_nothing() -> None:
    engine = make_engine()
    state, _ = engine.start()
    engine.answer_text(state, "I cook")
    outcome = engine.choose(state, "maybe")
    assert isinstance(outcome, Ask) and outcome.step.id == "check"
    assert "check" not in state.answers


def test_multi_select_toggles_and_needs_at_least_one() -> None:
    engine = make_engine()
    state, _ = engine.start()
    engine.answer_text(state, "I sing")
    engine.skip(state)
    engine.toggle(state, "mon")
    engine.toggle(state, "sat")
    shown = engine.toggle(state, "mon")
    assert isinstance(shown, Ask) and shown.selected == {"sat"}
    engine.toggle(state, "sat")
    refused = engine.done(state)
    assert isinstance(refused, Invalid) and refused.params == {"count": 1}


def test_skip_works_only_on_optional_steps() -> None:
    engine = make_engine()
    state, _ = engine.start()
    still = engine.skip(state)
    assert isinstance(still, Ask) and still.step.id == "story"
    engine.answer_text(state, "I sing")
    skipped = engine.skip(state)
    assert isinstance(skipped, Ask) and skipped.step.id == "days"
    assert "wish" not in state.answers


def test_back_returns_to_the_previous_step_actually_asked() -> None:
    engine = make_engine()
    state, _ = engine.start()
    engine.answer_text(state, "I sing")  # "check" is skipped
    back = engine.back(state)
    assert isinstance(back, Ask) and back.step.id == "story"
    assert engine.back(state).step.id == "story"


def test_a_flow_left_longer_than_its_resume_time_is_stale() -> None:
    engine = make_engine()
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert not engine.is_stale(now - timedelta(hours=23), now)
    assert engine.is_stale(now - timedelta(hours=25), now)


def test_the_state_survives_a_round_trip_through_plain_data() -> None:
    engine = make_engine()
    state, _ = engine.start()
    engine.answer_text(state, "I cook")
    stored = FlowState(state.flow, state.step, dict(state.answers), list(state.history))
    outcome = make_engine().choose(stored, "yes")
    assert isinstance(outcome, Ask) and outcome.step.id == "wish"


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"id": "a", "type": "choice", "prompt": "?"}], "needs options"),
        ([{"id": "a", "type": "text", "prompt": "?", "next": "nowhere"}], "unknown step"),
        (
            [
                {"id": "a", "type": "text", "prompt": "?"},
                {"id": "a", "type": "text", "prompt": "?"},
            ],
            "repeats a step id",
        ),
    ],
)
def test_a_broken_definition_is_refused_when_loaded(steps: list[object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FlowDefinition.model_validate({"name": "broken", "steps": steps})


def test_the_shipped_definitions_load() -> None:
    definitions = load_definitions()
    assert "talent_intake" in definitions
    intake = definitions["talent_intake"]
    assert [step.id for step in intake.steps][0] == "skills"
