"""What every dashboard request gets: the signed-in viewer, a database session, gettext.

Routes are declared with `page(...)`, which denies by default: each names the least role
that may use it (or `PUBLIC`), every POST must carry the session's CSRF token, and every
POST by a signed-in member is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final, Literal
from urllib.parse import quote

from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.i18n import N_, Catalogue, Translator
from bot.services.translation import TranslationService
from dashboard import accounts, audit, security
from dashboard.accounts import Viewer
from dashboard.annotation import NluDataCache
from dashboard.keys import DashboardKeys
from dashboard.labels import label_msgid
from dashboard.retrain import Retrainer
from dashboard.telegram import ResidentLine
from db.models import StaffRole

UI_LANGUAGES: Final = ("de", "en")
PUBLIC: Final = "public"
Access = StaffRole | Literal["public"]


@dataclass(frozen=True, slots=True)
class DashboardState:
    """What the dashboard builds once: settings, keys, database, templates, catalogue, and
    machine translation for broadcasts."""

    settings: Settings
    keys: DashboardKeys
    sessionmaker: async_sessionmaker[AsyncSession]
    templates: Jinja2Templates
    # Every language's catalogue: the UI uses de and en, messages to residents the rest.
    catalogue: Catalogue
    line: ResidentLine
    translation: TranslationService
    nlu_data: NluDataCache
    retrainer: Retrainer

    @property
    def session_cookie(self) -> str:
        """Return the session cookie's name; `__Host-` pins it to this host over HTTPS."""
        return "__Host-hubbot" if self.settings.dashboard_secure_cookies else "hubbot_session"

    @property
    def login_cookie(self) -> str:
        """Return the name of the cookie that ties the sign-in form to this browser."""
        return "__Host-hubbot-login" if self.settings.dashboard_secure_cookies else "hubbot_login"

    @property
    def session_lifetime(self) -> timedelta:
        """Return how long a sign-in lasts."""
        return timedelta(hours=self.settings.dashboard_session_hours)

    def set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        """Set a cookie the way every dashboard cookie is set: HttpOnly, SameSite=Strict."""
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.settings.dashboard_secure_cookies,
            httponly=True,
            samesite="strict",
        )


@dataclass
class Ctx:
    """One request as an endpoint sees it."""

    request: Request
    db: AsyncSession
    state: DashboardState
    translator: Translator
    viewer: Viewer | None
    form: FormData | None = None
    audited: bool = False
    _audit_entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def member(self) -> Viewer:
        """Return the signed-in member (every non-public page has one)."""
        assert self.viewer is not None
        return self.viewer

    @property
    def ip(self) -> str:
        """Return the client's address."""
        return self.request.client.host if self.request.client else "unknown"

    def _(self, message: str) -> str:
        """Translate a message into the viewer's language."""
        return self.translator.gettext(message)

    def field(self, name: str) -> str:
        """Return a submitted form field as text ('' when missing)."""
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else ""

    def audit(
        self, action: str, target: str | None = None, *, actor: str | None = None, **detail: Any
    ) -> None:
        """Write a staff action to the audit log with this request's transaction."""
        viewer = self.viewer
        audit.record(
            self.db,
            actor=viewer.email if viewer else (actor or "anonymous"),
            staff_id=viewer.staff_id if viewer else None,
            action=action,
            target=target,
            detail=detail,
            ip=self.ip,
        )
        self.audited = True

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        """Render a template with gettext, the viewer and the CSRF token in its context."""
        translator = self.translator
        context.update(
            _=translator.gettext,
            label=lambda value: translator.gettext(label_msgid(value)),
            lang=translator.language,
            viewer=self.viewer,
            csrf=self.viewer.csrf_token if self.viewer else "",
            roles=StaffRole,
            ui_languages=UI_LANGUAGES,
        )
        return self.state.templates.TemplateResponse(
            self.request, template, context, status_code=status
        )

    def refuse(self, status: int, message: str) -> Response:
        """Answer with an error page."""
        return self.render("error.html", status=status, message=message)


Endpoint = Callable[[Ctx], Awaitable[Response]]


def ui_language(request: Request, viewer: Viewer | None, settings: Settings) -> str:
    """Choose the dashboard language: the member's choice, else the browser's, else staff's."""
    if viewer is not None and viewer.language in UI_LANGUAGES:
        return viewer.language
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in UI_LANGUAGES:
            return code
    return settings.staff_language if settings.staff_language in UI_LANGUAGES else "en"


def page(
    path: str,
    endpoint: Endpoint,
    *,
    access: Access,
    methods: Sequence[str] = ("GET",),
    name: str | None = None,
) -> PageRoute:
    """Declare a route; nothing is reachable without naming who may reach it."""

    async def handle(request: Request) -> Response:
        state: DashboardState = request.app.state.dashboard
        async with state.sessionmaker() as db:
            token = request.cookies.get(state.session_cookie)
            viewer = await accounts.viewer_for(db, token=token)
            translator = state.catalogue.translator(ui_language(request, viewer, state.settings))
            ctx = Ctx(request=request, db=db, state=state, translator=translator, viewer=viewer)
            if access != PUBLIC:
                if viewer is None:
                    target = quote(request.url.path, safe="/")
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                if not viewer.may(access):
                    message = N_("Your role may not open this page.")
                    return await _refused(ctx, "access.refused", message)
                if request.method == "POST":
                    ctx.form = await request.form()
                    if not security.same_token(ctx.field("csrf") or None, viewer.csrf_token):
                        message = N_("The form has expired. Please try again.")
                        return await _refused(ctx, "csrf.refused", message)
            response = await endpoint(ctx)
            if viewer is not None and request.method == "POST" and not ctx.audited:
                if response.status_code < 400:
                    ctx.audit(route_name, target=_target(request))
            await db.commit()
            return response

    route_name = name or endpoint.__name__
    return PageRoute(path, handle, methods=list(methods), name=route_name, access=access)


class PageRoute(Route):
    """A route that knows who may use it (the tests check every one of them)."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[[Request], Awaitable[Response]],
        *,
        methods: list[str],
        name: str,
        access: Access,
    ) -> None:
        super().__init__(path, endpoint, methods=methods, name=name)
        self.access = access


async def refuse_role(ctx: Ctx) -> Response:
    """Refuse an action this member's role may not take on this object (audited)."""
    return await _refused(ctx, "access.refused", N_("Your role may not do this."))


async def _refused(ctx: Ctx, action: str, message: str) -> Response:
    """Refuse with 403 and keep a note of who tried what."""
    ctx.audit(action, target=f"{ctx.request.method} {ctx.request.url.path}"[:200])
    await ctx.db.commit()
    return ctx.refuse(403, ctx._(message))


def _target(request: Request) -> str | None:
    params = request.path_params
    return ",".join(f"{key}={value}" for key, value in params.items()) or None


def make_templates(env: Environment) -> Jinja2Templates:
    """Wrap a Jinja environment for Starlette."""
    return Jinja2Templates(env=env)
