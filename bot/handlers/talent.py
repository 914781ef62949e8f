"""Talents: the intake, programme recommendations, applying, and /myapplications."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from babel.dates import format_date
from telegram import Update
from telegram.error import TelegramError

from bot import keyboards
from bot.context import HubContext
from bot.handlers import flows
from bot.i18n import LANGUAGE_BY_CODE, N_, Translator, babel_locale
from bot.services.matching import TIME_LABELS
from bot.services.talent import INTAKE, OTHER_LANGUAGES, TalentService
from bot.services.translation import TranslationUnavailable
from db import repositories
from db.models import Application, ApplicationStatus, ProgrammeRun, Resident, TalentProfile

logger = logging.getLogger(__name__)

STAGE_LABELS = {
    "idea": N_("Idea"),
    "team": N_("Team"),
    "prototype": N_("Prototype"),
    "launch": N_("Launch"),
}


async def talent_command(update: Update, context: HubContext) -> None:
    """Start the talent intake."""
    await start_intake(context)


async def start_button(update: Update, context: HubContext) -> None:
    """Start the talent intake from the programmes menu."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await start_intake(context)


async def show_programmes(context: HubContext) -> None:
    """List the programmes of the resident's hub and offer the intake."""
    _ = context.i18n
    hub_id = context.resident.hub_id
    runs = await repositories.hub_runs(context.scope.session, hub_id=hub_id) if hub_id else []
    lines = [_.gettext("The hub's incubator programmes: free, for newcomers and locals.")]
    lines += [
        f"• {run.programme.text_in('names', _.language)}: "
        f"{run.programme.text_in('summaries', _.language)}"
        for run in runs
    ]
    lines += ["", _.gettext("Tell me what you can do, and I will show you which ones fit.")]
    await context.say("\n".join(lines), keyboards.programmes_menu(_))


async def start_intake(context: HubContext, description: str | None = None) -> None:
    """Begin the intake; a message that already describes skills answers its first question."""
    _ = context.i18n
    await context.say(
        _.gettext(
            "Your talents are welcome here! I will ask a few short questions and then show "
            "you the hub's programmes that fit. You can go back or /cancel at any time."
        )
    )
    own = context.resident.language
    state = await flows.start_flow(context, INTAKE, {"languages": [own] if own else []})
    matcher = context.deps.talent.matcher
    if description and matcher.understand(description, context.i18n.language):
        await flows.answer_typed(context, state, description)


async def intake_finished(context: HubContext, answers: Mapping[str, Any]) -> None:
    """Store the profile and show the three programmes that fit best."""
    _ = context.i18n
    service = context.deps.talent
    session, resident = context.scope.session, context.resident
    profile = await service.save_profile(session, resident, answers)
    offers = await service.recommend(session, resident, answers, profile)
    if not offers:
        await context.say(
            _.gettext("Thank you! Your hub has no programmes in hubbot yet; the team will help."),
            keyboards.main_menu(_),
        )
        return
    await context.say(
        _.gettext("Thank you! These programmes of your hub fit you best:")
        if profile.skills or profile.wishes
        else _.gettext("Thank you! Here are programmes of your hub you could look at:")
    )
    for offer in offers:
        programme = offer.run.programme
        text = (
            f"{programme.text_in('names', _.language)}\n"
            f"{programme.text_in('summaries', _.language)}\n\n"
            f"💡 {offer.recommendation.reason(_)}"
        )
        await context.say(text, keyboards.programme_offer(_, offer.run.id))


async def programme_button(update: Update, context: HubContext) -> None:
    """Apply to, read more about, or set aside a recommended programme."""
    query = update.callback_query
    assert query is not None
    action, _sep, run_id = (
        (query.data or "").removeprefix(keyboards.PROGRAMME_PREFIX).partition(":")
    )
    _ = context.i18n
    session = context.scope.session
    run = await repositories.get_run(session, run_id=int(run_id)) if run_id.isdigit() else None
    if run is None:
        await query.answer(_.gettext("This programme is no longer offered."))
        return
    if action == "apply":
        await query.answer()
        await apply(context, run)
    elif action == "more":
        await query.answer()
        await context.say(programme_details(_, run), keyboards.programme_details(_, run.id))
    else:
        await context.deps.talent.decline(session, context.resident, run.programme.slug)
        await query.answer(_.gettext("All right, I will not suggest it again."))
        try:
            await query.edit_message_reply_markup(None)
        except TelegramError:
            pass


