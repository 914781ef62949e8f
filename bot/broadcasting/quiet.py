"""Quiet hours: non-urgent broadcasts wait for the morning in the hub's time zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from db.models import Hub


def in_quiet_hours(local: time, *, start: time, end: time) -> bool:
    """Tell whether a local time of day falls in quiet hours (which may span midnight)."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hubs(hubs: Iterable[Hub], *, now: datetime, start: time, end: time) -> set[int]:
    """Return the ids of hubs where it is quiet hours now."""
    return {
        hub.id
        for hub in hubs
        if in_quiet_hours(now.astimezone(ZoneInfo(hub.timezone)).time(), start=start, end=end)
    }
