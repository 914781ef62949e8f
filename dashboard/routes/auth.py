"""Sign in, sign out, the dashboard language, and the health check."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard import accounts, audit, security
from dashboard.deps import PUBLIC, UI_LANGUAGES, Ctx, DashboardState, page
from db.models import StaffAccount, StaffRole

LOGIN_FORM_MAX_AGE_S = 3600


def _signer(state: DashboardState) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(state.keys.secret, salt="dashboard-login")


def _safe_next(target: str) -> str:
    # Only a path on this site: "//evil.example" and "https://..." would leave it.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/conversations"


def _login_form(ctx: Ctx, *, status: int = 200, error: str | None = None) -> Response:
    """Render the sign-in form, tied to this browser by a nonce cookie and its signature."""
    nonce = security.new_token()
    response = ctx.render(
        "login.html",
        status=status,
        error=error,
        login_token=_signer(ctx.state).dumps(nonce),
        next=_safe_next(ctx.request.query_params.get("next", "")),
    )
    ctx.state.set_cookie(response, ctx.state.login_cookie, nonce, LOGIN_FORM_MAX_AGE_S)
    return response


async def login_page(ctx: Ctx) -> Response:
    """Show the sign-in form."""
    if ctx.viewer is not None:
        return RedirectResponse("/conversations", status_code=303)
    return _login_form(ctx)


def _login_token_valid(ctx: Ctx) -> bool:
    nonce = ctx.request.cookies.get(ctx.state.login_cookie)
    try:
        signed = _signer(ctx.state).loads(ctx.field("login_token"), max_age=LOGIN_FORM_MAX_AGE_S)
    except BadSignature:
        return False
    return nonce is not None and security.same_token(str(signed), nonce)


async def login(ctx: Ctx) -> Response:
    """Check the credentials, slowly for repeated failures, and start a session."""
    ctx.form = await ctx.request.form()
    if not _login_token_valid(ctx):
        return _login_form(ctx, status=403, error=ctx._("The form has expired. Please try again."))
    email = ctx.field("email").strip().lower()
    limit = ctx.state.settings.login_max_failures
    if await accounts.is_throttled(ctx.db, email=email, ip=ctx.ip, limit=limit):
        ctx.audit("login.throttled", target=email, actor=email)
        message = ctx._("Too many failed attempts. Please wait 15 minutes.")
        return _login_form(ctx, status=429, error=message)
    account = await accounts.authenticate(
        ctx.db, email=email, password=ctx.field("password"), ip=ctx.ip
    )
    if account is None:
        ctx.audit("login.failed", target=email, actor=email)
        return _login_form(ctx, status=400, error=ctx._("Wrong e-mail address or password."))
    token = await accounts.open_session(
        ctx.db, staff_id=account.staff_id, lifetime=ctx.state.session_lifetime
    )
    audit_entry(ctx, account, "login")
    response = RedirectResponse(_safe_next(ctx.field("next")), status_code=303)
    lifetime = int(ctx.state.session_lifetime.total_seconds())
    ctx.state.set_cookie(response, ctx.state.session_cookie, token, lifetime)
    response.delete_cookie(ctx.state.login_cookie, path="/")
    return response


def audit_entry(ctx: Ctx, account: StaffAccount, action: str) -> None:
    """Audit an action of a member who is not yet the request's viewer."""
    audit.record(
        ctx.db,
        actor=account.staff.email or "",
        staff_id=account.staff_id,
        action=action,
        ip=ctx.ip,
    )
    ctx.audited = True


async def logout(ctx: Ctx) -> Response:
    """End the session."""
    token = ctx.request.cookies.get(ctx.state.session_cookie, "")
    await accounts.close_session(ctx.db, token=token)
    ctx.audit("logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(ctx.state.session_cookie, path="/")
    return response


async def set_language(ctx: Ctx) -> Response:
    """Remember the member's dashboard language."""
    language = ctx.field("language")
    if language not in UI_LANGUAGES:
        return ctx.refuse(400, ctx._("Unknown language."))
    account = await ctx.db.get(StaffAccount, ctx.member.staff_id)
    assert account is not None
    account.ui_language = language
    ctx.audit("language", target=language)
    return RedirectResponse(_safe_next(ctx.field("next")), status_code=303)


async def home(ctx: Ctx) -> Response:
    """Open the conversations."""
    return RedirectResponse("/conversations", status_code=303)


async def healthz(request: Request) -> Response:
    """Tell the supervisor the dashboard is up (no data, no session)."""
    return JSONResponse({"status": "ok"})


routes = [
    page("/", home, access=StaffRole.STAFF),
    page("/login", login_page, access=PUBLIC),
    page("/login", login, access=PUBLIC, methods=["POST"], name="login_submit"),
    page("/logout", logout, access=StaffRole.STAFF, methods=["POST"]),
    page("/language", set_language, access=StaffRole.STAFF, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
]
