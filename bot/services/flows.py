"""Run declared flows for residents: the engine per flow, its host, and stored progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from db import repositories
from db.base import utcnow
from db.models import FlowProgress, Resident
from flows import FlowDefinition, FlowEngine, FlowState, Option, Step


class FlowHost(Protocol):
    """What a flow needs from the application: computed options, conditions, prompt values."""

    def options(self, source: str, state: FlowState, *, language: str) -> Sequence[Option]:
        """Return the options of a step with `options_from` (labels already translated)."""
        ...

    def condition(self, name: str, state: FlowState) -> bool:
        """Evaluate a step's `when`."""
        ...

    def prompt_values(self, step: Step, state: FlowState, *, language: str) -> dict[str, str]:
        """Return the values of the placeholders in a step's prompt."""
        ...

    def after_text(self, step: Step, state: FlowState, *, keep_text: bool, language: str) -> None:
        """Digest a typed answer; drop the words themselves when they may not be kept."""
        ...


class PlainHost:
    """A host for flows with nothing computed."""

    def options(self, source: str, state: FlowState, *, language: str) -> Sequence[Option]:
        """Return no options."""
        return ()

    def condition(self, name: str, state: FlowState) -> bool:
        """Treat every condition as true."""
        return True

    def prompt_values(self, step: Step, state: FlowState, *, language: str) -> dict[str, str]:
        """Return no values."""
        return {}

    def after_text(self, step: Step, state: FlowState, *, keep_text: bool, language: str) -> None:
        """Keep the answer as it is (or not at all)."""
        if not keep_text:
            state.answers[step.id] = ""


@dataclass(frozen=True, slots=True)
class Progress:
    """A resident's place in a flow, and when they last answered."""

    state: FlowState
    updated_at: datetime


class FlowService:
    """Build engines for flows and keep each resident's progress in the database."""

    def __init__(
        self, definitions: Mapping[str, FlowDefinition], hosts: Mapping[str, FlowHost]
    ) -> None:
        self.definitions = dict(definitions)
        self._hosts = dict(hosts)

    def host(self, flow: str) -> FlowHost:
        """Return the host of a flow."""
        return self._hosts.get(flow) or PlainHost()

    def engine(self, flow: str, *, language: str, keep_text: bool = False) -> FlowEngine:
        """Return an engine for a flow, in a language; typed words are kept only if allowed."""
        host = self.host(flow)
        return FlowEngine(
            self.definitions[flow],
            options=partial(host.options, language=language),
            condition=host.condition,
            digest=partial(host.after_text, keep_text=keep_text, language=language),
        )

    async def load(self, session: AsyncSession, resident: Resident) -> Progress | None:
        """Return the resident's progress, or None (also for a flow no longer defined)."""
        row = await repositories.get_flow_progress(session, resident=resident)
        if row is None or row.flow not in self.definitions:
            return None
        definition = self.definitions[row.flow]
        if row.step not in {step.id for step in definition.steps}:
            return None
        state = FlowState(row.flow, row.step, dict(row.answers), list(row.history))
        return Progress(state, row.updated_at)

    async def save(self, session: AsyncSession, resident: Resident, state: FlowState) -> None:
        """Store the resident's progress."""
        row = await repositories.get_flow_progress(session, resident=resident)
        if row is None or row.flow != state.flow:
            if row is not None:
                await session.delete(row)
                await session.flush()
            row = FlowProgress(resident_id=resident.id, flow=state.flow, started_at=utcnow())
            repositories.add_flow_progress(session, resident=resident, row=row)
        row.step, row.answers, row.history = state.step, dict(state.answers), list(state.history)
        row.updated_at = utcnow()
        await session.flush()

    async def clear(self, session: AsyncSession, resident: Resident) -> None:
        """Forget the resident's progress."""
        await repositories.clear_flow_progress(session, resident=resident)
