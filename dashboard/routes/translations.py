"""Translations: the review queue of machine translations, and what content lacks languages."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from bot.i18n import LANGUAGES, is_rtl
from dashboard import content, translations
from dashboard.content_kinds import KINDS
from dashboard.deps import Ctx, page
from db.models import StaffRole


def _page_number(value: str) -> int:
    try:
        return max(int(value), 0)
    except ValueError:
        return 0


async def review_queue(ctx: Ctx) -> Response:
    """List machine translations, the source beside each, filtered by language."""
    params = dict(ctx.request.query_params)
    filters = translations.QueueFilter.from_query(params)
    page_number = _page_number(params.get("page", "0"))
    entries, total = await translations.queue(ctx.db, filters=filters, page=page_number)
    return ctx.render(
        "translations.html",
        entries=entries,
        total=total,
        filters=filters,
        page=page_number,
        page_size=translations.PAGE_SIZE,
        waiting=await translations.waiting_by_language(ctx.db),
        languages=LANGUAGES,
        is_rtl=is_rtl,
        may_review=ctx.member.may(StaffRole.COORDINATOR),
    )


async def review(ctx: Ctx) -> Response:
    """Approve a translation as it is, or store a correction and approve that."""
    entry_id = int(ctx.request.path_params["entry_id"])
    text = None
    if ctx.form is not None and "text" in ctx.form:
        text = ctx.field("text").replace("\r\n", "\n").strip()
        if not text:
            return ctx.refuse(400, ctx._("A translation cannot be empty."))
        if len(text) > translations.MAX_LENGTH:
            message = ctx._("A translation may have at most {limit} characters.")
            return ctx.refuse(400, message.format(limit=translations.MAX_LENGTH))
    done = await translations.approve(ctx.db, entry_id=entry_id, text=text)
    if done is None:
        return ctx.refuse(404, ctx._("There is no such translation."))
    detail: dict[str, Any] = {"corrected": done.corrected}
    if done.corrected:
        detail["from"] = done.before[: content.AUDIT_TEXT]
        detail["to"] = done.entry.text[: content.AUDIT_TEXT]
    ctx.audit("translation.review", target=f"translation={entry_id}", **detail)
    filters = translations.QueueFilter.from_query(
        {
            "language": ctx.field("language"),
            "source": ctx.field("source"),
            "reviewed": ctx.field("reviewed"),
        }
    )
    return RedirectResponse(f"/translations?{filters.query_string()}", status_code=303)


async def missing(ctx: Ctx) -> Response:
    """Show per hub which content items lack which languages."""
    report = await content.missing_report(ctx.db, viewer=ctx.member)
    return ctx.render("missing.html", report=report, kinds=KINDS, languages=LANGUAGES)


routes = [
    page("/translations", review_queue, access=StaffRole.STAFF),
    page("/translations/missing", missing, access=StaffRole.STAFF),
    page(
        "/translations/{entry_id:int}",
        review,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
]
