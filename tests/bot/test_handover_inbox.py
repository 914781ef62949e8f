"""In chromium: staff answer a resident's request from the dashboard, and the answer comes back.

The resident chats with the real bot through the sandbox; the staff member uses the dashboard,
served over HTTP, which sends through the same sandbox and the fake LibreTranslate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from playwright.async_api import Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.application import HubbotApplication
from bot.services.translation import LibreTranslateProvider
from dashboard import create_app
from dashboard.accounts import add_account
from db.models import StaffRole
from tests.bot.harness import SandboxResident, visible
from tests.bot.test_first_conversation import onboard
from tests.conftest import ServeAsgi, console_errors, sign_in_on
from tests.dashboard.conftest import KEYS, PASSWORD
from tests.fakes import FakeLibreTranslate

pytestmark = pytest.mark.browser

STAFF_USER = 90_007
STAFF_EMAIL = "mitarbeiterin@hub.example"
REPLY = "Bring bitte morgen den Bescheid vom Jobcenter mit."
IN_ARABIC = "أحضر غدًا Bescheid من Jobcenter من فضلك."
ANSWER = "شكرا، سآتي غدا الساعة العاشرة"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Give hubbot a staff chat that writes German."""
    return {"staff_chat_id": STAFF_USER, "staff_language": "de"}


@pytest.fixture
async def translator_url(serve_asgi: ServeAsgi) -> str:
    """Serve the fake LibreTranslate, which knows the staff reply in Arabic."""
    fake = FakeLibreTranslate(
        table={
            (
                "Bring bitte morgen den [[0]] vom [[1]] mit.",
                "ar",
            ): "أحضر غدًا [[0]] من [[1]] من فضلك."
        }
    )
    return await serve_asgi(fake.app())


@pytest.fixture
async def translation_provider(translator_url: str) -> AsyncIterator[LibreTranslateProvider]:
    """Point the bot at the fake LibreTranslate too."""
    async with httpx.AsyncClient() as http:
        yield LibreTranslateProvider(http, url=translator_url, api_key=None)


@pytest.fixture
async def dashboard_url(
    application: HubbotApplication,
    sessionmaker: async_sessionmaker[AsyncSession],
    translator_url: str,
    serve_asgi: ServeAsgi,
) -> str:
    """Serve the dashboard on the bot's database, sandbox and translator, with one account."""
    async with sessionmaker() as session:
        await add_account(session, email=STAFF_EMAIL, role=StaffRole.STAFF, password=PASSWORD)
        await session.commit()
    settings = application.deps.settings.model_copy(
        update={
            "translation_provider": "libretranslate",
            "translation_url": translator_url,
            "dashboard_secure_cookies": False,
            "retention_interval_s": 0,
        }
    )
    return await serve_asgi(create_app(settings, sessionmaker=sessionmaker, keys=KEYS))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_staff_reply_in_the_dashboard_arrives_in_arabic_and_the_answer_comes_back(
    resident: Callable[..., SandboxResident],
    staff_member: SandboxResident,
    dashboard_url: str,
    browser_page: Page,
) -> None:
    person = resident("ar")
    await onboard(person, "ar")
    await person.press("menu:person")
    await person.reply()
    await staff_member.replies()

    page = browser_page
    problems = console_errors(page)
    await page.goto(f"{dashboard_url}/handovers")
    await sign_in_on(page, STAFF_EMAIL, PASSWORD)
    await page.wait_for_url(f"{dashboard_url}/handovers")
    await page.locator("tr.handover.open a").first.click()
    await page.wait_for_url(f"{dashboard_url}/handovers/*")

    await page.get_by_label("Your reply").fill(REPLY)
    await page.get_by_label("Written in").select_option("de")
    await page.get_by_role("button", name="Send to the resident").click()
    await page.wait_for_url("**notice=sent*")
    assert "Sent to the resident." in await page.get_by_role("status").inner_text()

    echoed = (await staff_member.messages())[-1]["text"]
    assert echoed.endswith(f"im Dashboard von mitarbeiterin beantwortet:\n{REPLY}")
    await staff_member.send(
        "Bis morgen!", reply_to=(await staff_member.messages())[-1]["message_id"]
    )
    await staff_member.settled()
    assert "Bis morgen!" in visible((await person.messages())[-1]["text"]), (
        "replying to the report in the staff chat answers the resident"
    )
    received = visible((await person.messages())[-2]["text"])
    assert IN_ARABIC in received
    assert "تُرجمت آليًا. النص الأصلي:" in received and received.rstrip().endswith(REPLY)

    await person.send(ANSWER)
    assert "✓" in (await person.reply())["text"]
    await page.reload()
    answer = page.locator("ol.thread li.incoming .original .text").last
    assert await answer.inner_text() == ANSWER
    assert await answer.get_attribute("dir") == "rtl"
    translation = page.locator("ol.thread li.incoming .translation .text").last
    assert await translation.inner_text() == f"[de] {ANSWER}", "staff read it in German"
    assert not problems, problems
