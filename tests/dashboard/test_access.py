"""Every route denies by default: anonymous users and lower roles are refused; CSRF is checked."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from dashboard.accounts import ROLE_RANK
from dashboard.deps import PUBLIC, PageRoute
from db.models import AuditEntry, MessageReview, StaffRole, TalentProfile
from tests.dashboard.conftest import (
    PASSWORD,
    ContentItems,
    Conversations,
    SignedIn,
    anonymous_client,
    csrf_of,
    email_of,
    sign_in,
)

# Reachable without signing in, on purpose.
PUBLIC_PATHS = {"/login", "/healthz", "/static"}
LOWER = {StaffRole.COORDINATOR: StaffRole.STAFF, StaffRole.ADMIN: StaffRole.COORDINATOR}


def _pages(app: Starlette) -> list[PageRoute]:
    pages = []
    for route in app.routes:
        if isinstance(route, PageRoute):
            if route.access == PUBLIC:
                assert route.path in PUBLIC_PATHS, f"{route.path} is public"
            else:
                pages.append(route)
        # Signing out last, or the later checks would run signed out.
        else:
            assert isinstance(route, Route | Mount)
            assert route.path in PUBLIC_PATHS, f"{route.path} bypasses page()"
    return sorted(pages, key=lambda route: route.path == "/logout")


def _concrete(
    route: PageRoute, ids: Conversations, content: ContentItems, broadcast_id: int
) -> str:
    values = {
        "{resident_id:int}": ids.resident_id,
        "{message_id:int}": ids.script_message_id,
        "{handover_id:int}": ids.handover_id,
        "{kind}": "answers",
        "{item_id:int}": content.answer_id,
        "{entry_id:int}": content.translation_id,
        "{broadcast_id:int}": broadcast_id,
    }
    path = route.path
    # Events and services have pages of their own: their own items.
    if path.startswith("/content/events/"):
        values["{item_id:int}"] = content.event_id
    elif path.startswith("/content/services/"):
        values["{item_id:int}"] = content.service_id
    for placeholder, value in values.items():
        path = path.replace(placeholder, str(value))
    assert "{" not in path, f"no test value for {path}"
    return path


async def _call(
    client: httpx.AsyncClient, route: PageRoute, path: str, csrf: str
) -> httpx.Response:
    method = sorted(route.methods or {"GET"} - {"HEAD"})[0]
    if method == "GET":
        return await client.get(path)
    data = {
        "csrf": csrf,
        "state": "resolved",
        "language": "de",
        "next": "/conversations",
        "text": "Heute geschlossen",
        "version": "1",
        "intent": "housing",
    }
    return await client.post(path, data=data)


async def test_every_page_refuses_anonymous_and_lower_roles(
    dashboard_app: Starlette,
    signed_in: SignedIn,
    conversations: Conversations,
    content_items: ContentItems,
    draft_broadcast: int,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        # The talent label form needs a kept description to label.
        description = "Ich habe zehn Jahre Fahrräder repariert"
        session.add(TalentProfile(resident_id=conversations.resident_id, description=description))
        await session.commit()
    pages = _pages(dashboard_app)
    assert {route.access for route in pages} == set(StaffRole)
    members = {role: await signed_in(role) for role in StaffRole}
    tokens = {role: await csrf_of(client) for role, client in members.items()}
    async with anonymous_client(dashboard_app) as anonymous:
        for route in pages:
            path = _concrete(route, conversations, content_items, draft_broadcast)
            response = await _call(anonymous, route, path, "")
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login"), path
            assert route.access != PUBLIC
            role = StaffRole(route.access)
            if role in LOWER:
                lower = LOWER[role]
                refused = await _call(members[lower], route, path, tokens[lower])
                assert refused.status_code == 403, f"{lower} reached {path}"
            allowed = await _call(members[role], route, path, tokens[role])
            # 400: the role was let in and the (nearly empty) form was checked and refused.
            assert allowed.status_code in (200, 303, 400), f"{role} refused at {path}"
            assert ROLE_RANK[role] >= 1


async def test_a_form_without_the_csrf_token_is_refused(
    signed_in: SignedIn,
    conversations: Conversations,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    client = await signed_in(StaffRole.ADMIN)
    path = f"/messages/{conversations.script_message_id}/review"
    missing = await client.post(path, data={"state": "resolved"})
    wrong = await client.post(path, data={"state": "resolved", "csrf": "forged"})
    assert missing.status_code == wrong.status_code == 403
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(MessageReview)) == 0
        refusals = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action == "csrf.refused")
            )
        )
    assert len(refusals) == 2
    good = await client.post(path, data={"state": "resolved", "csrf": await csrf_of(client)})
    assert good.status_code == 303


async def test_the_sign_in_form_needs_its_token(
    dashboard_app: Starlette, staff_accounts: None
) -> None:
    async with anonymous_client(dashboard_app) as client:
        response = await client.post(
            "/login",
            data={"email": "admin@hub.example", "password": "correct horse battery staple"},
        )
    assert response.status_code == 403
    assert (
        "set-cookie" not in response.headers
        or "__Host-hubbot=" not in response.headers["set-cookie"]
    )


async def test_cookies_are_secure_httponly_samesite_strict(
    dashboard_app: Starlette, staff_accounts: None
) -> None:
    async with anonymous_client(dashboard_app) as client:
        response = await sign_in(client, email_of(StaffRole.STAFF), PASSWORD)
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("__Host-hubbot=")
    )
    lowered = cookie.lower()
    assert "secure" in lowered and "httponly" in lowered and "samesite=strict" in lowered
    assert "path=/" in lowered and "domain" not in lowered


async def test_pages_carry_a_content_security_policy(signed_in: SignedIn) -> None:
    client = await signed_in(StaffRole.STAFF)
    response = await client.get("/conversations")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "default-src 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in response.text
