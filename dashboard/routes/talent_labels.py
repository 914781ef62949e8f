"""Talent descriptions: label one with the programme it fits, export the labels as examples."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from dashboard import audit, talent_labels
from dashboard.deps import Ctx, page
from db.content_schema import PROGRAMMES
from db.models import StaffRole


async def talent_page(ctx: Ctx) -> Response:
    """List the kept descriptions with their labels and the latest exports."""
    return ctx.render(
        "talent.html",
        rows=await talent_labels.recent(ctx.db, hub_scope=ctx.member.hub_scope),
        programmes=PROGRAMMES,
        exports=await audit.latest(ctx.db, limit=5, action_prefix="talent.export"),
    )


async def label(ctx: Ctx) -> Response:
    """Label a resident's description with the programme it fits."""
    resident_id = int(ctx.request.path_params["resident_id"])
    try:
        labelled = await talent_labels.label(
            ctx.db,
            resident_id=resident_id,
            programme=ctx.field("programme"),
            text=ctx.field("text"),
            staff_id=ctx.member.staff_id,
            hub_scope=ctx.member.hub_scope,
        )
    except talent_labels.DescriptionMissing:
        return ctx.refuse(404, ctx._("There is no such description."))
    except talent_labels.LabelRefused as refused:
        return ctx.refuse(400, ctx._(refused.message))
    ctx.audit("talent.label", target=f"resident={resident_id}", programme=labelled.programme)
    return RedirectResponse(f"/talent#r{resident_id}", status_code=303)


async def export(ctx: Ctx) -> Response:
    """Append the new labels to content/skills/examples/staff/<language>.yml."""
    report = await talent_labels.export_pending(
        ctx.db, examples_dir=ctx.state.settings.content_dir / "skills" / "examples" / "staff"
    )
    ctx.audit(
        "talent.export",
        written=report.written,
        already_there=report.already_there,
        measured=report.measured,
    )
    return RedirectResponse("/talent", status_code=303)


routes = [
    page("/talent", talent_page, access=StaffRole.COORDINATOR),
    page("/talent/{resident_id:int}/label", label, access=StaffRole.COORDINATOR, methods=["POST"]),
    page("/talent/export", export, access=StaffRole.COORDINATOR, methods=["POST"]),
]
