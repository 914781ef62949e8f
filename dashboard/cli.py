"""What the `hubbot dashboard`, `hubbot staff add` and `hubbot retention run` commands do."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.nlu_export import ExportReport
from dashboard import accounts, annotation, audit
from dashboard.retention import run_retention
from db.engine import create_engine, create_sessionmaker, one_session
from db.models import StaffRole


async def add_staff(
    settings: Settings,
    *,
    email: str,
    role: StaffRole,
    password: str,
    name: str | None,
    telegram_user_id: int | None,
    hub: str | None,
) -> str:
    """Create or update a staff account (audited); return a line to print."""
    async with one_session(settings.database_url) as session:
        staff = await accounts.add_account(
            session,
            email=email,
            role=role,
            password=password,
            name=name,
            telegram_user_id=telegram_user_id,
            hub_slug=hub,
        )
        audit.record(
            session,
            actor="hubbot staff add",
            action="staff.add",
            target=staff.email,
            detail={"role": role.value, "hub": hub},
        )
        await session.commit()
    return f"Staff account {staff.email} ({role.value}) is ready."


async def retention_once(settings: Settings) -> int:
    """Run the retention job once; return how many texts were deleted."""
    engine = create_engine(settings.database_url)
    try:
        factory: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)
        return await run_retention(factory, days=settings.retention_days, actor="hubbot retention")
    finally:
        await engine.dispose()


async def export_annotations(settings: Settings) -> ExportReport:
    """Export the annotations not yet exported into nlu_data/ (audited)."""
    async with one_session(settings.database_url) as session:
        report = await annotation.export_pending(session, nlu_data_dir=settings.nlu_data_dir)
        audit.record(
            session,
            actor="hubbot nlu export-annotations",
            action="annotations.export",
            detail=export_detail(report),
        )
        await session.commit()
    return report


def export_detail(report: ExportReport) -> dict[str, int]:
    """Return the counts of an export for the audit log."""
    return {
        "written": len(report.written),
        "already_trained": len(report.already_trained),
        "refused": len(report.refused),
    }
