"""Conversations: the filtered question list, one conversation, reveal, review."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from bot.services.translation import TranslationUnavailable
from dashboard import annotation, conversations
from dashboard.deps import Ctx, page
from db.models import ReviewReason, ReviewState, StaffRole


def _int(value: str, default: int = 0) -> int:
    try:
        return max(int(value), 0)
    except ValueError:
        return default


async def question_list(ctx: Ctx) -> Response:
    """List residents' questions, filtered."""
    filters = conversations.QuestionFilter.from_query(ctx.request.query_params)
    page_number = _int(ctx.request.query_params.get("page", "0"))
    rows, total = await conversations.find_questions(
        ctx.db,
        filters=filters,
        threshold=ctx.state.settings.nlu_confidence,
        hub_scope=ctx.member.hub_scope,
        key=ctx.state.keys.pseudonym,
        page=page_number,
    )
    return ctx.render(
        "conversations.html",
        rows=rows,
        total=total,
        filters=filters,
        page=page_number,
        page_size=conversations.PAGE_SIZE,
        choices=await conversations.filter_choices(ctx.db),
        review_states=list(ReviewState),
    )


async def _conversation_page(
    ctx: Ctx,
    *,
    revealed: int | None = None,
    resident_id: int | None = None,
    translated: dict[int, str] | None = None,
    notice: str | None = None,
) -> Response:
    if resident_id is None:
        resident_id = int(ctx.request.path_params["resident_id"])
    conversation = await conversations.load_conversation(
        ctx.db,
        resident_id=resident_id,
        key=ctx.state.keys.pseudonym,
        hub_scope=ctx.member.hub_scope,
    )
    if conversation is None:
        return ctx.refuse(404, ctx._("There is no such conversation."))
    if translated:
        conversation = conversations.with_translations(
            conversation, translated, language=ctx.translator.language
        )
    may_annotate = ctx.member.may(StaffRole.COORDINATOR)
    question_ids = [message.id for message in conversation.messages if message.is_question]
    return ctx.render(
        "conversation.html",
        conversation=conversation,
        revealed=revealed,
        may_reveal=ctx.member.may(StaffRole.COORDINATOR),
        review_states=list(ReviewState),
        review_reasons=list(ReviewReason),
        may_annotate=may_annotate,
        intents=(await ctx.state.nlu_data.get()).intents if may_annotate else [],
        labels=await annotation.labels_of(ctx.db, question_ids),
        reader_language=ctx.translator.language,
        notice=notice,
    )


async def conversation(ctx: Ctx) -> Response:
    """Show one resident's messages under their pseudonym."""
    ctx.audit("conversation.view", target=f"resident={ctx.request.path_params['resident_id']}")
    return await _conversation_page(ctx)


async def reveal(ctx: Ctx) -> Response:
    """Show who is behind a pseudonym: the Telegram user id (audited)."""
    resident_id = int(ctx.request.path_params["resident_id"])
    resident = await conversations.reveal(ctx.db, resident_id=resident_id)
    if resident is None:
        return ctx.refuse(404, ctx._("There is no such conversation."))
    response = await _conversation_page(ctx, revealed=resident.telegram_user_id)
    if response.status_code == 200:
        ctx.audit("conversation.reveal", target=f"resident={resident_id}")
    return response


async def review(ctx: Ctx) -> Response:
    """Set a question's review state and reason."""
    message_id = int(ctx.request.path_params["message_id"])
    try:
        state = ReviewState(ctx.field("state"))
        reason = ReviewReason(ctx.field("reason")) if ctx.field("reason") else None
    except ValueError:
        return ctx.refuse(400, ctx._("Unknown review state or reason."))
    message = await conversations.set_review(
        ctx.db,
        message_id=message_id,
        state=state,
        reason=reason,
        staff_id=ctx.member.staff_id,
        hub_scope=ctx.member.hub_scope,
    )
    if message is None:
        return ctx.refuse(404, ctx._("There is no such question."))
    ctx.audit("message.review", target=f"message={message_id}", state=state, reason=reason)
    return RedirectResponse(f"/conversations/{message.resident_id}#m{message_id}", status_code=303)


async def translate(ctx: Ctx) -> Response:
    """Show one resident message translated into the viewer's language, on request.

    Nothing is stored: the translation goes to the page only (the resident's words stay out of
    the translation memory), and the request is audited like a view.
    """
    message_id = int(ctx.request.path_params["message_id"])
    message = await conversations.message_of(
        ctx.db, message_id=message_id, hub_scope=ctx.member.hub_scope
    )
    if message is None or message.text is None:
        return ctx.refuse(404, ctx._("There is no such question."))
    target = ctx.translator.language
    ctx.audit("message.translate", target=f"message={message_id}", language=target)
    try:
        result = await ctx.state.translation.translate(
            ctx.db, message.text, source=message.language or "", target=target, remember=False
        )
    except TranslationUnavailable:
        return await _conversation_page(
            ctx,
            resident_id=message.resident_id,
            notice=ctx._("Automatic translation is not available right now."),
        )
    return await _conversation_page(
        ctx, resident_id=message.resident_id, translated={message_id: result.text}
    )


routes = [
    page("/conversations", question_list, access=StaffRole.STAFF),
    page("/conversations/{resident_id:int}", conversation, access=StaffRole.STAFF),
    page(
        "/conversations/{resident_id:int}/reveal",
        reveal,
        access=StaffRole.COORDINATOR,
        methods=["POST"],
    ),
    page("/messages/{message_id:int}/review", review, access=StaffRole.STAFF, methods=["POST"]),
    page(
        "/messages/{message_id:int}/translate",
        translate,
        access=StaffRole.STAFF,
        methods=["POST"],
    ),
]
