"""In Debian's chromium: a coordinator edits a resident's description, labels it and exports."""

from __future__ import annotations

import pytest
import yaml
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from dashboard import create_app
from db.models import StaffRole, TalentProfile
from tests.conftest import ServeAsgi, console_errors, sign_in_on
from tests.dashboard.conftest import KEYS, PASSWORD, Conversations, email_of

DESCRIPTION = "أنا ريم من حلب، كنت أصمم شعارات وبوسترات للمحلات على الفوتوشوب"
EDITED = "كنت أصمم شعارات وبوسترات للمحلات على الفوتوشوب"


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_label_an_edited_description_and_export_it(
    sessionmaker: async_sessionmaker[AsyncSession],
    staff_accounts: None,
    conversations: Conversations,
    dashboard_settings: Settings,
    browser_page: Page,
    serve_asgi: ServeAsgi,
) -> None:
    async with sessionmaker() as session:
        session.add(
            TalentProfile(resident_id=conversations.arabic_resident_id, description=DESCRIPTION)
        )
        await session.commit()
    settings = dashboard_settings.model_copy(update={"dashboard_secure_cookies": False})
    base = await serve_asgi(create_app(settings, sessionmaker=sessionmaker, keys=KEYS))
    page = browser_page
    problems = console_errors(page)
    await page.goto(f"{base}/conversations")
    await sign_in_on(page, email_of(StaffRole.COORDINATOR), PASSWORD)
    await page.wait_for_url(f"{base}/conversations")
    await page.get_by_role("link", name="Talent descriptions").click()
    await page.wait_for_url(f"{base}/talent")

    row = page.locator(f"#r{conversations.arabic_resident_id}")
    text = row.get_by_label("Text")
    await expect(text).to_have_value(DESCRIPTION)
    await expect(text).to_have_attribute("dir", "rtl")
    await text.fill(EDITED)
    await row.get_by_label("Programme").select_option("digital-lab")
    await row.get_by_role("button", name="Save label").click()
    await page.wait_for_url(f"{base}/talent*")
    await expect(row.locator("td.label")).to_have_text("digital-lab")
    await expect(row.locator("td.exported")).to_have_text("not yet")

    await page.get_by_role("button", name="Export labels to the examples").click()
    await page.wait_for_url(f"{base}/talent")
    await expect(row.locator("td.exported")).to_have_text("yes")
    exported = settings.content_dir / "skills" / "examples" / "staff" / "ar.yml"
    assert yaml.safe_load(exported.read_text("utf-8")) == [
        {"text": EDITED, "programmes": ["digital-lab"], "kind": "staff"}
    ]
    assert problems == []
