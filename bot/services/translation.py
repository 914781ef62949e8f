"""Machine translation behind one small interface, with a translation memory and a term base.

Providers (TRANSLATION_PROVIDER): `libretranslate` (a self-hosted server), `deepl`, `google`;
none by default. deep-translator 1.11.4, measured here, is synchronous with no timeout, puts
the text in the URL for LibreTranslate, rejects `uk` and `fa` client-side for it, and lets raw
`requests` errors escape. So LibreTranslate is spoken to directly over httpx, and DeepL and
Google go through deep-translator in a worker thread, bounded by `asyncio.wait_for` (a hung
thread is abandoned, the resident is not kept waiting). Every call is bounded by
TRANSLATION_TIMEOUT_S (3 s); any failure becomes TranslationUnavailable and the caller shows
the original text with a note. German office words (content/terms.yml) are shielded so they
come back in German: that is the word the resident will meet at the office.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from db.content import read_term_explanations, read_terms
from db.models import TranslationMemoryEntry

logger = logging.getLogger(__name__)

# Provider codes: Dari is written Persian, and providers know it as "fa".
_PROVIDER_CODES = {"prs": "fa"}


class TranslationUnavailable(Exception):
    """The provider failed, timed out, or none is configured."""


class TranslationProvider(Protocol):
    """Translates plain text between two provider language codes."""

    name: str

    async def translate(self, text: str, *, source: str, target: str) -> str:
        """Return the translation or raise TranslationUnavailable."""
        ...


class LibreTranslateProvider:
    """A LibreTranslate server's POST /translate."""

    name = "libretranslate"

    def __init__(self, http: httpx.AsyncClient, *, url: str, api_key: str | None) -> None:
        self._http = http
        self._url = url.rstrip("/") + "/translate"
        self._api_key = api_key

    async def translate(self, text: str, *, source: str, target: str) -> str:
        """Translate with the server; errors become TranslationUnavailable."""
        payload = {"q": text, "source": source, "target": target, "format": "text"}
        if self._api_key:
            payload["api_key"] = self._api_key
        try:
            response = await self._http.post(self._url, json=payload)
            response.raise_for_status()
            translated = response.json()["translatedText"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise TranslationUnavailable(f"libretranslate: {error!r}") from error
        if not isinstance(translated, str):
            raise TranslationUnavailable("libretranslate: no text in the answer")
        return translated


class DeepTranslatorProvider:
    """DeepL or Google through deep-translator, in a worker thread."""

    def __init__(self, name: str, *, api_key: str | None) -> None:
        self.name = name
        self._api_key = api_key

    def _translate_blocking(self, text: str, source: str, target: str) -> str:
        from deep_translator import DeeplTranslator, GoogleTranslator

        if self.name == "deepl":
            client = DeeplTranslator(api_key=self._api_key, source=source, target=target)
        else:
            client = GoogleTranslator(source=source, target=target)
        return str(client.translate(text))

    async def translate(self, text: str, *, source: str, target: str) -> str:
        """Translate in a thread; every exception of the library becomes unavailable."""
        try:
            return await asyncio.to_thread(partial(self._translate_blocking, text, source, target))
        except Exception as error:  # noqa: BLE001  (deep-translator's errors share no base)
            raise TranslationUnavailable(f"{self.name}: {error!r}") from error


@dataclass(frozen=True, slots=True)
class Translation:
    """A text in the target language and where it came from."""

    text: str
    machine: bool
    entry_id: int | None = None


def source_hash(text: str, source: str) -> str:
    """Return the memory key of a source text."""
    return hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()


class TermShield:
    """Replace office words by markers a provider leaves alone, put them back, explain them."""

    def __init__(
        self, terms: list[str], explanations: dict[str, dict[str, str]] | None = None
    ) -> None:
        # Explanations are keyed by the lowercase term or variant.
        self._explanations = explanations or {}
        ordered = sorted({term for term in [*terms, *self._explanations] if term}, key=len)
        ordered.reverse()
        self._pattern = (
            re.compile(r"\b(" + "|".join(re.escape(term) for term in ordered) + r")\b", re.I)
            if ordered
            else None
        )

    def shield(self, text: str) -> tuple[str, list[str]]:
        """Return the text with numbered markers, and the words they stand for."""
        found: list[str] = []
        if self._pattern is None:
            return text, found

        def mark(match: re.Match[str]) -> str:
            found.append(match.group(0))
            return f"[[{len(found) - 1}]]"

        return self._pattern.sub(mark, text), found

    def explain(self, text: str, language: str) -> list[str]:
        """Return "word: explanation" lines for the office words in a text, once each."""
        if self._pattern is None:
            return []
        lines: list[str] = []
        seen: set[str] = set()
        for match in self._pattern.finditer(text):
            word = match.group(0)
            explanation = self._explanations.get(word.lower(), {}).get(language)
            if explanation and word.lower() not in seen:
                seen.add(word.lower())
                lines.append(f"{word}: {explanation}")
        return lines

    @staticmethod
    def restore(text: str, found: list[str]) -> str:
        """Put the shielded words back."""
        for index, word in enumerate(found):
            text = re.sub(rf"\[\[\s*{index}\s*\]\]", word, text)
        return text


class TranslationService:
    """Memory first, then the provider (bounded), and remember what it said."""

    def __init__(
        self, provider: TranslationProvider | None, *, terms: TermShield, timeout_s: float
    ) -> None:
        self._provider = provider
        self.terms = terms
        self._timeout = timeout_s

    async def translate(
        self,
        session: AsyncSession,
        text: str,
        *,
        source: str,
        target: str,
        remember: bool = True,
    ) -> Translation:
        """Return the text in `target`, or raise TranslationUnavailable.

        `remember=False` for conversation text (a resident's message, a staff reply to one
        resident): it may be personal, is not reusable, and must not outlive /delete.
        """
        # Persian and Dari readers understand each other's writing; no provider tells them apart.
        if source == target or {source, target} == {"fa", "prs"}:
            return Translation(text, machine=False)
        if not remember:
            raw = await self._ask_provider(text, source=source, target=target)
            return Translation(raw, machine=True)
        key = source_hash(text, source)
        remembered = await session.scalar(
            select(TranslationMemoryEntry).where(
                TranslationMemoryEntry.source_hash == key,
                TranslationMemoryEntry.target_language == target,
            )
        )
        if remembered is not None:
            return Translation(remembered.text, not remembered.reviewed, remembered.id)
        translated = await self._ask_provider(text, source=source, target=target)
        entry = TranslationMemoryEntry(
            source_hash=key,
            source_language=source,
            target_language=target,
            source_text=text,
            text=translated,
            provider=self._provider.name if self._provider else "unknown",
        )
        session.add(entry)
        await session.flush()
        return Translation(entry.text, machine=True, entry_id=entry.id)

    async def _ask_provider(self, text: str, *, source: str, target: str) -> str:
        """Translate with the provider, office words shielded, within the time bound."""
        if self._provider is None:
            raise TranslationUnavailable("no translation provider is configured")
        shielded, found = self.terms.shield(text)
        try:
            raw = await asyncio.wait_for(
                self._provider.translate(
                    shielded,
                    source=_PROVIDER_CODES.get(source, source),
                    target=_PROVIDER_CODES.get(target, target),
                ),
                self._timeout,
            )
        except TimeoutError as error:
            raise TranslationUnavailable(f"{self._provider.name}: timed out") from error
        return self.terms.restore(raw, found)


def build_provider(
    name: str, http: httpx.AsyncClient, *, url: str | None, api_key: str | None
) -> TranslationProvider | None:
    """Return the configured provider, or None for "none"."""
    if name == "libretranslate":
        if not url:
            raise ValueError("TRANSLATION_URL is needed for libretranslate")
        return LibreTranslateProvider(http, url=url, api_key=api_key)
    if name in ("deepl", "google"):
        return DeepTranslatorProvider(name, api_key=api_key)
    return None


def build_translation_service(settings: Settings, http: httpx.AsyncClient) -> TranslationService:
    """Build machine translation with its memory and the office-word shield."""
    api_key = settings.translation_api_key
    return TranslationService(
        build_provider(
            settings.translation_provider,
            http,
            url=settings.translation_url,
            api_key=api_key.get_secret_value() if api_key else None,
        ),
        terms=TermShield(
            read_terms(settings.content_dir), read_term_explanations(settings.content_dir)
        ),
        timeout_s=settings.translation_timeout_s,
    )
