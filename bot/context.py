"""The typed context every handler receives, and the dependencies it carries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import Forbidden
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.formatting import Line, plain_text
from bot.i18n import Catalogue, Translator
from bot.outgoing import send_lines, send_text
from bot.services.answers import ContentAnswerService
from bot.services.events import EventService
from bot.services.flows import FlowService
from bot.services.language import MessageLanguage
from bot.services.nlu import NluClient
from bot.services.residents import UpdateScope, log_outgoing
from bot.services.safety import SafetyCheck
from bot.services.talent import TalentService
from bot.services.translation import TranslationService
from bot.text import for_display
from db.base import utcnow
from db.models import Resident

if TYPE_CHECKING:
    from bot.application import HubbotApplication


@dataclass(frozen=True)
class Dependencies:
    """Everything handlers need from outside, built once by the application factory."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    catalogue: Catalogue
    answers: ContentAnswerService
    http: httpx.AsyncClient
    nlu: NluClient | None
    languages: MessageLanguage
    safety: SafetyCheck
    translation: TranslationService
    talent: TalentService
    events: EventService
    flows: FlowService


class HubContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Callback context with the update's scope and the application's dependencies."""

    _scope: UpdateScope | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> HubContext:
        """Attach the scope the application opened for this update."""
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context._scope = _hubbot(application).scope_for(update)
        return context

    @property
    def deps(self) -> Dependencies:
        """Return the application's dependencies."""
        return _hubbot(self.application).deps

    @property
    def scope(self) -> UpdateScope:
        """Return this update's transaction, resident and language."""
        if self._scope is None:
            raise RuntimeError("no scope: the update was not opened by HubbotApplication")
        return self._scope

    @property
    def resident(self) -> Resident:
        """Return the resident this update came from."""
        if self.scope.resident is None:
            raise RuntimeError("this update has no resident (not a private chat)")
        return self.scope.resident

    @property
    def i18n(self) -> Translator:
        """Return the translator for the resident's language."""
        return self.scope.translator

    def use_language(self, language: str) -> Translator:
        """Switch this update's replies to a newly chosen language."""
        self.scope.translator = self.deps.catalogue.translator(language)
        return self.scope.translator

    async def say(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Send text to the resident: split to Telegram's limit, right-to-left where needed."""
        resident = self.resident
        if not await send_text(
            self.bot, resident.chat_id, text, rtl=self.i18n.rtl, keyboard=keyboard
        ):
            resident.blocked_at = utcnow()
            return
        await log_outgoing(self.scope, kind="text", text=text)

    async def say_lines(
        self, lines: Sequence[Line], keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        """Send a formatted answer as HTML, split to Telegram's limit between lines."""
        resident = self.resident
        if not await send_lines(
            self.bot, resident.chat_id, lines, rtl=self.i18n.rtl, keyboard=keyboard
        ):
            resident.blocked_at = utcnow()
            return
        await log_outgoing(self.scope, kind="text", text=plain_text(lines))

    async def send_file(self, *, data: bytes, filename: str, caption: str) -> None:
        """Send a document to the resident."""
        resident = self.resident
        try:
            await self.bot.send_document(
                resident.chat_id,
                InputFile(data, filename=filename),
                caption=for_display(caption, rtl=self.i18n.rtl),
            )
        except Forbidden:
            resident.blocked_at = utcnow()
            return
        await log_outgoing(self.scope, kind="document", text=caption)


def _hubbot(application: Application[Any, Any, Any, Any, Any, Any]) -> HubbotApplication:
    from bot.application import HubbotApplication

    if not isinstance(application, HubbotApplication):
        raise TypeError("HubContext needs a HubbotApplication")
    return application


__all__: Sequence[str] = ("Dependencies", "HubContext")
