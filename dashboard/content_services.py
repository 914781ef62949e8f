"""Services in the dashboard: create one, change what it is besides its texts, remove it.

A service the dashboard made starts at version 2, as if edited once: `hubbot content import`
treats every item above version 1 as the dashboard's and neither replaces nor deletes it.
A removed service is named in the audit log (`content.remove`, target `services:<slug>`),
which the import reads so that a service from the files does not come back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.problems import Problem
from db.content_schema import CONTENT_LANGUAGES, INTENTS
from db.models import ReviewStatus, Service, ServiceText
from db.versioning import bump_version

# Intents that are about the conversation, not about an offer a hub could have.
NOT_OFFERS = frozenset({"greet", "goodbye", "thanks", "bot_capabilities", "delete_my_data"})
SERVICE_INTENTS = tuple(intent for intent in INTENTS if intent not in NOT_OFFERS)
PHONE = re.compile(r"^[0-9+()/ .-]{3,40}$")
HOST = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:[0-9]{1,5})?")
# Field → its label (a message id) and its longest value.
LIMITS = {
    "partner": (N_("Partner"), 200),
    "address": (N_("Address"), 200),
    "phone": (N_("Phone"), 40),
    "url": (N_("Website"), 300),
}
TEXT_LIMITS = {
    "title": (N_("Title"), 200),
    "body": (N_("Description"), 2000),
    "opening_hours": (N_("Opening hours"), 300),
}


@dataclass(frozen=True, slots=True)
class ServiceDetails:
    """What a service is besides its texts."""

    hub_id: int
    intent: str
    partner: str = ""
    address: str = ""
    phone: str = ""
    url: str = ""
    staff_languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceTexts:
    """A service's texts in one language."""

    title: str
    body: str
    opening_hours: str = ""


def _too_long(values: object, limits: dict[str, tuple[str, int]]) -> list[Problem]:
    return [
        Problem(
            N_("{field} is longer than {limit} characters."), {"field": label, "limit": str(limit)}
        )
        for name, (label, limit) in limits.items()
        if len(getattr(values, name)) > limit
    ]


def details_of(service: Service) -> ServiceDetails:
    """Return a stored service's details as the form shows them."""
    return ServiceDetails(
        hub_id=service.hub_id,
        intent=service.intent,
        partner=service.partner or "",
        address=service.address or "",
        phone=service.phone or "",
        url=service.url or "",
        staff_languages=tuple(service.staff_languages),
    )


def check_details(details: ServiceDetails, hub_ids: set[int]) -> list[Problem]:
    """Return what is wrong with a service's details."""
    problems = []
    if details.hub_id not in hub_ids:
        problems.append(Problem(N_("Choose a hub you work for.")))
    if details.intent not in SERVICE_INTENTS:
        problems.append(Problem(N_("Choose the topic the service answers.")))
    problems += _too_long(details, LIMITS)
    if details.phone and not PHONE.match(details.phone):
        problems.append(Problem(N_("The phone number may hold digits, spaces and + ( ) / - only.")))
    if details.url:
        parts = urlsplit(details.url)
        # Telegram refuses a message whose button has a malformed link: check the host too.
        if (
            parts.scheme not in ("http", "https")
            or not HOST.fullmatch(parts.netloc)
            or any(char.isspace() for char in details.url)
        ):
            problems.append(Problem(N_("The website must start with https:// or http://.")))
    unknown = sorted(set(details.staff_languages) - set(CONTENT_LANGUAGES))
    if unknown:
        problems.append(Problem(N_("Unknown language: {language}."), {"language": unknown[0]}))
    return problems


def check_texts(texts: ServiceTexts, language: str) -> list[Problem]:
    """Return what is wrong with the texts a new service starts with."""
    problems = []
    if not texts.title or not texts.body:
        problems.append(
            Problem(N_("{language}: title and description are required."), {"language": language})
        )
    return problems + _too_long(texts, TEXT_LIMITS)


def _slug_base(hub: str, intent: str, title: str) -> str:
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return f"{hub}-{intent.replace('_', '-')}-{words or 'service'}"[:54].strip("-")


async def _free_slug(session: AsyncSession, base: str) -> str:
    similar = select(Service.slug).where(Service.slug.startswith(base, autoescape=True))
    taken = set(await session.scalars(similar))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _apply(service: Service, details: ServiceDetails) -> None:
    service.hub_id, service.intent = details.hub_id, details.intent
    service.partner = details.partner or None
    service.address = details.address or None
    service.phone = details.phone or None
    service.url = details.url or None
    service.staff_languages = list(details.staff_languages)


async def create(
    session: AsyncSession,
    details: ServiceDetails,
    *,
    hub_slug: str,
    language: str,
    texts: ServiceTexts,
) -> Service:
    """Store a new service with its texts in one language (reviewed: a person wrote them)."""
    slug = await _free_slug(session, _slug_base(hub_slug, details.intent, texts.title))
    service = Service(
        slug=slug,
        version=2,
        texts=[
            ServiceText(
                language=language,
                title=texts.title,
                body=texts.body,
                opening_hours=texts.opening_hours or None,
                status=ReviewStatus.REVIEWED,
            )
        ],
    )
    _apply(service, details)
    session.add(service)
    await session.flush()
    return service


async def change_details(
    session: AsyncSession, service: Service, details: ServiceDetails, *, seen_version: int
) -> int:
    """Store a service's new details; raise EditConflict if it was saved meanwhile."""
    version = await bump_version(session, service, seen_version=seen_version)
    _apply(service, details)
    await session.flush()
    return version


async def remove(session: AsyncSession, service: Service, *, seen_version: int) -> None:
    """Delete a service and its texts; raise EditConflict if it was saved meanwhile."""
    await bump_version(session, service, seen_version=seen_version)
    await session.delete(service)
    await session.flush()


def changes(before: ServiceDetails, after: ServiceDetails) -> dict[str, dict[str, object]]:
    """Return the changed details, for the audit log."""
    changed: dict[str, dict[str, object]] = {}
    for name in ServiceDetails.__dataclass_fields__:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changed[name] = {"from": list(old) if isinstance(old, tuple) else old}
            changed[name]["to"] = list(new) if isinstance(new, tuple) else new
    return changed
