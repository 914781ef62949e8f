"""In Debian's chromium: a coordinator adds an event, which then waits in the bot's list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import Locator, Page
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.events import EventService
from bot.services.translation import TermShield, TranslationService
from dashboard import create_app
from db.models import Event, StaffRole
from tests.conftest import ServeAsgi, console_errors, sign_in_on
from tests.dashboard.conftest import KEYS, PASSWORD, ContentItems, email_of


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_add_an_event(
    sessionmaker: async_sessionmaker[AsyncSession],
    staff_accounts: None,
    content_items: ContentItems,
    dashboard_settings: Settings,
    browser_page: Page,
    serve_asgi: ServeAsgi,
) -> None:
    # serve_asgi comes after the database fixtures, so the server stops before they close.
    settings = dashboard_settings.model_copy(update={"dashboard_secure_cookies": False})
    base = await serve_asgi(create_app(settings, sessionmaker=sessionmaker, keys=KEYS))
    # The refused form below answers 400 on purpose; chromium logs that as an error.
    problems = console_errors(browser_page, expected="status of 400")
    page = browser_page

    def field(name: str) -> Locator:
        # Labels wrap their controls, so a filled control's value joins the label's name.
        return page.locator(f'form.details [name="{name}"]')

    await page.goto(f"{base}/content")
    await sign_in_on(page, email_of(StaffRole.COORDINATOR), PASSWORD)
    await page.wait_for_url(f"{base}/content")
    await page.get_by_role("link", name="Events").click()
    await page.wait_for_url(f"{base}/content?kind=events")
    await page.get_by_role("link", name="New event").click()
    await page.wait_for_url(f"{base}/content/events/new")
    await field("hub").select_option("berlin")
    await field("title").fill("Sprachcafé am Abend")
    await field("description").fill("Deutsch üben bei Tee.")
    await field("starts").fill("2027-07-01T18:00")
    # A mistake first: the end before the start is refused and nothing typed is lost.
    await field("ends").fill("2027-07-01T17:00")
    await field("room").fill("Café")
    await field("capacity").fill("12")
    await page.get_by_role("button", name="Add event").click()
    await page.wait_for_load_state()
    assert "The event ends before it starts." in await page.get_by_role("alert").inner_text()
    assert await field("title").input_value() == "Sprachcafé am Abend"
    assert await field("capacity").input_value() == "12"
    await field("ends").fill("2027-07-01T20:00")
    await page.get_by_role("button", name="Add event").click()
    await page.wait_for_url("**?saved=1")
    assert await field("starts").input_value() == "2027-07-01T18:00"
    assert await field("room").input_value() == "Café"
    async with sessionmaker() as session:
        event = await session.scalar(select(Event).where(Event.room == "Café"))
        assert event is not None
        # 18:00 in Berlin in summer is 16:00 UTC.
        assert event.starts_at.replace(tzinfo=UTC) == datetime(2027, 7, 1, 16, tzinfo=UTC)
        events = EventService(TranslationService(None, terms=TermShield([]), timeout_s=1))
        listed = await events.upcoming(session, hub_id=content_items.berlin_id)
        assert event.id in [each.id for each in listed]
    assert not problems, problems
