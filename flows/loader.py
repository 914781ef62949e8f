"""Read flow definitions from YAML files."""

from __future__ import annotations

from pathlib import Path

import yaml

from flows.schema import FlowDefinition

DEFINITIONS_DIR = Path(__file__).parent / "definitions"


def load_definitions(folder: Path = DEFINITIONS_DIR) -> dict[str, FlowDefinition]:
    """Load and validate every `*.yml` flow in a folder, keyed by flow name."""
    definitions: dict[str, FlowDefinition] = {}
    for path in sorted(folder.glob("*.yml")):
        definition = FlowDefinition.model_validate(yaml.safe_load(path.read_text("utf-8")))
        if definition.name in definitions:
            raise ValueError(f"{path}: flow {definition.name!r} is defined twice")
        definitions[definition.name] = definition
    return definitions
