"""Annotations: label a question, export the labels to nlu_data/, retrain and hot-load."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import RedirectResponse, Response

from bot.config import PROJECT_ROOT
from bot.nlu_export import ExampleRefused
from dashboard import annotation, retrain
from dashboard.cli import export_detail
from dashboard.deps import Ctx, page
from db.models import MessageLog, RetrainStatus, StaffRole


async def annotate(ctx: Ctx) -> Response:
    """Label a question with a known intent or a new one."""
    message_id = int(ctx.request.path_params["message_id"])
    intent = (ctx.field("new_intent").strip() or ctx.field("intent")).strip()
    try:
        labelled = await annotation.annotate(
            ctx.db,
            message_id=message_id,
            intent=intent,
            staff_id=ctx.member.staff_id,
            hub_scope=ctx.member.hub_scope,
            data=await ctx.state.nlu_data.get(),
        )
    except annotation.QuestionMissing:
        return ctx.refuse(404, ctx._("There is no such question."))
    except ExampleRefused as refused:
        reason = refused.refusal
        return ctx.refuse(400, ctx._(reason.message).format(**reason.params))
    ctx.audit("message.annotate", target=f"message={message_id}", intent=labelled.intent)
    # Already in the session's identity map: annotate() loaded it.
    message = await ctx.db.get(MessageLog, message_id)
    assert message is not None
    return RedirectResponse(f"/conversations/{message.resident_id}#m{message_id}", 303)


async def annotations_page(ctx: Ctx) -> Response:
    """List the annotations, the latest exports and retraining runs."""
    runs = await retrain.latest_runs(ctx.db)
    running = any(run.status == RetrainStatus.RUNNING for run in runs)
    return ctx.render(
        "annotations.html",
        rows=await annotation.recent(ctx.db, hub_scope=ctx.member.hub_scope),
        exports=await annotation.latest_exports(ctx.db),
        runs=runs,
        running=running,
        config=_shown_path(ctx.state.retrainer.config),
    )


def _shown_path(path: Path) -> str:
    """Return a path relative to the checkout where it is inside it."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


async def export(ctx: Ctx) -> Response:
    """Write the new annotations to nlu_data/data/<lang>/annotated.yml."""
    report = await annotation.export_pending(ctx.db, nlu_data_dir=ctx.state.settings.nlu_data_dir)
    counts = export_detail(report)
    ctx.audit(
        "annotations.export",
        written=counts["written"],
        already_trained=counts["already_trained"],
        refused=counts["refused"],
    )
    return RedirectResponse("/annotations", status_code=303)


async def start_retraining(ctx: Ctx) -> Response:
    """Start exporting, training, measuring and (if not worse) loading in the background."""
    run = await ctx.state.retrainer.start(staff_id=ctx.member.staff_id)
    if run is None:
        return ctx.refuse(409, ctx._("A retraining is already running."))
    ctx.audit("nlu.retrain", target=f"run={run.id}")
    return RedirectResponse("/annotations", status_code=303)


routes = [
    page(
        "/messages/{message_id:int}/annotate",
        annotate,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
    page("/annotations", annotations_page, access=StaffRole.COORDINATOR),
    page("/annotations/export", export, access=StaffRole.COORDINATOR, methods=["POST"]),
    page(
        "/annotations/retrain",
        start_retraining,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
]
