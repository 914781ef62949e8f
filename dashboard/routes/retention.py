"""Retention: when message texts are deleted, the last runs, and a run on demand."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from dashboard import audit
from dashboard.deps import Ctx, page
from dashboard.retention import run_retention
from db.models import StaffRole


async def retention_page(ctx: Ctx) -> Response:
    """Show the retention period and the latest runs."""
    runs = await audit.latest(ctx.db, limit=20, action_prefix="retention.")
    return ctx.render("retention.html", days=ctx.state.settings.retention_days, runs=runs)


async def retention_run(ctx: Ctx) -> Response:
    """Run the retention job now."""
    await run_retention(
        ctx.state.sessionmaker,
        days=ctx.state.settings.retention_days,
        actor=ctx.member.email,
        staff_id=ctx.member.staff_id,
    )
    # run_retention wrote its own audit entry, with the number of texts deleted.
    ctx.audited = True
    return RedirectResponse("/retention", status_code=303)


routes = [
    page("/retention", retention_page, access=StaffRole.ADMIN),
    page("/retention/run", retention_run, access=StaffRole.ADMIN, methods=["POST"]),
]
