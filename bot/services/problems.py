"""Why a change to hub content was refused, in words any caller can translate."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a save was refused: a message id and what fills its placeholders."""

    message: str
    params: dict[str, str] = field(default_factory=dict)

    def english(self) -> str:
        """Return the message as written in the source (for the command line)."""
        return self.message.format(**self.params)
