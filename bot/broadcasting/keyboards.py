"""Buttons for subscriptions and for composing broadcasts; callback data is matched."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import LANGUAGES, N_, Translator
from bot.keyboards import button
from db.models import Broadcast, Hub, Topic

SUBSCRIBE_PREFIX = "sub:"
SUBSCRIBE_NONE = "sub:none"
SUBSCRIBE_DONE = "sub:done"
BROADCAST_PREFIX = "bc:"
ORIGINAL_PREFIX = "bcorig:"

TOPIC_LABELS: dict[str, str] = {
    Topic.EVENTS: N_("Events"),
    Topic.PROGRAMMES: N_("Programmes"),
    Topic.JOBS: N_("Jobs"),
    Topic.LANGUAGE_COURSES: N_("Language courses"),
}


def _check(on: bool) -> str:
    return "✅ " if on else "▫️ "


def subscriptions(_: Translator, chosen: Collection[str]) -> InlineKeyboardMarkup:
    """Offer every topic as a toggle, then "none" and "done"."""
    rows = [
        [button(_check(topic in chosen) + _.gettext(label), SUBSCRIBE_PREFIX + topic)]
        for topic, label in TOPIC_LABELS.items()
    ]
    rows.append(
        [
            button(_.gettext("Unsubscribe from all"), SUBSCRIBE_NONE),
            button(_.gettext("Done"), SUBSCRIBE_DONE),
        ]
    )
    return InlineKeyboardMarkup(rows)


def action(broadcast: Broadcast, name: str, argument: str = "") -> str:
    """Return the callback data of an action on a broadcast."""
    suffix = f":{argument}" if argument else ""
    return f"{BROADCAST_PREFIX}{broadcast.id}:{name}{suffix}"


def target(
    _: Translator,
    broadcast: Broadcast,
    hubs: Sequence[Hub],
    events: Sequence[tuple[int, str]] = (),
) -> InlineKeyboardMarkup:
    """Toggle the hub, topics, guests of an event, languages, critical and urgent; go on."""
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(
                _check(broadcast.hub_id is None) + _.gettext("All hubs"), action(broadcast, "hub")
            ),
            *[
                button(
                    _check(broadcast.hub_id == hub.id) + hub.name_in(_.language),
                    action(broadcast, "hub", str(hub.id)),
                )
                for hub in hubs
            ],
        ],
        [
            button(
                _check(topic in broadcast.topics) + _.gettext(label),
                action(broadcast, "topic", topic),
            )
            for topic, label in TOPIC_LABELS.items()
        ],
    ]
    rows += [
        [
            button(
                _check(broadcast.event_id == event_id)
                + _.gettext("Guests of: {event}").format(event=title)[:60],
                action(broadcast, "event", str(event_id)),
            )
        ]
        for event_id, title in events
    ]
    languages = [
        button(
            _check(language.code in broadcast.languages) + language.native_name,
            action(broadcast, "lang", language.code),
        )
        for language in LANGUAGES
    ]
    rows += [languages[i : i + 5] for i in range(0, len(languages), 5)]
    rows.append(
        [
            button(_check(broadcast.critical) + _.gettext("Critical"), action(broadcast, "crit")),
            button(_check(broadcast.urgent) + _.gettext("Urgent"), action(broadcast, "urgent")),
            button("🕒 " + _.gettext("Time"), action(broadcast, "time")),
        ]
    )
    rows.append(
        [
            button(_.gettext("Cancel"), action(broadcast, "cancel")),
            button(_.gettext("Next: translations"), action(broadcast, "next")),
        ]
    )
    return InlineKeyboardMarkup(rows)


def translation(
    _: Translator, broadcast: Broadcast, language: str, *, reviewable: bool
) -> InlineKeyboardMarkup:
    """Correct one language's text, or mark its machine translation as reviewed."""
    row = [button(_.gettext("Correct this"), action(broadcast, "fix", language))]
    if reviewable:
        row.append(button(_.gettext("Reviewed ✓"), action(broadcast, "ok", language)))
    return InlineKeyboardMarkup([row])


def confirmation(_: Translator, broadcast: Broadcast) -> InlineKeyboardMarkup:
    """Confirm and send, go back to the target, or cancel."""
    return InlineKeyboardMarkup(
        [
            [button(_.gettext("Confirm and send"), action(broadcast, "send"))],
            [
                button(_.gettext("Back"), action(broadcast, "back")),
                button(_.gettext("Cancel"), action(broadcast, "cancel")),
            ],
        ]
    )


def running(_: Translator, broadcast: Broadcast) -> InlineKeyboardMarkup:
    """Show the translations again, or cancel a queued broadcast."""
    return InlineKeyboardMarkup(
        [
            [
                button(_.gettext("Translations"), action(broadcast, "review")),
                button(_.gettext("Cancel the broadcast"), action(broadcast, "cancel")),
            ]
        ]
    )


def original(_: Translator, broadcast_id: int) -> InlineKeyboardMarkup:
    """Under a machine-translated broadcast: show what the staff wrote."""
    return InlineKeyboardMarkup(
        [[button(_.gettext("Show the original"), f"{ORIGINAL_PREFIX}{broadcast_id}")]]
    )
