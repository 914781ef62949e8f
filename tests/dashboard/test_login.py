"""Sign-in: argon2id, throttling, sessions that end, the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from db.models import AuditEntry, StaffAccount, StaffRole
from tests.dashboard.conftest import PASSWORD, anonymous_client, csrf_of, email_of, sign_in


async def _audit(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def test_passwords_are_stored_as_argon2id(
    staff_accounts: None, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        hashes = list(await session.scalars(select(StaffAccount.password_hash)))
    assert len(hashes) == 3
    assert all(value.startswith("$argon2id$") and PASSWORD not in value for value in hashes)


async def test_repeated_failures_throttle_even_the_right_password(
    dashboard_app: Starlette,
    staff_accounts: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email = email_of(StaffRole.ADMIN)
    async with anonymous_client(dashboard_app) as client:
        for _ in range(5):
            wrong = await sign_in(client, email, "not the password at all")
            assert wrong.status_code == 400
            assert "Wrong e-mail address or password." in wrong.text
        throttled = await sign_in(client, email, PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed attempts" in throttled.text
    actions = await _audit(sessionmaker)
    assert actions.count("login.failed") == 5 and actions.count("login.throttled") == 1
    assert "login" not in actions


async def test_sign_in_and_out_are_audited_and_end_the_session(
    dashboard_app: Starlette,
    staff_accounts: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with anonymous_client(dashboard_app) as client:
        signed = await sign_in(client, email_of(StaffRole.STAFF), PASSWORD)
        assert signed.status_code == 303 and signed.headers["location"] == "/conversations"
        assert (await client.get("/conversations")).status_code == 200
        out = await client.post("/logout", data={"csrf": await csrf_of(client)})
        assert out.status_code == 303
        after = await client.get("/conversations")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert await _audit(sessionmaker) == ["login", "logout"]


async def test_sign_in_redirects_only_within_the_site(
    dashboard_app: Starlette, staff_accounts: None
) -> None:
    async with anonymous_client(dashboard_app) as client:
        form = await client.get("/login", params={"next": "//evil.example/"})
        assert 'name="next" value="/conversations"' in form.text