async def apply(context: HubContext, run: ProgrammeRun) -> None:
    """Store an application, tell the coordinator in the staff chat, and confirm."""
    _ = context.i18n
    session, resident = context.scope.session, context.resident
    if run.hub_id != resident.hub_id:
        await context.say(_.gettext("This programme is not offered at your hub."))
        return
    application, new = await context.deps.talent.apply(session, resident, run)
    name = run.programme.text_in("names", _.language)
    if not new:
        await context.say(
            _.gettext("You have already applied to {programme}.").format(programme=name),
            keyboards.withdraw(_, application.id),
        )
        return
    profile = await repositories.get_talent_profile(session, resident=resident)
    await _notify_coordinator(context, application, run, profile)
    await context.say(
        _.gettext(
            "Done: you applied to {programme}. {coordinator} from the programme team will get "
            "your skills, languages and times and contact you here. /myapplications shows "
            "your applications; you can withdraw there."
        ).format(programme=name, coordinator=run.coordinator_name),
        keyboards.main_menu(_),
    )


def programme_details(_: Translator, run: ProgrammeRun) -> str:
    """Describe a programme at a hub: what it is, when it meets, its stages, who runs it."""
    programme = run.programme
    locale = babel_locale(_.language)
    stages = "\n".join(
        "• "
        + _.gettext("{stage}: {start} – {end}").format(
            stage=_.gettext(STAGE_LABELS.get(stage.stage, stage.stage)),
            start=format_date(stage.starts, format="medium", locale=locale),
            end=format_date(stage.ends, format="medium", locale=locale),
        )
        for stage in run.stages
    )
    times = ", ".join(_.gettext(TIME_LABELS[time]) for time in run.times if time in TIME_LABELS)
    languages = ", ".join(_language_name(code) for code in run.languages)
    return "\n".join(
        [
            programme.text_in("names", _.language),
            "",
            programme.text_in("descriptions", _.language),
            "",
            _.gettext("When: {times}").format(times=times),
            _.gettext("Languages: {languages}").format(languages=languages),
            _.gettext("Places: {count}").format(count=run.capacity),
            _.gettext("Coordinator: {name}").format(name=run.coordinator_name),
            "",
            _.gettext("Stages:"),
            stages,
        ]
    )


async def myapplications_command(update: Update, context: HubContext) -> None:
    """List the resident's applications, each with a Withdraw button."""
    await show_applications(context)


async def show_applications(context: HubContext) -> None:
    """List the resident's applications."""
    _ = context.i18n
    applications = await repositories.resident_applications(
        context.scope.session, resident=context.resident
    )
    if not applications:
        await context.say(
            _.gettext("You have not applied to any programme yet."),
            keyboards.programmes_menu(_),
        )
        return
    for application in applications:
        await context.say(
            _application_line(_, application),
            keyboards.withdraw(_, application.id)
            if application.status == ApplicationStatus.SUBMITTED
            else None,
        )


async def withdraw_button(update: Update, context: HubContext) -> None:
    """Withdraw an application."""
    query = update.callback_query
    assert query is not None
    _ = context.i18n
    raw = (query.data or "").removeprefix(keyboards.WITHDRAW_PREFIX)
    application = (
        await context.deps.talent.withdraw(context.scope.session, context.resident, int(raw))
        if raw.isdigit()
        else None
    )
    await query.answer()
    if application is None:
        await context.say(_.gettext("This application was not found."))
        return
    try:
        await query.edit_message_text(_application_line(_, application))
    except TelegramError:
        pass
    await context.say(
        _.gettext("Your application to {programme} is withdrawn.").format(
            programme=application.run.programme.text_in("names", _.language)
        )
    )
    await _tell_staff(context, application)


