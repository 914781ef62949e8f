"""The handover inbox: the list, one thread, a reply to the resident, closing with an outcome."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from bot.i18n import LANGUAGE_BY_CODE, LANGUAGES, N_
from bot.services import handover as service
from dashboard import handovers
from dashboard.deps import Ctx, page
from db.models import Handover, HandoverOutcome, HandoverStatus, StaffRole

# Longer than any reply a person types; Telegram's limit is handled by splitting.
MAX_REPLY = 4000
# What the page says after an action; the query string names one, never carries text.
NOTICES = {
    "sent": N_("Sent to the resident."),
    "blocked": N_(
        "Not delivered: the resident has blocked hubbot. The message is kept in the thread."
    ),
    "unreachable": N_(
        "Not delivered: Telegram cannot be reached. The message is kept in the thread as not "
        "delivered; please try again later."
    ),
    "empty": N_("Write a message first."),
    "closed": N_("The request is closed; the resident was told."),
    "closed_unreachable": N_(
        "The request is closed, but the resident could not be told (Telegram cannot be "
        "reached or the resident has blocked hubbot)."
    ),
    "not_open": N_("This request is already closed."),
    "outcome": N_("Choose an outcome to close the request."),
}


async def inbox(ctx: Ctx) -> Response:
    """List requests to talk to a person, open ones first."""
    filters = handovers.HandoverFilter.from_query(ctx.request.query_params)
    rows = await handovers.find_handovers(
        ctx.db, filters=filters, hub_scope=ctx.member.hub_scope, key=ctx.state.keys.pseudonym
    )
    return ctx.render(
        "handovers.html",
        rows=rows,
        filters=filters,
        statuses=list(HandoverStatus),
        hubs=await handovers.hub_slugs(ctx.db),
    )


async def thread(ctx: Ctx) -> Response:
    """Show one request's thread with a reply form and a close form."""
    handover_id = int(ctx.request.path_params["handover_id"])
    found = await handovers.load_thread(
        ctx.db,
        handover_id=handover_id,
        hub_scope=ctx.member.hub_scope,
        key=ctx.state.keys.pseudonym,
    )
    if found is None:
        return ctx.refuse(404, ctx._("There is no such request."))
    ctx.audit("handover.view", target=f"handover={handover_id}")
    notice = NOTICES.get(ctx.request.query_params.get("notice", ""))
    return ctx.render(
        "handover.html",
        thread=found,
        notice=ctx._(notice) if notice else None,
        failed=ctx.request.query_params.get("notice", "") not in ("", "sent", "closed"),
        languages=LANGUAGES,
        outcomes=list(HandoverOutcome),
    )


async def reply(ctx: Ctx) -> Response:
    """Send a staff member's message to the resident, translated, and keep it in the thread."""
    handover_id = int(ctx.request.path_params["handover_id"])
    text = ctx.field("text").strip()[:MAX_REPLY]
    language = ctx.field("language")
    if language not in LANGUAGE_BY_CODE:
        language = ctx.translator.language
    found = await handovers.find_handover(
        ctx.db, handover_id=handover_id, hub_scope=ctx.member.hub_scope
    )
    if found is None:
        return ctx.refuse(404, ctx._("There is no such request."))
    handover, resident = found
    if handover.status != HandoverStatus.OPEN:
        return _back(handover_id, "not_open")
    if not text:
        return _back(handover_id, "empty")
    await ctx.state.line.ready()
    delivery, entry = await service.reply_to_resident(
        ctx.db,
        ctx.state.line.relay,
        handover=handover,
        resident=resident,
        text=text,
        source=language,
        staff_id=ctx.member.staff_id,
    )
    if delivery is service.Delivery.DELIVERED:
        await _tell_staff_chat(ctx, handover, text)
    ctx.audit(
        "handover.reply",
        target=f"handover={handover_id}",
        message=entry.id,
        language=language,
        delivery=delivery.value,
    )
    return _back(handover_id, "sent" if delivery is service.Delivery.DELIVERED else delivery.value)


async def close(ctx: Ctx) -> Response:
    """Close a request with its outcome; the resident is told and hubbot answers again."""
    handover_id = int(ctx.request.path_params["handover_id"])
    found = await handovers.find_handover(
        ctx.db, handover_id=handover_id, hub_scope=ctx.member.hub_scope
    )
    if found is None:
        return ctx.refuse(404, ctx._("There is no such request."))
    handover, resident = found
    if handover.status != HandoverStatus.OPEN:
        return _back(handover_id, "not_open")
    if ctx.field("outcome") not in set(HandoverOutcome):
        return _back(handover_id, "outcome")
    outcome = HandoverOutcome(ctx.field("outcome"))
    await ctx.state.line.ready()
    delivery = await service.close_request(
        ctx.db, ctx.state.line.relay, handover=handover, resident=resident, outcome=outcome
    )
    await _tell_staff_chat(ctx, handover, None)
    ctx.audit(
        "handover.close",
        target=f"handover={handover_id}",
        outcome=outcome.value,
        delivery=delivery.value,
    )
    told = delivery is service.Delivery.DELIVERED
    return _back(handover_id, "closed" if told else "closed_unreachable")


async def _tell_staff_chat(ctx: Ctx, handover: Handover, text: str | None) -> None:
    settings = ctx.state.settings
    await service.tell_staff_chat(
        ctx.state.line.relay,
        chat_id=settings.staff_chat_id,
        language=settings.staff_language,
        handover=handover,
        author=ctx.member.name or ctx.member.email,
        text=text,
    )


def _back(handover_id: int, notice: str) -> Response:
    return RedirectResponse(f"/handovers/{handover_id}?notice={notice}#reply", status_code=303)


routes = [
    page("/handovers", inbox, access=StaffRole.STAFF),
    page("/handovers/{handover_id:int}", thread, access=StaffRole.STAFF),
    page("/handovers/{handover_id:int}/reply", reply, access=StaffRole.STAFF, methods=["POST"]),
    page("/handovers/{handover_id:int}/close", close, access=StaffRole.STAFF, methods=["POST"]),
]
