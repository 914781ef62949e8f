"""Inline keyboards; callback data is short, stable and matched, never the label."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote_plus

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Language, Translator
from db.models import Hub
from flows import Ask, StepType

CALLBACK_DATA_LIMIT = 64

LANGUAGE_PREFIX = "lang:"
SWITCH_LANGUAGE_PREFIX = "switch:"
HUB_PREFIX = "hub:"
CONSENT_ACCEPT = "f:consent:c:yes"
CONSENT_DECLINE = "f:consent:c:no"
MENU_PREFIX = "menu:"
MENU_ASK = "menu:ask"
MENU_PROGRAMMES = "menu:programmes"
MENU_EVENTS = "menu:events"
MENU_PERSON = "menu:person"
MENU_SETTINGS = "menu:settings"
MENU_MAIN = "menu:main"
MENU_APPLICATIONS = "menu:applications"
SETTINGS_LANGUAGE = "settings:language"
SETTINGS_HUB = "settings:hub"
SETTINGS_PRIVACY = "settings:privacy"
SETTINGS_DELETE = "settings:delete"
TOPIC_PREFIX = "topic:"
HANDOVER_END = "handover:end"
FEEDBACK_PREFIX = "fb:"
DELETE_CONFIRM = "delete:yes"
DELETE_CANCEL = "delete:no"
FLOW_PREFIX = "f:"
FLOW_RESUME = "f:-:r:continue"
FLOW_RESTART = "f:-:r:restart"
PROGRAMME_PREFIX = "prog:"
WITHDRAW_PREFIX = "app:withdraw:"
TALENT_START = "talent:start"
EVENT_PREFIX = "ev:"


def button(label: str, data: str) -> InlineKeyboardButton:
    """Return a callback button, refusing data Telegram would reject."""
    if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    )


def language_picker(languages: Sequence[Language]) -> InlineKeyboardMarkup:
    """Offer every language by its own name, two a row for small screens."""
    return _rows([button(lang.native_name, LANGUAGE_PREFIX + lang.code) for lang in languages], 2)


def hub_picker(hubs: Sequence[Hub], language: str) -> InlineKeyboardMarkup:
    """Offer the hubs by their names in the resident's language."""
    return _rows([button(hub.name_in(language), HUB_PREFIX + hub.slug) for hub in hubs], 1)


def _translated(
    _: Translator, entries: Sequence[tuple[str, str]], per_row: int
) -> InlineKeyboardMarkup:
    return _rows([button(_.gettext(label), data) for label, data in entries], per_row)


def main_menu(_: Translator) -> InlineKeyboardMarkup:
    """Return the main menu."""
    return _translated(
        _,
        [
            (N_("Ask a question"), MENU_ASK),
            (N_("Programmes"), MENU_PROGRAMMES),
            (N_("Events"), MENU_EVENTS),
            (N_("Talk to a person"), MENU_PERSON),
            (N_("Settings"), MENU_SETTINGS),
        ],
        2,
    )


def settings_menu(_: Translator) -> InlineKeyboardMarkup:
    """Return the settings menu."""
    return _translated(
        _,
        [
            (N_("Language"), SETTINGS_LANGUAGE),
            (N_("Hub"), SETTINGS_HUB),
            (N_("Privacy"), SETTINGS_PRIVACY),
            (N_("Delete my data"), SETTINGS_DELETE),
            (N_("Back to the menu"), MENU_MAIN),
        ],
        2,
    )


def delete_confirmation(_: Translator) -> InlineKeyboardMarkup:
    """Ask to confirm erasing everything."""
    return _translated(
        _,
        [(N_("Yes, delete everything"), DELETE_CONFIRM), (N_("No, keep it"), DELETE_CANCEL)],
        1,
    )


def suggestions(
    _: Translator, intents: Sequence[str], labels: dict[str, str]
) -> InlineKeyboardMarkup:
    """Offer the likeliest topics, then a person, one a row."""
    entries = [(labels[intent], TOPIC_PREFIX + intent) for intent in intents if intent in labels]
    entries = [entry for entry in entries if entry[1] != TOPIC_PREFIX + "human_handover"]
    entries.append((labels["human_handover"], MENU_PERSON))
    return _translated(_, entries, 1)


def end_handover(_: Translator) -> InlineKeyboardMarkup:
    """Let the resident go back to hubbot's own answers."""
    return _translated(_, [(N_("Back to hubbot"), HANDOVER_END)], 1)


