"""The forms of an event's and a service's details: read as typed, shown again as typed.

A form's values stay strings (and lists of strings) until they are read, so a refused form
comes back with exactly what the person typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.i18n import N_
from bot.services import event_admin
from bot.services.problems import Problem
from dashboard.content_services import ServiceDetails, ServiceTexts
from db.models import Event, Service

Values = dict[str, Any]
# A form field's values by name: [] when it was not sent.
Reader = Callable[[str], list[str]]

EVENT_FIELDS = ("hub", "language", "title", "description", "starts", "ends", "room", "capacity")
SERVICE_FIELDS = (
    "hub",
    "intent",
    "partner",
    "address",
    "phone",
    "url",
    "title",
    "body",
    "opening_hours",
)
LOCAL_TIME = "%Y-%m-%dT%H:%M"


def submitted(read: Reader, names: tuple[str, ...], lists: tuple[str, ...]) -> Values:
    """Return the sent fields as typed: one text each, and the named lists."""
    values: Values = {name: (read(name) or [""])[0].replace("\r\n", "\n").strip() for name in names}
    values.update({name: read(name) for name in lists})
    return values


def event_values(event: Event) -> Values:
    """Return a stored event's details as the form shows them (hub time)."""
    details = event_admin.local_details(event)
    return {
        "starts": f"{details.starts:{LOCAL_TIME}}",
        "ends": f"{details.ends:{LOCAL_TIME}}",
        "room": details.room or "",
        "capacity": "" if details.capacity is None else str(details.capacity),
        "topics": list(details.topics),
    }


def _local_time(value: str) -> datetime | None:
    for pattern in (LOCAL_TIME, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def read_event_details(values: Values) -> event_admin.EventDetails | list[Problem]:
    """Return the details typed, or why they cannot be read."""
    problems = []
    starts, ends = _local_time(values["starts"]), _local_time(values["ends"])
    if starts is None or ends is None:
        problems.append(Problem(N_("Give the start and the end as a date and a time.")))
    capacity: int | None = None
    if values["capacity"]:
        try:
            capacity = int(values["capacity"])
        except ValueError:
            capacity = 0
    if problems or starts is None or ends is None:
        return problems
    details = event_admin.EventDetails(
        starts=starts,
        ends=ends,
        room=values["room"] or None,
        capacity=capacity,
        topics=tuple(values["topics"]),
    )
    return event_admin.check_details(details) or details


def service_values(service: Service, hub_slug: str) -> Values:
    """Return a stored service's details as the form shows them."""
    return {
        "hub": hub_slug,
        "intent": service.intent,
        "partner": service.partner or "",
        "address": service.address or "",
        "phone": service.phone or "",
        "url": service.url or "",
        "staff_languages": list(service.staff_languages),
    }


def read_service_details(values: Values, hub_ids: dict[str, int]) -> ServiceDetails:
    """Return the details typed (checked apart); an unknown hub reads as hub 0."""
    return ServiceDetails(
        hub_id=hub_ids.get(values["hub"], 0),
        intent=values["intent"],
        partner=values["partner"],
        address=values["address"],
        phone=values["phone"],
        url=values["url"],
        staff_languages=tuple(values["staff_languages"]),
    )


def read_service_texts(values: Values) -> ServiceTexts:
    """Return the texts a new service starts with."""
    return ServiceTexts(
        title=values["title"], body=values["body"], opening_hours=values["opening_hours"]
    )
