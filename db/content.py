"""Load the hub's content (hubs, later services, programmes, events) from YAML files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from db import repositories

HUB_FIELDS = ("city", "timezone", "names", "address", "opening_hours", "phone", "email")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import changed."""

    hubs: int


class ContentError(ValueError):
    """The content files are not valid."""


def read_hubs(content_dir: Path) -> list[dict[str, Any]]:
    """Read and check `hubs.yml`."""
    path = content_dir / "hubs.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    hubs = data.get("hubs")
    if not isinstance(hubs, list):
        raise ContentError(f"{path}: expected a list under 'hubs'")
    for hub in hubs:
        if not isinstance(hub, dict) or not hub.get("slug") or not hub.get("city"):
            raise ContentError(f"{path}: every hub needs a slug and a city: {hub!r}")
    return hubs


async def import_content(session: AsyncSession, content_dir: Path) -> ImportReport:
    """Create or update everything in the content folder; the caller commits."""
    hubs = read_hubs(content_dir)
    for hub in hubs:
        fields = {name: hub[name] for name in HUB_FIELDS if name in hub}
        await repositories.upsert_hub(session, slug=str(hub["slug"]), fields=fields)
    return ImportReport(hubs=len(hubs))
