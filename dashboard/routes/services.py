"""Services: a new service, what it is besides its texts, and removing it."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from bot.i18n import LANGUAGES, N_
from bot.services.problems import Problem
from dashboard import content, content_services
from dashboard.content_forms import (
    SERVICE_FIELDS,
    read_service_details,
    read_service_texts,
)
from dashboard.content_kinds import KINDS
from dashboard.deps import Ctx, page
from dashboard.routes.content import (
    edit_page,
    editable_hubs,
    editable_item,
    form_values,
    problem_text,
    seen_version,
)
from dashboard.routes.events import CONFLICT
from db.content import REMOVED_SERVICE
from db.models import Service, StaffRole
from db.versioning import EditConflict

KIND = KINDS["services"]
LISTS = ("staff_languages",)
TEXT_FIELDS = ("title", "body", "opening_hours")


def _new_page(
    ctx: Ctx,
    hubs: list[content.HubInfo],
    values: dict[str, object],
    problems: list[str],
    status: int = 200,
) -> Response:
    return ctx.render(
        "service_new.html",
        status=status,
        hubs=hubs,
        values=values,
        problems=problems,
        intents=content_services.SERVICE_INTENTS,
        languages=LANGUAGES,
    )


async def service_new(ctx: Ctx) -> Response:
    """Show the form for a new service."""
    hubs = await editable_hubs(ctx)
    values: dict[str, object] = {name: "" for name in SERVICE_FIELDS}
    values.update(hub=hubs[0].slug if hubs else "", staff_languages=["de"])
    return _new_page(ctx, hubs, values, [])


async def service_create(ctx: Ctx) -> Response:
    """Check and store a new service with its texts in the hub's language."""
    hubs = await editable_hubs(ctx)
    values = form_values(ctx, SERVICE_FIELDS, LISTS)
    by_slug = {hub.slug: hub for hub in hubs}
    details = read_service_details(values, {hub.slug: hub.id for hub in hubs})
    problems = content_services.check_details(details, {hub.id for hub in hubs})
    hub = by_slug.get(values["hub"])
    language = hub.default_language if hub else "de"
    texts = read_service_texts(values)
    problems += content_services.check_texts(texts, language)
    if problems or hub is None:
        shown = [problem_text(ctx, problem) for problem in problems]
        return _new_page(ctx, hubs, values, shown, status=400)
    service = await content_services.create(
        ctx.db, details, hub_slug=hub.slug, language=language, texts=texts
    )
    ctx.audit(
        "content.create",
        target=f"services={service.id}",
        slug=service.slug,
        hub=hub.slug,
        language=language,
        intent=details.intent,
        url=details.url,
    )
    return RedirectResponse(f"/content/services/{service.id}?saved=1", status_code=303)


async def service_details(ctx: Ctx) -> Response:
    """Store a service's hub, topic, partner, address, phone, website and staff languages."""
    service = await editable_item(ctx, Service, "services")
    if isinstance(service, Response):
        return service
    seen = seen_version(ctx)
    if seen is None:
        return ctx.refuse(400, ctx._("The form has expired. Please try again."))
    hubs = await editable_hubs(ctx)
    fields = tuple(name for name in SERVICE_FIELDS if name not in TEXT_FIELDS)
    values = form_values(ctx, fields, LISTS)
    details = read_service_details(values, {hub.slug: hub.id for hub in hubs})
    problems = content_services.check_details(details, {hub.id for hub in hubs})
    target = next((hub for hub in hubs if hub.id == details.hub_id), None)
    if target is not None and service.text_in(target.default_language) is None:
        problems.append(
            Problem(
                N_("Write the service in {language}, the hub's language, before moving it."),
                {"language": target.default_language},
            )
        )
    shown = [problem_text(ctx, problem) for problem in problems]
    status = 400
    if not shown:
        before = content_services.details_of(service)
        try:
            version = await content_services.change_details(
                ctx.db, service, details, seen_version=seen
            )
        except EditConflict:
            shown, status = [ctx._(CONFLICT)], 409
        else:
            ctx.audit(
                "content.details",
                target=f"services={service.id}",
                version=version,
                changes=content_services.changes(before, details),
            )
            return RedirectResponse(f"/content/services/{service.id}?saved=1", status_code=303)
    item = await content.view_item(ctx.db, KIND, service)
    return await edit_page(
        ctx, KIND, item, service, details=values, detail_problems=shown, status=status
    )


async def _remove_page(
    ctx: Ctx, service: Service, problems: list[str], status: int = 200
) -> Response:
    item = await content.view_item(ctx.db, KIND, service)
    return ctx.render(
        "service_remove.html",
        status=status,
        service=service,
        title=item.title_in(ctx.translator.language),
        problems=problems,
    )


async def service_remove_form(ctx: Ctx) -> Response:
    """Ask whether to remove a service."""
    service = await editable_item(ctx, Service, "services")
    if isinstance(service, Response):
        return service
    return await _remove_page(ctx, service, [])


async def service_remove(ctx: Ctx) -> Response:
    """Remove a service: hubbot no longer names it; the import does not bring it back."""
    service = await editable_item(ctx, Service, "services")
    if isinstance(service, Response):
        return service
    seen = seen_version(ctx)
    if seen is None:
        return ctx.refuse(400, ctx._("The form has expired. Please try again."))
    slug, service_id, hub_id, intent = service.slug, service.id, service.hub_id, service.intent
    try:
        await content_services.remove(ctx.db, service, seen_version=seen)
    except EditConflict:
        return await _remove_page(ctx, service, [ctx._(CONFLICT)], status=409)
    # The target names the slug: the import reads it to leave the service out.
    ctx.audit(
        "content.remove",
        target=f"{REMOVED_SERVICE}{slug}",
        id=service_id,
        hub_id=hub_id,
        intent=intent,
    )
    return RedirectResponse("/content?kind=services&removed=1", status_code=303)


routes = [
    page("/content/services/new", service_new, access=StaffRole.COORDINATOR),
    page(
        "/content/services/new",
        service_create,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
        name="service_create",
    ),
    page(
        "/content/services/{item_id:int}/details",
        service_details,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
    page(
        "/content/services/{item_id:int}/remove", service_remove_form, access=StaffRole.COORDINATOR
    ),
    page(
        "/content/services/{item_id:int}/remove",
        service_remove,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
]