def _application_line(_: Translator, application: Application) -> str:
    name = application.run.programme.text_in("names", _.language)
    day = format_date(application.created_at, format="medium", locale=babel_locale(_.language))
    status = (
        _.gettext("applied on {date}")
        if application.status == ApplicationStatus.SUBMITTED
        else _.gettext("withdrawn (applied on {date})")
    ).format(date=day)
    return f"{name}: {status}"


def _language_name(code: str) -> str:
    language = LANGUAGE_BY_CODE.get(code)
    if language is not None:
        return language.native_name
    return dict(OTHER_LANGUAGES).get(code, code)


async def _notify_coordinator(
    context: HubContext,
    application: Application,
    run: ProgrammeRun,
    profile: TalentProfile | None,
) -> None:
    staff = context.deps.catalogue.translator(context.deps.settings.staff_language)
    summary = coordinator_summary(
        staff, application, run, profile, context.resident, context.deps.talent
    )
    if profile is not None:
        for words in (profile.description, profile.wishes_text):
            if words:
                summary += "\n" + await _in_staff_language(context, words, staff)
    await _send_to_staff(context, summary)


def coordinator_summary(
    staff: Translator,
    application: Application,
    run: ProgrammeRun,
    profile: TalentProfile | None,
    resident: Resident,
    talent: TalentService,
) -> str:
    """Summarise an application for its coordinator, in the staff language."""
    skills = wishes = ""
    if profile is not None:
        names = talent.host.skills
        skills = ", ".join(skill.name_in(staff.language) for skill in names(profile.skills))
        wishes = ", ".join(skill.name_in(staff.language) for skill in names(profile.wishes))
    times = ", ".join(
        staff.gettext(TIME_LABELS[time]) for time in (profile.times if profile else [])
    )
    languages = ", ".join(_language_name(code) for code in (profile.languages if profile else []))
    lines = [
        staff.gettext("New application A{number} to {programme} – for {coordinator}").format(
            number=application.id,
            programme=run.programme.text_in("names", staff.language),
            coordinator=run.coordinator_name,
        ),
        staff.gettext("Skills: {skills}").format(skills=skills or "–"),
        staff.gettext("Would like to: {wishes}").format(wishes=wishes or "–"),
        staff.gettext("Languages: {languages}").format(languages=languages or "–"),
        staff.gettext("When: {times}").format(times=times or "–"),
        staff.gettext("Writes in: {language}").format(
            language=_language_name(resident.language or "–")
        ),
        (
            staff.gettext("May be contacted on Telegram: yes")
            if profile is not None and profile.contact_ok
            else staff.gettext("May be contacted on Telegram: only about this application")
        ),
    ]
    return "\n".join(lines)


async def _in_staff_language(context: HubContext, text: str, staff: Translator) -> str:
    source = context.i18n.language
    label = staff.gettext("In their own words:")
    if source == staff.language:
        return f"{label} {text}"
    try:
        translation = await context.deps.translation.translate(
            context.scope.session, text, source=source, target=staff.language, remember=False
        )
    except TranslationUnavailable as error:
        # Translation is a courtesy here: the original always goes to the coordinator.
        logger.info("description not translated for staff: %s", error)
        return f"{label} {text}"
    if translation.text == text:
        return f"{label} {text}"
    return f"{label} {text}\n🌐 {translation.text}"


async def _tell_staff(context: HubContext, application: Application) -> None:
    staff = context.deps.catalogue.translator(context.deps.settings.staff_language)
    text = staff.gettext("Application A{number} to {programme} was withdrawn.").format(
        number=application.id,
        programme=application.run.programme.text_in("names", staff.language),
    )
    await _send_to_staff(context, text)


async def _send_to_staff(context: HubContext, text: str) -> None:
    staff_chat = context.deps.settings.staff_chat_id
    if staff_chat is None:
        logger.warning("no staff chat: a programme coordinator was not told about an application")
        return
    try:
        await context.bot.send_message(staff_chat, text)
    except TelegramError as error:
        logger.error("the staff chat cannot be reached: %s", error)
