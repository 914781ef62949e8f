"""Babel extractor for flow definitions: every prompt and option label is a msgid."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

from flows.schema import FlowDefinition


def extract_flow(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield (line, function, message, comments) for `pybabel extract`."""
    definition = FlowDefinition.model_validate(yaml.safe_load(fileobj.read().decode("utf-8")))
    for step in definition.steps:
        yield 0, None, step.prompt, [f"flow {definition.name}, step {step.id}"]
        for option in step.options:
            yield 0, None, option.label, [f"flow {definition.name}, button of {step.id}"]
