"""In Debian's chromium: sign in, filter to unanswered, annotate, retrain (tiny pipeline)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from dashboard import create_app
from db.models import StaffRole
from tests.conftest import ServeAsgi, console_errors, sign_in_on
from tests.dashboard.conftest import KEYS, PASSWORD, Conversations, email_of
from tests.fakes import FakeNlu


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_annotate_an_unanswered_question_and_retrain(
    sessionmaker: async_sessionmaker[AsyncSession],
    staff_accounts: None,
    conversations: Conversations,
    dashboard_settings: Settings,
    browser_page: Page,
    serve_asgi: ServeAsgi,
) -> None:
    # The served model answers nothing right, so any new model is not worse.
    served = FakeNlu()
    settings = dashboard_settings.model_copy(
        update={
            "nlu_url": await serve_asgi(served.app()),
            "nlu_token": SecretStr(served.token),
            "dashboard_secure_cookies": False,
        }
    )
    base = await serve_asgi(create_app(settings, sessionmaker=sessionmaker, keys=KEYS))
    page = browser_page
    problems = console_errors(page)
    await page.goto(f"{base}/conversations")
    await sign_in_on(page, email_of(StaffRole.COORDINATOR), PASSWORD)
    await page.wait_for_url(f"{base}/conversations")
    await page.get_by_label("Unanswered", exact=True).check()
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**/conversations?*unanswered=1*")
    await page.locator("tr.question").first.get_by_role("link").click()
    await page.wait_for_url(f"**/conversations/{conversations.arabic_resident_id}*")

    question = page.locator(f"#m{conversations.unanswered_message_id}")
    await question.get_by_label("Right intent").select_option("language_course")
    await question.get_by_role("button", name="Annotate").click()
    await expect(question.locator(".annotation")).to_have_text("Annotated as language_course")

    await page.get_by_role("link", name="Annotations").click()
    await page.get_by_role("button", name="Retrain").click()
    run = page.locator("tr.run").first
    # The page reloads itself every 3 s while the run goes on.
    await expect(run).to_contain_text("new model loaded", timeout=55_000)
    cells = await run.locator("td").all_inner_texts()
    assert cells[2:4] == ["1", "0.00"], cells
    assert len(served.loaded) == 1 and served.loaded[0].endswith(".tar.gz")
    await expect(page.locator("tr.annotation")).to_contain_text("yes")
    assert not problems, problems
