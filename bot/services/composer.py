"""Turn an intent into the hub's answer text in the resident's language."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.formatting import Line, paragraph, plain_text
from db import repositories
from db.models import Hub, Service

# Content written by people exists in every language; this only covers a gap while a
# translation is missing.
FALLBACK_LANGUAGES = ("en", "de")
MAX_SERVICES = 3


def fill_placeholders(text: str, hub: Hub | None, language: str) -> str:
    """Replace {hub}, {address}, ... with the resident's hub's details."""
    if hub is None:
        values = {"hub": "", "address": "", "opening_hours": "", "phone": "", "email": ""}
    else:
        values = {
            "hub": hub.name_in(language),
            "address": hub.address,
            "opening_hours": hub.opening_hours_in(language),
            "phone": hub.phone or "",
            "email": hub.email or "",
        }
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def describe_service(service: Service, language: str) -> list[Line] | None:
    """Return a service as a short block: title, description, hours, where, how."""
    text = service.text_in(language) or next(
        (service.text_in(code) for code in FALLBACK_LANGUAGES if service.text_in(code)), None
    )
    if text is None:
        return None
    lines = [Line(f"▪ {text.title}", bold=True), *paragraph(text.body)]
    if text.opening_hours:
        lines.append(Line(f"🕒 {text.opening_hours}"))
    if service.address:
        lines.append(Line(f"📍 {service.address}"))
    if service.phone:
        lines.append(Line(f"☎ {service.phone}"))
    if service.url:
        lines.append(Line("🔗 ", url=service.url))
    return lines


@dataclass(frozen=True, slots=True)
class Composed:
    """An answer's lines and where its first service can be found."""

    lines: tuple[Line, ...]
    website: str | None = None
    address: str | None = None

    @property
    def text(self) -> str:
        """Return the answer as the resident reads it."""
        return plain_text(self.lines)


async def compose(
    session: AsyncSession, *, intent: str, language: str, hub: Hub | None
) -> Composed | None:
    """Return the answer for an intent with the hub's services, or None without content."""
    languages = (language, *FALLBACK_LANGUAGES)
    answer = await repositories.get_answer(
        session, intent=intent, hub_id=hub.id if hub is not None else None, languages=languages
    )
    if answer is None:
        return None
    text = answer.text_in(language) or next(
        (answer.text_in(code) for code in FALLBACK_LANGUAGES if answer.text_in(code)), None
    )
    if text is None:
        return None
    lines = paragraph(fill_placeholders(text.text, hub, language))
    services = await repositories.list_services(
        session, intent=intent, hub_id=hub.id if hub is not None else None, languages=languages
    )
    shown = services[:MAX_SERVICES]
    for service in shown:
        block = describe_service(service, language)
        if block:
            lines += [Line(""), *block]
    first = shown[0] if shown else None
    return Composed(
        lines=tuple(lines),
        website=first.url if first else None,
        address=first.address if first else None,
    )


class ComposedAnswers:
    """Composed answers kept for `ttl_s` seconds: content changes rarely, questions come often.

    Composing reads an answer and its services, two queries and a dozen rows, for every
    question; the same few hundred answers are asked for again and again, and keeping them
    saves about 5% of the bot's CPU per question (py-spy, README "Measuring"). The price: an
    edit saved in the dashboard or imported, usually by another process, reaches residents
    within `ttl_s`. `ttl_s` 0 composes every time.
    """

    def __init__(self, *, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_s
        self._clock = clock
        self._entries: dict[tuple[str, str, int | None], tuple[float, Composed | None]] = {}

    async def compose(
        self, session: AsyncSession, *, intent: str, language: str, hub: Hub | None
    ) -> Composed | None:
        """Return the answer for an intent at a hub, composed at most `ttl_s` seconds ago."""
        key = (intent, language, hub.id if hub is not None else None)
        now = self._clock()
        kept = self._entries.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]
        composed = await compose(session, intent=intent, language=language, hub=hub)
        if self._ttl > 0:
            self._entries[key] = (now, composed)
        return composed
