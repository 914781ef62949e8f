"""Texts that several handlers send: help, hub contact details, the privacy notice."""

from __future__ import annotations

from bot.i18n import N_, Translator
from db.models import ConsentDecision, Hub, Resident

# (command, description) in the order /help and Telegram's command menu show them.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start again")),
    ("help", N_("What hubbot can do")),
    ("language", N_("Change the language")),
    ("hub", N_("Choose your hub")),
    ("events", N_("What is on at the hub")),
    ("talent", N_("Find a programme for your talents")),
    ("myapplications", N_("Your programme applications")),
    ("cancel", N_("Stop the current questions")),
    ("privacy", N_("What is stored about you")),
    ("mydata", N_("Download your data")),
    ("delete", N_("Delete your data")),
    ("subscribe", N_("News from your hub")),
    ("unsubscribe", N_("Stop news")),
)


def help_text(_: Translator) -> str:
    """Return the help text with every command."""
    lines = [
        _.gettext(
            "hubbot is the assistant of the Integration Hub: one place to ask about housing, "
            "German courses, jobs, documents, health and benefits, to find programmes for "
            "your talents and to hear what is on at the hub."
        ),
        "",
    ]
    lines += [f"/{command} – {_.gettext(description)}" for command, description in COMMANDS]
    return "\n".join(lines)


def hub_contact(_: Translator, hub: Hub | None) -> str:
    """Return how to reach the hub's team in person."""
    if hub is None:
        return _.gettext("Choose your hub with /hub to see how to reach its team.")
    lines = [hub.name_in(_.language), hub.address]
    hours = hub.opening_hours_in(_.language)
    if hours:
        lines.append(_.gettext("Opening hours: {hours}").format(hours=hours))
    if hub.phone:
        lines.append(_.gettext("Phone: {phone}").format(phone=hub.phone))
    if hub.email:
        lines.append(_.gettext("E-mail: {email}").format(email=hub.email))
    return "\n".join(line for line in lines if line)


def consent_notice(_: Translator) -> str:
    """Return the short privacy question asked during /start."""
    return _.gettext(
        "Privacy: hubbot stores your Telegram ID, your language and your hub so that it can "
        "answer you. May it also keep the text of your messages, so that the hub team can "
        "improve the answers? You can use hubbot either way.\n\n"
        "/privacy explains more, /delete erases everything."
    )


def privacy_text(_: Translator, resident: Resident, *, consent_version: int) -> str:
    """Return what is stored about the resident, why, and their current choice."""
    stored = _.gettext(
        "What hubbot stores about you, and why:\n"
        "• your Telegram user and chat ID, so that hubbot can reply to you;\n"
        "• the language and hub you chose, so that answers fit you;\n"
        "• when you wrote and in which language, so that the hub sees what people need;\n"
        "• the text of your messages and of hubbot's replies, only if you agree, so that "
        "the team can improve the answers.\n\n"
        "hubbot never stores your name or phone number and shares nothing with others. "
        "/mydata sends you everything stored; /delete erases it all."
    )
    if resident.stores_text(consent_version):
        choice = _.gettext("Your choice: hubbot keeps the text of your messages.")
    elif resident.consent_decision == ConsentDecision.DECLINED:
        choice = _.gettext("Your choice: hubbot does not keep the text of your messages.")
    else:
        choice = _.gettext("You have not decided yet whether hubbot may keep your texts.")
    return f"{stored}\n\n{choice}"


# How a topic is named on a "Did you mean ...?" button.
INTENT_LABELS: dict[str, str] = {
    "greet": N_("Say hello"),
    "goodbye": N_("Say goodbye"),
    "thanks": N_("Say thanks"),
    "bot_capabilities": N_("What hubbot can do"),
    "hub_info": N_("Opening hours and address"),
    "housing": N_("Housing"),
    "language_course": N_("German courses"),
    "job_support": N_("Work and training"),
    "qualification_recognition": N_("Recognition of degrees"),
    "legal_advice": N_("Asylum and residence"),
    "health": N_("Health"),
    "childcare_school": N_("Childcare and school"),
    "documents_help": N_("Letters and forms"),
    "money_benefits": N_("Money and benefits"),
    "programmes_info": N_("Programmes"),
    "offer_talent": N_("Offer my talents"),
    "events": N_("Events"),
    "volunteer": N_("Volunteering"),
    "human_handover": N_("Talk to a person"),
    "delete_my_data": N_("Delete my data"),
    "out_of_scope": N_("Something else"),
}
