"""Declarative conversations: YAML definitions and the small engine that runs them."""

from flows.engine import Ask, Finished, FlowEngine, FlowState, Invalid, Outcome
from flows.loader import load_definitions
from flows.schema import END, FlowDefinition, Option, Step, StepType

__all__ = [
    "END",
    "Ask",
    "Finished",
    "FlowDefinition",
    "FlowEngine",
    "FlowState",
    "Invalid",
    "Option",
    "Outcome",
    "Step",
    "StepType",
    "load_definitions",
]
