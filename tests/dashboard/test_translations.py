"""The review queue of machine translations: filters, approval, corrections the bot then uses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.translation import TermShield, TranslationService
from db.models import AuditEntry, StaffRole, TranslationMemoryEntry
from tests.dashboard.conftest import ContentItems, SignedIn, csrf_of


class CountingProvider:
    """A provider that answers with a marked text and counts how often it was asked."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    async def translate(self, text: str, *, source: str, target: str) -> str:
        """Return the text marked with the target language."""
        self.calls += 1
        return f"[{target}] {text}"


async def _entry(
    sessionmaker: async_sessionmaker[AsyncSession], entry_id: int
) -> TranslationMemoryEntry:
    async with sessionmaker() as session:
        entry = await session.get(TranslationMemoryEntry, entry_id)
        assert entry is not None
        return entry


async def test_the_queue_shows_source_beside_translation_and_filters_by_language(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        session.add(
            TranslationMemoryEntry(
                source_hash="x" * 64,
                source_language="de",
                target_language="fr",
                source_text="Sprachcafé",
                text="Café des langues",
                provider="libretranslate",
            )
        )
        await session.commit()
    client = await signed_in(StaffRole.STAFF)
    page = await client.get("/translations")
    assert "Nähcafé" in page.text and "Café des langues" in page.text
    assert 'name="text" lang="ar" dir="rtl"' in page.text
    assert 'lang="de" dir="ltr">Nähcafé' in page.text
    assert "libretranslate" in page.text
    # Staff read the queue; approving is for coordinators.
    assert "readonly" in page.text and "Approve" not in page.text
    arabic = await client.get("/translations", params={"language": "ar"})
    assert "مقهى الخياطة" in arabic.text and "Café des langues" not in arabic.text
    assert "Translations found: 1" in arabic.text
    odd = await client.get("/translations", params={"language": "<x>", "page": "-3"})
    assert odd.status_code == 200 and "Translations found: 2" in odd.text


async def test_a_correction_is_what_the_bot_uses_afterwards(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    provider = CountingProvider()
    service = TranslationService(provider, terms=TermShield([]), timeout_s=3)
    async with sessionmaker() as session:
        before = await service.translate(session, "Nähcafé", source="de", target="ar")
    assert before.machine and before.text == "مقهى الخياطة الآلي"
    client = await signed_in(StaffRole.COORDINATOR)
    path = f"/translations/{content_items.translation_id}"
    data = {"csrf": await csrf_of(client), "text": " مقهى الخياطة\r\n", "language": "ar"}
    response = await client.post(path, data=data)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/translations?language=ar")
    entry = await _entry(sessionmaker, content_items.translation_id)
    assert entry.reviewed and entry.text == "مقهى الخياطة" and entry.provider == "staff"
    async with sessionmaker() as session:
        after = await service.translate(session, "Nähcafé", source="de", target="ar")
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "translation.review")
        )
    assert after.text == "مقهى الخياطة" and not after.machine
    assert provider.calls == 0
    assert audit is not None and audit.actor == "coordinator@hub.example"
    assert audit.detail == {"corrected": True, "from": "مقهى الخياطة الآلي", "to": "مقهى الخياطة"}
    queue = await client.get("/translations")
    assert "Nothing waits for review." in queue.text


async def test_approving_keeps_the_text_and_an_empty_correction_is_refused(
    signed_in: SignedIn,
    content_items: ContentItems,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.COORDINATOR)
    csrf = await csrf_of(client)
    path = f"/translations/{content_items.translation_id}"
    empty = await client.post(path, data={"csrf": csrf, "text": "   "})
    assert empty.status_code == 400 and "cannot be empty" in empty.text
    assert not (await _entry(sessionmaker, content_items.translation_id)).reviewed
    missing = await client.post("/translations/999999", data={"csrf": csrf})
    assert missing.status_code == 404
    forged = await client.post(path, data={"csrf": "forged", "text": "x"})
    assert forged.status_code == 403
    approved = await client.post(path, data={"csrf": csrf, "text": "مقهى الخياطة الآلي"})
    assert approved.status_code == 303
    entry = await _entry(sessionmaker, content_items.translation_id)
    assert entry.reviewed and entry.text == "مقهى الخياطة الآلي"
    assert entry.provider == "libretranslate"
