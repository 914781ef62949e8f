"""Broadcasts: the list, compose, preview with corrections, approve, progress, cancel.

Staff and up compose and correct drafts; approving (which sends) and cancelling a queued
broadcast take a coordinator or an admin, so one person's draft is checked by someone who
answers for what the hub sends. Correcting a queued critical broadcast releases its held
recipients, so that too takes a coordinator.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from bot.broadcasting import compose, outbox
from bot.broadcasting.keyboards import TOPIC_LABELS
from bot.i18n import LANGUAGE_BY_CODE, LANGUAGES
from dashboard import broadcasts
from dashboard.deps import Ctx, page, refuse_role
from db.models import Broadcast, BroadcastStatus, StaffRole


def _to(broadcast_id: int, notice: str = "") -> Response:
    suffix = f"?notice={notice}" if notice else ""
    return RedirectResponse(f"/broadcasts/{broadcast_id}{suffix}", status_code=303)


def _notice(ctx: Ctx) -> str:
    key = ctx.request.query_params.get("notice", "")
    return ctx._(broadcasts.NOTICES[key]) if key in broadcasts.NOTICES else ""


async def _broadcast(ctx: Ctx) -> Broadcast | None:
    broadcast_id = int(ctx.request.path_params["broadcast_id"])
    return await broadcasts.load(ctx.db, ctx.member, broadcast_id)


def _missing(ctx: Ctx) -> Response:
    return ctx.refuse(404, ctx._("There is no such broadcast."))


async def broadcast_list(ctx: Ctx) -> Response:
    """List the recent broadcasts with their progress."""
    return ctx.render("broadcasts.html", rows=await broadcasts.recent(ctx.db, ctx.member))


async def _compose_page(
    ctx: Ctx, form: broadcasts.ComposeForm, *, error: str = "", status: int = 200
) -> Response:
    return ctx.render(
        "broadcast_new.html",
        form=form,
        error=error,
        hubs=await broadcasts.hubs_in_scope(ctx.db, ctx.member),
        all_hubs=ctx.member.hub_scope is None,
        events=await broadcasts.event_choices(ctx.db, ctx.member, ctx.translator.language),
        topics=TOPIC_LABELS,
        languages=LANGUAGES,
        status=status,
    )


async def new_broadcast(ctx: Ctx) -> Response:
    """Show the compose form."""
    return await _compose_page(ctx, broadcasts.ComposeForm(language=ctx.translator.language))


async def create_broadcast(ctx: Ctx) -> Response:
    """Store the draft, translate it, and go to its preview."""
    form = broadcasts.ComposeForm.from_form(ctx.form or FormData())
    try:
        broadcast = await broadcasts.compose_draft(
            ctx.db, viewer=ctx.member, form=form, translation=ctx.state.translation
        )
    except broadcasts.FormError as error:
        return await _compose_page(ctx, form, error=ctx._(str(error)), status=400)
    ctx.audit(
        "broadcast.compose",
        target=f"broadcast={broadcast.id}",
        hub_id=broadcast.hub_id,
        topics=broadcast.topics,
        languages=broadcast.languages,
        event_id=broadcast.event_id,
        critical=broadcast.critical,
    )
    return _to(broadcast.id)


async def broadcast_page(ctx: Ctx) -> Response:
    """Show a draft's preview, or a broadcast's progress per language."""
    broadcast = await _broadcast(ctx)
    if broadcast is None:
        return _missing(ctx)
    draft = broadcast.status == BroadcastStatus.DRAFT
    by_language = {} if draft else await outbox.progress_by_language(ctx.db, broadcast.id)
    progress = (await outbox.progress(ctx.db, [broadcast.id]))[broadcast.id]
    zone = await compose.hub_timezone(ctx.db, broadcast)
    settings = ctx.state.settings
    return ctx.render(
        "broadcast.html",
        broadcast=broadcast,
        draft=draft,
        notice=_notice(ctx),
        texts=broadcasts.language_texts(broadcast, by_language),
        progress=progress,
        recipients=await outbox.count_recipients(ctx.db, broadcast) if draft else progress.total,
        waiting=[
            LANGUAGE_BY_CODE[code].native_name for code in broadcasts.waiting_languages(broadcast)
        ],
        send_after=broadcasts.local_time(broadcast.send_after, zone),
        timezone=zone,
        quiet_start=settings.quiet_hours_start.strftime("%H:%M"),
        quiet_end=settings.quiet_hours_end.strftime("%H:%M"),
        may_approve=ctx.member.may(StaffRole.COORDINATOR),
        running=broadcast.status in (BroadcastStatus.READY, BroadcastStatus.SENDING),
    )


async def save_texts(ctx: Ctx) -> Response:
    """Save corrected translations (they count as reviewed) and reviews."""
    broadcast = await _broadcast(ctx)
    if broadcast is None:
        return _missing(ctx)
    if broadcast.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
        return _to(broadcast.id, "not_running")
    if broadcast.status != BroadcastStatus.DRAFT and not ctx.member.may(StaffRole.COORDINATOR):
        # A review releases held recipients of a queued critical broadcast: that is sending.
        return await refuse_role(ctx)
    corrected, reviewed = await broadcasts.save_texts(ctx.db, broadcast, ctx.form or FormData())
    ctx.audit(
        "broadcast.correct",
        target=f"broadcast={broadcast.id}",
        corrected=corrected,
        reviewed=reviewed,
    )
    return _to(broadcast.id, "saved")


async def approve(ctx: Ctx) -> Response:
    """Approve a draft: queue one outbox row per recipient, in this transaction."""
    broadcast = await _broadcast(ctx)
    if broadcast is None:
        return _missing(ctx)
    count = await compose.confirm(ctx.db, broadcast)
    if count is None:
        return _to(broadcast.id, "not_draft")
    ctx.audit(
        "broadcast.approve",
        target=f"broadcast={broadcast.id}",
        recipients=count,
        held=list(broadcasts.waiting_languages(broadcast)),
    )
    return _to(broadcast.id, "approved" if count else "nobody")


async def cancel(ctx: Ctx) -> Response:
    """Stop a queued or running broadcast: what is not sent yet is not sent."""
    broadcast = await _broadcast(ctx)
    if broadcast is None:
        return _missing(ctx)
    if broadcast.status not in (BroadcastStatus.READY, BroadcastStatus.SENDING):
        return _to(broadcast.id, "not_running")
    stopped = await compose.cancel(ctx.db, broadcast)
    ctx.audit("broadcast.cancel", target=f"broadcast={broadcast.id}", stopped=stopped)
    return _to(broadcast.id, "cancelled")


async def discard(ctx: Ctx) -> Response:
    """Throw a draft away before it is approved."""
    broadcast = await _broadcast(ctx)
    if broadcast is None:
        return _missing(ctx)
    if broadcast.status != BroadcastStatus.DRAFT:
        return _to(broadcast.id, "not_draft")
    await compose.cancel(ctx.db, broadcast)
    ctx.audit("broadcast.discard", target=f"broadcast={broadcast.id}")
    return _to(broadcast.id, "discarded")


routes = [
    page("/broadcasts", broadcast_list, access=StaffRole.STAFF),
    page("/broadcasts/new", new_broadcast, access=StaffRole.STAFF),
    page("/broadcasts/new", create_broadcast, access=StaffRole.STAFF, methods=["POST"]),
    page("/broadcasts/{broadcast_id:int}", broadcast_page, access=StaffRole.STAFF),
    page(
        "/broadcasts/{broadcast_id:int}/texts", save_texts, access=StaffRole.STAFF, methods=["POST"]
    ),
    page(
        "/broadcasts/{broadcast_id:int}/discard", discard, access=StaffRole.STAFF, methods=["POST"]
    ),
    page(
        "/broadcasts/{broadcast_id:int}/approve",
        approve,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
    page(
        "/broadcasts/{broadcast_id:int}/cancel",
        cancel,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
]
