"""The audit log page: the latest staff actions."""

from __future__ import annotations

from starlette.responses import Response

from dashboard import audit
from dashboard.deps import Ctx, page
from db.models import StaffRole


async def audit_page(ctx: Ctx) -> Response:
    """List the latest staff actions."""
    return ctx.render("audit.html", entries=await audit.latest(ctx.db, limit=300))


routes = [page("/audit", audit_page, access=StaffRole.ADMIN)]
