"""Hub content in the dashboard: lists, one item in every language, checked saves, gaps.

A save names the version it was made on; it is stored only if nobody saved the item since
(one conditional UPDATE, so two coordinators never overwrite each other unseen), and it
bumps the version. The bot reads content from the database on every question, so a saved
text is what the next resident gets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.problems import Problem as Problem
from dashboard.accounts import Viewer
from dashboard.content_kinds import KINDS, MISSING, STATUSES, ContentKind, ItemView, LanguageVersion
from db.content_schema import ANSWER_PLACEHOLDERS, CONTENT_LANGUAGES
from db.models import Hub, StaffRole
from db.versioning import EditConflict as EditConflict
from db.versioning import bump_version

PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")
# Audit entries keep this much of an old and a new text.
AUDIT_TEXT = 300


@dataclass(frozen=True, slots=True)
class HubInfo:
    """A hub as the content pages name it."""

    id: int
    slug: str
    default_language: str


async def hubs(session: AsyncSession) -> list[HubInfo]:
    """Return every hub with its default language."""
    rows = await session.execute(select(Hub.id, Hub.slug, Hub.default_language).order_by(Hub.slug))
    return [HubInfo(hub_id, slug, language) for hub_id, slug, language in rows]


def may_view(viewer: Viewer, hub_id: int | None) -> bool:
    """Tell whether a member sees an item: their hub's, or shared by every hub."""
    scope = viewer.hub_scope
    return scope is None or hub_id is None or hub_id == scope


def may_edit(viewer: Viewer, hub_id: int | None) -> bool:
    """Tell whether a member may change an item.

    An item shared by every hub (an answer for all, a programme) changes what the other hubs
    say too, so only coordinators and admins of no single hub may change it.
    """
    if not viewer.may(StaffRole.COORDINATOR):
        return False
    scope = viewer.hub_scope
    return scope is None or hub_id == scope


def _required(item: ItemView, all_hubs: list[HubInfo]) -> frozenset[str]:
    defaults = {hub.id: hub.default_language for hub in all_hubs}
    if item.hub_id is not None:
        return item.required | {defaults.get(item.hub_id, "de")}
    return item.required | set(defaults.values())


async def list_items(
    session: AsyncSession, kind: ContentKind, *, hub_id: int | None
) -> list[ItemView]:
    """Return the items of a kind a hub uses (every item without a hub)."""
    all_hubs = await hubs(session)
    items = []
    for row in (await session.scalars(kind.query(hub_id))).unique():
        item = kind.view(row)
        item.required = _required(item, all_hubs)
        items.append(item)
    return items


async def load_item(session: AsyncSession, kind: ContentKind, item_id: int) -> Any | None:
    """Return an item's row."""
    return await session.get(kind.model, item_id)


async def view_item(session: AsyncSession, kind: ContentKind, row: Any) -> ItemView:
    """Return an item's texts with the languages it may not lack."""
    item = kind.view(row)
    item.required = _required(item, await hubs(session))
    return item


def read_form(
    kind: ContentKind, item: ItemView, value_of: Callable[[str], str | None]
) -> dict[str, LanguageVersion]:
    """Return the submitted versions; a field the form did not send keeps its text."""
    versions = {}
    for code in CONTENT_LANGUAGES:
        current = item.versions[code]
        values = {}
        for text_field in kind.fields:
            sent = value_of(f"{code}.{text_field.name}")
            raw = current.values[text_field.name] if sent is None else sent
            values[text_field.name] = raw.replace("\r\n", "\n").strip()
        status = value_of(f"{code}.status") or current.status
        if not any(values.values()):
            status = MISSING
        elif status == MISSING:
            # A language written just now by a person who chose no status.
            status = STATUSES[0]
        versions[code] = LanguageVersion(values, status)
    return versions


def check(kind: ContentKind, item: ItemView, versions: dict[str, LanguageVersion]) -> list[Problem]:
    """Return what is wrong with the submitted texts (nothing when they may be saved)."""
    problems = []
    first = kind.fields[0]
    for code, version in versions.items():
        if version.missing:
            if code in item.required:
                problems.append(
                    Problem(N_("{language}: this language may not be empty."), {"language": code})
                )
            continue
        if version.status not in STATUSES:
            problems.append(Problem(N_("{language}: unknown review status."), {"language": code}))
        if not version.values[first.name]:
            problems.append(
                Problem(
                    N_("{language}: {field} is required."), {"language": code, "field": first.label}
                )
            )
        for text_field in kind.fields:
            value = version.values[text_field.name]
            if len(value) > text_field.max_length:
                problems.append(
                    Problem(
                        N_("{language}: {field} is longer than {limit} characters."),
                        {
                            "language": code,
                            "field": text_field.label,
                            "limit": str(text_field.max_length),
                        },
                    )
                )
            if kind.name == "answers":
                unknown = sorted(set(PLACEHOLDER.findall(value)) - set(ANSWER_PLACEHOLDERS))
                if unknown:
                    problems.append(
                        Problem(
                            N_("{language}: unknown placeholder {placeholder}."),
                            {"language": code, "placeholder": unknown[0]},
                        )
                    )
    return problems


def changes(
    kind: ContentKind, item: ItemView, versions: dict[str, LanguageVersion]
) -> dict[str, dict[str, dict[str, str]]]:
    """Return what a save changes, per language and field, for the audit log."""
    changed: dict[str, dict[str, dict[str, str]]] = {}
    for code, version in versions.items():
        before = item.versions[code]
        fields = {}
        for text_field in kind.fields:
            old, new = before.values[text_field.name], version.values[text_field.name]
            if old != new:
                fields[text_field.name] = {"from": old[:AUDIT_TEXT], "to": new[:AUDIT_TEXT]}
        if before.status != version.status:
            fields["status"] = {"from": before.status, "to": version.status}
        if fields:
            changed[code] = fields
    return changed


async def save(
    session: AsyncSession,
    kind: ContentKind,
    row: Any,
    versions: dict[str, LanguageVersion],
    *,
    seen_version: int,
) -> int:
    """Store the texts and bump the version; raise EditConflict if it moved meanwhile."""
    version = await bump_version(session, row, seen_version=seen_version)
    kind.apply(row, versions)
    await session.flush()
    return version


@dataclass(frozen=True, slots=True)
class Gap:
    """A content item that lacks some languages."""

    item: ItemView
    missing: list[str]


@dataclass(frozen=True, slots=True)
class HubGaps:
    """Everything a hub's residents may meet in fewer than nine languages."""

    hub: HubInfo | None
    gaps: dict[str, list[Gap]]

    @property
    def count(self) -> int:
        """Return how many items lack a language."""
        return sum(len(gaps) for gaps in self.gaps.values())


async def missing_report(session: AsyncSession, *, viewer: Viewer) -> list[HubGaps]:
    """Return per hub (and for content shared by every hub) which items lack which languages.

    Shared items (answers for every hub, programmes) are listed once, under no hub.
    """
    report = []
    visible = [hub for hub in await hubs(session) if may_view(viewer, hub.id)]
    for hub in [None, *visible]:
        gaps: dict[str, list[Gap]] = {}
        for name, kind in KINDS.items():
            items = await list_items(session, kind, hub_id=hub.id if hub else None)
            wanted = [item for item in items if item.hub_id == (hub.id if hub else None)]
            gaps[name] = [
                Gap(item, item.missing_languages) for item in wanted if item.missing_languages
            ]
        report.append(HubGaps(hub, gaps))
    return report
