"""Events: a new event, its times, room, places and topics, and cancelling it."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from bot.i18n import LANGUAGES, N_
from bot.services import event_admin
from bot.services.events import EventService, when
from bot.services.problems import Problem
from bot.services.translation import TermShield, TranslationService
from dashboard import content
from dashboard.content_forms import EVENT_FIELDS, read_event_details
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
from db.content_schema import TOPICS
from db.models import Event, StaffRole
from db.versioning import EditConflict

KIND = KINDS["events"]
CONFLICT = N_("Someone else saved this item after you opened it. Reload the page and try again.")


def _new_page(
    ctx: Ctx,
    hubs: list[content.HubInfo],
    values: dict[str, object],
    problems: list[str],
    status: int = 200,
) -> Response:
    return ctx.render(
        "event_new.html",
        status=status,
        hubs=hubs,
        values=values,
        problems=problems,
        topics=TOPICS,
        languages=LANGUAGES,
    )


async def event_new(ctx: Ctx) -> Response:
    """Show the form for a new event, in the first hub the member works for."""
    hubs = await editable_hubs(ctx)
    first = hubs[0] if hubs else None
    values: dict[str, object] = {name: "" for name in EVENT_FIELDS}
    values.update(
        hub=first.slug if first else "",
        language=first.default_language if first else "de",
        topics=["events"],
    )
    return _new_page(ctx, hubs, values, [])


async def event_create(ctx: Ctx) -> Response:
    """Check and store a new event; other languages are translated when shown."""
    hubs = await editable_hubs(ctx)
    values = form_values(ctx, EVENT_FIELDS, ("topics",))
    read = read_event_details(values)
    problems = read if isinstance(read, list) else []
    if values["hub"] not in {hub.slug for hub in hubs}:
        problems.insert(0, Problem(N_("Choose a hub you work for.")))
    if not problems and not isinstance(read, list):
        new = event_admin.NewEvent(
            hub=values["hub"],
            language=values["language"],
            title=values["title"],
            description=values["description"],
            details=read,
        )
        problems = event_admin.check_new(new, {hub.slug for hub in hubs})
    if problems or isinstance(read, list):
        texts = [problem_text(ctx, problem) for problem in problems]
        return _new_page(ctx, hubs, values, texts, status=400)
    event = await event_admin.create(ctx.db, new, version=2)
    ctx.audit(
        "content.create",
        target=f"events={event.id}",
        slug=event.slug,
        hub=new.hub,
        language=new.language,
        starts=values["starts"],
        ends=values["ends"],
        room=values["room"],
        capacity=values["capacity"],
        topics=values["topics"],
    )
    return RedirectResponse(f"/content/events/{event.id}?saved=1", status_code=303)


async def event_details(ctx: Ctx) -> Response:
    """Store an event's new times, room, places and topics."""
    event = await editable_item(ctx, Event, "events")
    if isinstance(event, Response):
        return event
    seen = seen_version(ctx)
    if seen is None:
        return ctx.refuse(400, ctx._("The form has expired. Please try again."))
    fields = ("starts", "ends", "room", "capacity")
    values = form_values(ctx, fields, ("topics",))
    read = read_event_details(values)
    problems = [problem_text(ctx, problem) for problem in read] if isinstance(read, list) else []
    status = 400
    if event.cancelled:
        problems.append(ctx._("This event is cancelled."))
    if not problems and not isinstance(read, list):
        before = event_admin.local_details(event)
        try:
            version = await event_admin.change_details(ctx.db, event, read, seen_version=seen)
        except event_admin.CapacityTooLow as error:
            problems.append(
                ctx._(
                    "{num} guests already have a place: the event needs at least {num} places."
                ).format(num=error.going)
            )
        except EditConflict:
            problems.append(ctx._(CONFLICT))
            status = 409
        else:
            ctx.audit(
                "content.details",
                target=f"events={event.id}",
                version=version,
                changes=_changes(before, read),
            )
            return RedirectResponse(f"/content/events/{event.id}?saved=1", status_code=303)
    item = await content.view_item(ctx.db, KIND, event)
    return await edit_page(
        ctx, KIND, item, event, details=values, detail_problems=problems, status=status
    )


def _shown(value: object) -> object:
    return list(value) if isinstance(value, tuple) else None if value is None else str(value)


def _changes(
    before: event_admin.EventDetails, after: event_admin.EventDetails
) -> dict[str, dict[str, object]]:
    changed: dict[str, dict[str, object]] = {}
    for name in ("starts", "ends", "room", "capacity", "topics"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changed[name] = {"from": _shown(old), "to": _shown(new)}
    return changed


async def _cancel_page(ctx: Ctx, event: Event, problems: list[str], status: int = 200) -> Response:
    going, waiting = await event_admin.guests(ctx.db, event)
    item = await content.view_item(ctx.db, KIND, event)
    return ctx.render(
        "event_cancel.html",
        status=status,
        event=event,
        title=item.title_in(ctx.translator.language),
        when=when(event, ctx.translator),
        going=going,
        waiting=waiting,
        problems=problems,
    )


async def event_cancel_form(ctx: Ctx) -> Response:
    """Ask whether to cancel an event, saying how many guests it has."""
    event = await editable_item(ctx, Event, "events")
    if isinstance(event, Response):
        return event
    return await _cancel_page(ctx, event, [])


async def event_cancel(ctx: Ctx) -> Response:
    """Cancel an event: its guests with a place get a notice; their answers are kept."""
    event = await editable_item(ctx, Event, "events")
    if isinstance(event, Response):
        return event
    seen = seen_version(ctx)
    if seen is None:
        return ctx.refuse(400, ctx._("The form has expired. Please try again."))
    if event.cancelled:
        return await _cancel_page(ctx, event, [ctx._("This event is cancelled.")], status=400)
    # No provider here: a guest's language the staff did not write comes from the memory.
    events = EventService(TranslationService(None, terms=TermShield([]), timeout_s=1.0))
    try:
        done = await event_admin.cancel(
            ctx.db, event, events=events, catalogue=ctx.state.catalogue, seen_version=seen
        )
    except EditConflict:
        return await _cancel_page(ctx, event, [ctx._(CONFLICT)], status=409)
    ctx.audit(
        "content.cancel",
        target=f"events={event.id}",
        notified=done.notified,
        waiting=done.waiting,
        reminders_stopped=done.reminders_stopped,
    )
    return RedirectResponse(f"/content/events/{event.id}?saved=1", status_code=303)


routes = [
    page("/content/events/new", event_new, access=StaffRole.COORDINATOR),
    page(
        "/content/events/new",
        event_create,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
        name="event_create",
    ),
    page(
        "/content/events/{item_id:int}/details",
        event_details,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
    page("/content/events/{item_id:int}/cancel", event_cancel_form, access=StaffRole.COORDINATOR),
    page(
        "/content/events/{item_id:int}/cancel",
        event_cancel,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
]
