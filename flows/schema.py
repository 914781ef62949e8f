"""The shape of a flow definition: its steps, their prompts, answer types and branches.

Prompts and option labels are gettext msgids (English source text): translators see them in
the catalogue like every other string, and `flows.babel` extracts them from the YAML files.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

END = "end"


class StepType(StrEnum):
    """What kind of answer a step expects."""

    TEXT = "text"
    CHOICE = "choice"
    MULTI_SELECT = "multi_select"


class Option(BaseModel):
    """A button: the value the engine stores and the label (a msgid) the resident reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str = Field(pattern=r"^[a-z0-9_.-]{1,32}$")
    label: str


class Step(BaseModel):
    """One question of a flow."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]{1,16}$")
    type: StepType
    prompt: str
    options: tuple[Option, ...] = ()
    # Options the host computes at run time (e.g. the skills hubbot understood).
    options_from: str | None = None
    # A host condition: the step is skipped when it is false.
    when: str | None = None
    optional: bool = False
    min_length: int = 1
    max_length: int = 2000
    min_selected: int = 1
    # Where to go next: the following step by default, a step id, or "end".
    next: str | None = None
    branches: dict[str, str] = {}

    @model_validator(mode="after")
    def _options_for_buttons(self) -> Self:
        has_buttons = self.type in (StepType.CHOICE, StepType.MULTI_SELECT)
        if has_buttons and not (self.options or self.options_from):
            raise ValueError(f"step {self.id!r} needs options or options_from")
        if not has_buttons and (self.options or self.options_from or self.branches):
            raise ValueError(f"text step {self.id!r} cannot have options or branches")
        return self


class FlowDefinition(BaseModel):
    """A conversation of several steps, run by `flows.engine`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    # After this long without an answer, the resident is asked whether to go on or restart.
    resume_after_hours: float = 24.0
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _targets_exist(self) -> Self:
        ids = [step.id for step in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError(f"flow {self.name!r} repeats a step id")
        for step in self.steps:
            for target in [step.next, *step.branches.values()]:
                if target is not None and target != END and target not in ids:
                    raise ValueError(f"step {step.id!r} goes to unknown step {target!r}")
        return self

    def step(self, step_id: str) -> Step:
        """Return a step by id."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def following(self, step_id: str) -> str:
        """Return the id of the step written after this one, or END."""
        ids = [step.id for step in self.steps]
        index = ids.index(step_id) + 1
        return ids[index] if index < len(ids) else END
