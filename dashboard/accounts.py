"""Staff accounts, sign-in with throttling, and server-side sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dashboard import security
from db.base import utcnow
from db.models import (
    DashboardSession,
    Hub,
    LoginAttempt,
    Staff,
    StaffAccount,
    StaffRole,
)

THROTTLE_WINDOW = timedelta(minutes=15)
# One address may try several accounts (a shared office), but not without limit.
FAILURES_PER_IP_FACTOR = 4

ROLE_RANK = {StaffRole.STAFF: 1, StaffRole.COORDINATOR: 2, StaffRole.ADMIN: 3}


class AccountError(ValueError):
    """A staff account cannot be created as asked."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in staff member of one request."""

    staff_id: int
    email: str
    name: str
    role: StaffRole
    hub_id: int | None
    csrf_token: str
    language: str | None

    def may(self, role: StaffRole) -> bool:
        """Tell whether this member's role is at least `role`."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def hub_scope(self) -> int | None:
        """Return the one hub this member sees, or None for all (admins, staff of no hub)."""
        return None if self.role == StaffRole.ADMIN else self.hub_id


async def add_account(
    session: AsyncSession,
    *,
    email: str,
    role: StaffRole,
    password: str,
    name: str | None = None,
    telegram_user_id: int | None = None,
    hub_slug: str | None = None,
) -> Staff:
    """Create or update a staff member and their dashboard password."""
    if len(password) < security.MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password needs at least {security.MIN_PASSWORD_LENGTH} characters."
        )
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"Not an e-mail address: {email!r}")
    hub_id = None
    if hub_slug:
        hub_id = await session.scalar(select(Hub.id).where(Hub.slug == hub_slug))
        if hub_id is None:
            raise AccountError(f"No hub with the slug {hub_slug!r}.")
    staff = await session.scalar(select(Staff).where(Staff.email == email))
    if staff is None and telegram_user_id is not None:
        # Known to the bot already (e.g. added for broadcasts): one member, one row.
        staff = await session.scalar(
            select(Staff).where(Staff.telegram_user_id == telegram_user_id)
        )
        if staff is not None:
            staff.email = email
    if staff is None:
        staff = Staff(email=email, name=name or email.split("@")[0])
        session.add(staff)
    elif name:
        staff.name = name
    staff.role = role
    staff.hub_id = hub_id
    if telegram_user_id is not None:
        staff.telegram_user_id = telegram_user_id
    await session.flush()
    account = await session.get(StaffAccount, staff.id)
    if account is None:
        account = StaffAccount(staff_id=staff.id, password_hash="")
        session.add(account)
    account.password_hash = security.hash_password(password)
    account.active = True
    await session.flush()
    return staff


async def is_throttled(session: AsyncSession, *, email: str, ip: str, limit: int) -> bool:
    """Tell whether too many sign-ins failed lately for this e-mail or this address."""
    since = utcnow() - THROTTLE_WINDOW
    by_email = await session.scalar(
        select(func.count()).where(LoginAttempt.email == email, LoginAttempt.at >= since)
    )
    by_ip = await session.scalar(
        select(func.count()).where(LoginAttempt.ip == ip, LoginAttempt.at >= since)
    )
    return (by_email or 0) >= limit or (by_ip or 0) >= limit * FAILURES_PER_IP_FACTOR


async def authenticate(
    session: AsyncSession, *, email: str, password: str, ip: str
) -> StaffAccount | None:
    """Return the active account these credentials open, or record a failed attempt."""
    account = await session.scalar(
        select(StaffAccount).join(Staff).where(Staff.email == email, StaffAccount.active)
    )
    if not security.verify_password(account.password_hash if account else None, password):
        session.add(LoginAttempt(email=email[:200], ip=ip[:64]))
        await session.flush()
        return None
    assert account is not None
    await session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    if security.needs_rehash(account.password_hash):
        account.password_hash = security.hash_password(password)
    account.last_login_at = utcnow()
    await session.flush()
    return account


async def open_session(session: AsyncSession, *, staff_id: int, lifetime: timedelta) -> str:
    """Start a session for a staff member; return the token for the cookie."""
    token = security.new_token()
    session.add(
        DashboardSession(
            token_hash=security.token_hash(token),
            staff_id=staff_id,
            csrf_token=security.new_token(),
            expires_at=utcnow() + lifetime,
        )
    )
    await session.flush()
    return token


async def close_session(session: AsyncSession, *, token: str) -> None:
    """End a session (sign out)."""
    await session.execute(
        delete(DashboardSession).where(DashboardSession.token_hash == security.token_hash(token))
    )


async def viewer_for(session: AsyncSession, *, token: str | None) -> Viewer | None:
    """Return the signed-in member a session token belongs to, if it is valid."""
    if not token:
        return None
    row = (
        await session.execute(
            select(DashboardSession, Staff, StaffAccount.ui_language)
            .join(Staff, Staff.id == DashboardSession.staff_id)
            .join(StaffAccount, StaffAccount.staff_id == Staff.id)
            .where(
                DashboardSession.token_hash == security.token_hash(token),
                DashboardSession.expires_at > utcnow(),
                StaffAccount.active,
            )
        )
    ).first()
    if row is None:
        return None
    dashboard_session, staff, ui_language = row
    return Viewer(
        staff_id=staff.id,
        email=staff.email or "",
        name=staff.name,
        role=StaffRole(staff.role),
        hub_id=staff.hub_id,
        csrf_token=dashboard_session.csrf_token,
        language=ui_language,
    )


async def prune(session: AsyncSession, *, now: datetime) -> None:
    """Forget expired sessions and old failed sign-ins."""
    await session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))
    await session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))
