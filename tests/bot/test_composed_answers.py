"""Composed answers are kept a short while: an edit reaches residents within that time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.composer import ComposedAnswers
from db import repositories
from db.models import Answer, AnswerText


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _edit_housing_answer(session: AsyncSession, text: str) -> None:
    row = await session.scalar(
        select(AnswerText)
        .join(Answer, Answer.id == AnswerText.answer_id)
        .where(Answer.intent == "housing", AnswerText.language == "uk")
    )
    assert row is not None
    row.text = text
    await session.commit()


async def test_an_edited_answer_reaches_residents_after_the_keeping_time(
    sessionmaker: async_sessionmaker[AsyncSession], demo_hubs: None
) -> None:
    clock = Clock()
    answers = ComposedAnswers(ttl_s=30, clock=clock)
    async with sessionmaker() as session:
        hub = await repositories.get_hub(session, slug="berlin")
        first = await answers.compose(session, intent="housing", language="uk", hub=hub)
        assert first is not None
        await _edit_housing_answer(session, "Нова відповідь про житло в {hub}.")
        clock.now += 29
        kept = await answers.compose(session, intent="housing", language="uk", hub=hub)
        assert kept is not None and kept.text == first.text
        # Another language or hub is composed on its own.
        german = await answers.compose(session, intent="housing", language="de", hub=hub)
        assert german is not None and german.text != first.text
        clock.now += 2
        fresh = await answers.compose(session, intent="housing", language="uk", hub=hub)
        assert fresh is not None
        assert hub is not None and fresh.text.startswith(
            f"Нова відповідь про житло в {hub.name_in('uk')}."
        )


async def test_keeping_time_zero_composes_every_time(
    sessionmaker: async_sessionmaker[AsyncSession], demo_hubs: None
) -> None:
    answers = ComposedAnswers(ttl_s=0)
    async with sessionmaker() as session:
        hub = await repositories.get_hub(session, slug="stuttgart")
        await answers.compose(session, intent="housing", language="uk", hub=hub)
        await _edit_housing_answer(session, "Інша відповідь.")
        fresh = await answers.compose(session, intent="housing", language="uk", hub=hub)
        assert fresh is not None and fresh.text.startswith("Інша відповідь.")
