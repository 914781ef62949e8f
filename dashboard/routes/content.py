"""Content: the lists per kind and hub, one item in nine languages side by side, saving."""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.responses import RedirectResponse, Response

from bot.i18n import LANGUAGES
from dashboard import content, content_forms
from dashboard.content_kinds import KINDS, STATUSES, ContentKind, ItemView, LanguageVersion
from dashboard.content_services import SERVICE_INTENTS
from dashboard.deps import Ctx, page
from db.content_schema import TOPICS
from db.models import Event, Service, StaffRole


def _hub_filter(ctx: Ctx, hubs: list[content.HubInfo]) -> content.HubInfo | None:
    scope = ctx.member.hub_scope
    if scope is not None:
        # A member of one hub sees that hub's content (and what every hub shares).
        return next((hub for hub in hubs if hub.id == scope), None)
    slug = ctx.request.query_params.get("hub", "")
    return next((hub for hub in hubs if hub.slug == slug), None)


async def content_list(ctx: Ctx) -> Response:
    """List one kind of content of a hub, with each language's review status."""
    kind = KINDS.get(ctx.request.query_params.get("kind", ""), KINDS["answers"])
    hubs = await content.hubs(ctx.db)
    hub = _hub_filter(ctx, hubs)
    items = await content.list_items(ctx.db, kind, hub_id=hub.id if hub else None)
    return ctx.render(
        "content_list.html",
        kind=kind,
        kinds=list(KINDS.values()),
        hubs=hubs,
        hub=hub,
        hub_slugs={h.id: h.slug for h in hubs},
        items=items,
        languages=LANGUAGES,
    )


async def find_item(ctx: Ctx) -> tuple[ContentKind, Any, ItemView] | Response:
    kind = KINDS.get(ctx.request.path_params["kind"])
    row = None
    if kind is not None:
        row = await content.load_item(ctx.db, kind, ctx.request.path_params["item_id"])
    if kind is None or row is None or not content.may_view(ctx.member, kind.hub_of(row)):
        return ctx.refuse(404, ctx._("There is no such content."))
    return kind, row, await content.view_item(ctx.db, kind, row)


# The kinds with details of their own (times, addresses) and pages to change them.
DetailedItem = TypeVar("DetailedItem", Event, Service)


async def editable_item(ctx: Ctx, model: type[DetailedItem], kind: str) -> DetailedItem | Response:
    """Return the item of the path if the member may change it, else the refusal."""
    item = await ctx.db.get(model, ctx.request.path_params["item_id"])
    if item is None or not content.may_view(ctx.member, item.hub_id):
        return ctx.refuse(404, ctx._("There is no such content."))
    if not content.may_edit(ctx.member, item.hub_id):
        ctx.audit("access.refused", target=f"{kind}={item.id}")
        return ctx.refuse(403, ctx._("Your role may not open this page."))
    return item


def seen_version(ctx: Ctx) -> int | None:
    """Return the item version the form was opened on (None: a form without one)."""
    try:
        return int(ctx.field("version"))
    except ValueError:
        return None


def form_values(ctx: Ctx, names: tuple[str, ...], lists: tuple[str, ...]) -> content_forms.Values:
    """Read a submitted details form: the named fields, and the ones that repeat."""

    def read(name: str) -> list[str]:
        if ctx.form is None:
            return []
        return [value for value in ctx.form.getlist(name) if isinstance(value, str)]

    return content_forms.submitted(read, names, lists)


async def editable_hubs(ctx: Ctx) -> list[content.HubInfo]:
    """Return the hubs whose content the member may change."""
    return [hub for hub in await content.hubs(ctx.db) if content.may_edit(ctx.member, hub.id)]


async def edit_page(
    ctx: Ctx,
    kind: ContentKind,
    item: ItemView,
    row: Any,
    *,
    versions: dict[str, LanguageVersion] | None = None,
    problems: list[str] | None = None,
    details: content_forms.Values | None = None,
    detail_problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    """Show an item's details (events, services) and its texts in every language."""
    hubs = await content.hubs(ctx.db)
    if details is None and isinstance(row, Event):
        details = content_forms.event_values(row)
    elif details is None and isinstance(row, Service):
        slug = next((hub.slug for hub in hubs if hub.id == row.hub_id), "")
        details = content_forms.service_values(row, slug)
    return ctx.render(
        "content_edit.html",
        status=status,
        kind=kind,
        item=item,
        row=row,
        versions=versions or item.versions,
        problems=problems or [],
        details=details,
        detail_problems=detail_problems or [],
        may_edit=content.may_edit(ctx.member, item.hub_id),
        hubs=[hub for hub in hubs if content.may_edit(ctx.member, hub.id)] or hubs,
        intents=SERVICE_INTENTS,
        topics=TOPICS,
        saved=ctx.request.query_params.get("saved") == "1",
        statuses=STATUSES,
        languages=LANGUAGES,
    )


async def content_item(ctx: Ctx) -> Response:
    """Show an item's texts in every language side by side (editable for coordinators)."""
    found = await find_item(ctx)
    if isinstance(found, Response):
        return found
    kind, row, item = found
    return await edit_page(ctx, kind, item, row)


def problem_text(ctx: Ctx, problem: content.Problem) -> str:
    """Return a refusal in the member's language."""
    # Field labels are message ids themselves (marked in content_kinds).
    params = {
        name: ctx._(value) if name == "field" else value for name, value in problem.params.items()
    }
    return ctx._(problem.message).format(**params)


async def content_save(ctx: Ctx) -> Response:
    """Check and store an item's texts, bump its version and audit what changed."""
    found = await find_item(ctx)
    if isinstance(found, Response):
        return found
    kind, row, item = found
    target = f"{kind.name}={item.id}"
    if not content.may_edit(ctx.member, item.hub_id):
        ctx.audit("access.refused", target=target)
        return ctx.refuse(
            403,
            ctx._("Content shared by every hub is changed by coordinators who work for all hubs."),
        )
    try:
        seen_version = int(ctx.field("version"))
    except ValueError:
        return ctx.refuse(400, ctx._("The form has expired. Please try again."))
    form = ctx.form

    def value_of(name: str) -> str | None:
        value = form.get(name) if form is not None else None
        return value if isinstance(value, str) else None

    versions = content.read_form(kind, item, value_of)
    problems = content.check(kind, item, versions)
    if problems:
        texts = [problem_text(ctx, problem) for problem in problems]
        return await edit_page(ctx, kind, item, row, versions=versions, problems=texts, status=400)
    changed = content.changes(kind, item, versions)
    if not changed:
        ctx.audited = True  # nothing was changed, so there is nothing to record
        return RedirectResponse(f"/content/{kind.name}/{item.id}", status_code=303)
    try:
        version = await content.save(ctx.db, kind, row, versions, seen_version=seen_version)
    except content.EditConflict:
        message = ctx._(
            "Someone else saved this item after you opened it. Your text is still below: "
            "copy what you need, reload the page and save again."
        )
        return await edit_page(
            ctx, kind, item, row, versions=versions, problems=[message], status=409
        )
    ctx.audit("content.edit", target=target, version=version, changes=changed)
    return RedirectResponse(f"/content/{kind.name}/{item.id}?saved=1", status_code=303)


routes = [
    page("/content", content_list, access=StaffRole.STAFF),
    page("/content/{kind}/{item_id:int}", content_item, access=StaffRole.STAFF),
    page(
        "/content/{kind}/{item_id:int}",
        content_save,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
        name="content_save",
    ),
]
