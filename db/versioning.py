"""Checked saves of content: a save names the version it was made on, and bumps it.

One conditional UPDATE, so two coordinators never overwrite each other unseen.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession


class EditConflict(Exception):
    """Somebody saved the item after the form was opened."""


async def bump_version(session: AsyncSession, row: Any, *, seen_version: int) -> int:
    """Move a row from the version the form saw to the next; raise EditConflict if it moved."""
    model = type(row)
    result = await session.execute(
        update(model)
        .where(model.id == row.id, model.version == seen_version)
        .values(version=seen_version + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise EditConflict
    row.version = seen_version + 1
    return seen_version + 1