def answer(
    _: Translator,
    *,
    question_id: int | None,
    website: str | None,
    address: str | None,
    switch_to: Language | None = None,
) -> InlineKeyboardMarkup:
    """Offer the service's website and map, "Was this helpful?", a person, and the menu.

    `switch_to`: the language the question was written in, when it is not the resident's
    chosen one (the answer is in it); a button offers to keep it for good.
    """
    rows: list[list[InlineKeyboardButton]] = []
    links = []
    if website:
        links.append(InlineKeyboardButton(_.gettext("Website"), url=website))
    if address:
        map_url = "https://www.openstreetmap.org/search?query=" + quote_plus(address)
        links.append(InlineKeyboardButton(_.gettext("Map"), url=map_url))
    if links:
        rows.append(links)
    if question_id is not None:
        rows.append(
            [
                button("👍 " + _.gettext("Helpful"), f"{FEEDBACK_PREFIX}1:{question_id}"),
                button("👎 " + _.gettext("Not helpful"), f"{FEEDBACK_PREFIX}0:{question_id}"),
            ]
        )
    if switch_to is not None:
        label = _.gettext("Always answer me in {language}").format(language=switch_to.native_name)
        rows.append([button("🌐 " + label, SWITCH_LANGUAGE_PREFIX + switch_to.code)])
    rows.append([button(_.gettext("Talk to a person"), MENU_PERSON)])
    rows.append([button(_.gettext("Back to the menu"), MENU_MAIN)])
    return InlineKeyboardMarkup(rows)


def without_row(markup: InlineKeyboardMarkup, data_prefix: str) -> InlineKeyboardMarkup:
    """Return the keyboard without the rows whose buttons' data starts with a prefix."""
    return InlineKeyboardMarkup(
        [
            row
            for row in markup.inline_keyboard
            if not any(str(key.callback_data or "").startswith(data_prefix) for key in row)
        ]
    )


def crisis(_: Translator) -> InlineKeyboardMarkup:
    """After the emergency numbers: a person, or the menu."""
    return _translated(
        _, [(N_("Talk to a person"), MENU_PERSON), (N_("Back to the menu"), MENU_MAIN)], 1
    )


def flow_step(_: Translator, ask: Ask, *, translate_options: bool) -> InlineKeyboardMarkup:
    """Offer a flow step's options (✓ on chosen ones), then Done, Skip, Back and Cancel."""
    step = ask.step
    rows: list[list[InlineKeyboardButton]] = []
    prefix = f"{FLOW_PREFIX}{step.id}:"
    for option in ask.options:
        label = _.gettext(option.label) if translate_options else option.label
        if step.type is StepType.MULTI_SELECT:
            mark = "✓ " if option.value in ask.selected else ""
            rows.append([button(mark + label, f"{prefix}t:{option.value}")])
        else:
            rows.append([button(label, f"{prefix}c:{option.value}")])
    if step.type is StepType.MULTI_SELECT:
        rows.append([button(_.gettext("Done"), f"{prefix}d:")])
    if step.optional:
        rows.append([button(_.gettext("Skip"), f"{prefix}s:")])
    controls = [button(_.gettext("Cancel"), f"{prefix}x:")]
    if ask.can_go_back:
        controls.insert(0, button("← " + _.gettext("Back"), f"{prefix}b:"))
    rows.append(controls)
    return InlineKeyboardMarkup(rows)


def flow_resume(_: Translator) -> InlineKeyboardMarkup:
    """Ask whether to go on with a flow left earlier or to start it again."""
    return _translated(_, [(N_("Continue"), FLOW_RESUME), (N_("Start again"), FLOW_RESTART)], 2)


def programme_offer(_: Translator, run_id: int) -> InlineKeyboardMarkup:
    """Offer Apply, More about it and Not for me under a recommended programme."""
    prefix = f"{PROGRAMME_PREFIX}"
    return InlineKeyboardMarkup(
        [
            [button(_.gettext("Apply"), f"{prefix}apply:{run_id}")],
            [
                button(_.gettext("More about it"), f"{prefix}more:{run_id}"),
                button(_.gettext("Not for me"), f"{prefix}no:{run_id}"),
            ],
        ]
    )


def programme_details(_: Translator, run_id: int) -> InlineKeyboardMarkup:
    """Offer Apply under a programme's details."""
    return _rows([button(_.gettext("Apply"), f"{PROGRAMME_PREFIX}apply:{run_id}")], 1)


def withdraw(_: Translator, application_id: int) -> InlineKeyboardMarkup:
    """Offer to withdraw an application."""
    return _rows([button(_.gettext("Withdraw"), f"{WITHDRAW_PREFIX}{application_id}")], 1)


def programmes_menu(_: Translator) -> InlineKeyboardMarkup:
    """Offer the talent intake under the programme overview."""
    return _translated(
        _,
        [(N_("Find my programme"), TALENT_START), (N_("My applications"), MENU_APPLICATIONS)],
        1,
    )


def event(
    _: Translator, event_id: int, status: str | None, *, original: bool = False
) -> InlineKeyboardMarkup:
    """Offer I'll come (or Cancel my place), Details and Add to calendar under an event.

    `original`: the text was translated by a machine; a button shows what the staff wrote.
    """
    first = (
        button(_.gettext("Cancel my place"), f"{EVENT_PREFIX}cancel:{event_id}")
        if status in ("going", "waiting")
        else button(_.gettext("I'll come"), f"{EVENT_PREFIX}come:{event_id}")
    )
    return InlineKeyboardMarkup(
        [
            [first],
            [
                button(_.gettext("Details"), f"{EVENT_PREFIX}info:{event_id}"),
                button(_.gettext("Add to calendar"), f"{EVENT_PREFIX}ics:{event_id}"),
            ],
            *(
                [[button(_.gettext("Show the original"), f"{EVENT_PREFIX}orig:{event_id}")]]
                if original
                else []
            ),
        ]
    )
