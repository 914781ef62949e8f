"""The needs report per hub and period, as a page with charts and as CSV."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from dashboard import charts, needs
from dashboard.conversations import parse_date
from dashboard.deps import Ctx, page
from db.base import utcnow
from db.models import Hub, StaffRole


async def _report(ctx: Ctx) -> needs.NeedsReport:
    params = ctx.request.query_params
    default_since, default_until = needs.default_period(utcnow().date())
    since = parse_date(params.get("since")) or default_since
    until = parse_date(params.get("until")) or default_until
    if until < since:
        since, until = until, since
    hub = params.get("hub", "")[:40]
    scope = ctx.member.hub_scope
    if scope is not None:
        # A member of one hub sees that hub's report only.
        hub = await ctx.db.scalar(select(Hub.slug).where(Hub.id == scope)) or ""
    return await needs.build_report(ctx.db, hub=hub, since=since, until=until)


async def needs_report(ctx: Ctx) -> Response:
    """Show what residents asked about and want to take part in."""
    report = await _report(ctx)
    hubs = list(await ctx.db.scalars(select(Hub.slug).order_by(Hub.slug)))
    return ctx.render(
        "needs.html",
        report=report,
        hubs=hubs,
        topic_chart=charts.bar_chart(report.by_topic[:15], title=ctx._("Questions by topic")),
        language_chart=charts.bar_chart(
            report.by_language, title=ctx._("Questions by language"), colour=1
        ),
        programme_chart=charts.bar_chart(
            report.applications, title=ctx._("Applications by programme"), colour=2
        ),
        wish_chart=charts.bar_chart(report.wishes, title=ctx._("Talent wishes"), colour=3),
        attendance_chart=charts.bar_chart(
            [needs.Count(event.title, event.going) for event in report.events],
            title=ctx._("Places taken per event"),
            colour=4,
        ),
    )


async def needs_csv(ctx: Ctx) -> Response:
    """Download the needs report as CSV, safe to open in a spreadsheet."""
    report = await _report(ctx)
    ctx.audit("report.export", target=f"hub={report.hub or 'all'}")
    filename = f"needs-{report.hub or 'all'}-{report.since}-{report.until}.csv"
    return Response(
        needs.report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


routes = [
    page("/reports/needs", needs_report, access=StaffRole.COORDINATOR),
    page("/reports/needs.csv", needs_csv, access=StaffRole.COORDINATOR),
]
