"""The `hubbot` command: run the bot, the sandbox, migrations and content import."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from bot.config import PROJECT_ROOT, Settings

app = typer.Typer(help="hubbot: the Integration Hub assistant.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
content_app = typer.Typer(
    help="Hub content (hubs, answers, services, programmes).", no_args_is_help=True
)
nlu_app = typer.Typer(help="The Rasa NLU server (in .venv-nlu).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(nlu_app, name="nlu")
app.add_typer(content_app, name="content")


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and with a real token that URL contains it.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return settings


@app.command()
def run() -> None:
    """Run the bot: long polling, or a webhook when WEBHOOK_URL is set."""
    from bot.runner import run_bot

    asyncio.run(run_bot(_settings()))


@app.command()
def sandbox(
    global_rate: float = typer.Option(
        0.0, help="Messages per second overall (default SANDBOX_GLOBAL_RATE_PER_S)."
    ),
    chat_rate: float = typer.Option(
        0.0, help="Messages per second to one chat (default SANDBOX_CHAT_RATE_PER_S)."
    ),
) -> None:
    """Run the local Telegram-compatible sandbox and its web chat page."""
    from bot.sandbox import SandboxConfig, create_sandbox_app, sandbox_server

    settings = _settings()
    config = SandboxConfig(
        global_rate_per_s=global_rate or settings.sandbox_global_rate_per_s,
        global_burst=settings.sandbox_global_burst,
        chat_rate_per_s=chat_rate or settings.sandbox_chat_rate_per_s,
        chat_burst=settings.sandbox_chat_burst,
    )
    app = create_sandbox_app(config)
    sandbox_server(app, host=settings.sandbox_host, port=settings.sandbox_port).run()


@app.command()
def up() -> None:
    """Start everything `make run` needs (sandbox without a token, bot) until Ctrl-C."""
    from bot.supervisor import supervise

    raise typer.Exit(asyncio.run(supervise(_settings())))


@nlu_app.command("train")
def nlu_train(
    force: bool = typer.Option(False, help="Train even if the inputs did not change."),
    config: Annotated[
        Path | None, typer.Option(help="Another pipeline (default nlu_data/config.yml).")
    ] = None,
) -> None:
    """Train the NLU model when nlu_data/ or its config changed (else reuse it)."""
    from bot.nlu_model import NluSetupError, ensure_model

    try:
        paths = ensure_model(_settings(), force=force, config=config)
    except NluSetupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    typer.echo(f"NLU model: {paths.path}")


@nlu_app.command("export-annotations")
def nlu_export_annotations() -> None:
    """Write the dashboard's new annotations to nlu_data/data/<lang>/annotated.yml."""
    from dashboard.cli import export_annotations

    report = asyncio.run(export_annotations(_settings()))
    for example, refusal in report.refused:
        typer.echo(f"refused [{example.language}] {example.text!r}: {refusal.english()}", err=True)
    for path in report.files:
        typer.echo(f"wrote {path}")
    typer.echo(report.summary())


@nlu_app.command("serve")
def nlu_serve() -> None:
    """Train if needed, then serve the model on NLU_URL with token auth."""
    from bot.nlu_model import NluSetupError, serve

    settings = _settings()
    if settings.nlu_token is None:
        typer.echo("NLU_TOKEN is not set: the server would accept anyone.", err=True)
        raise typer.Exit(2)
    try:
        raise typer.Exit(serve(settings, settings.nlu_token.get_secret_value()))
    except NluSetupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error


@app.command()
def ask() -> None:
    """Answer one message a line from stdin (text or JSON lines), one JSON object a line."""
    import sys

    from bot.measure import ask as ask_lines
    from db import migrate

    settings = _settings()
    # Like `make run`: the schema first, so that `ask` also works on a fresh checkout.
    migrate.upgrade(settings.database_url)
    asyncio.run(ask_lines(settings, sys.stdin, sys.stdout))


eval_app = typer.Typer(help="Measurements that print numbers.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("nlu")
def eval_nlu(
    baseline: bool = typer.Option(
        False, help="Also train and measure Rasa's default pipeline (slow: tens of minutes)."
    ),
) -> None:
    """Per-language accuracy and macro-F1 on the held-out NLU tests."""
    import sys

    from bot.measure import eval_nlu as run_eval

    asyncio.run(run_eval(_settings(), baseline=baseline, out=sys.stdout))


@eval_app.command("match")
def eval_match(
    data: Annotated[
        Path | None,
        typer.Option(help="Folder of labelled self-descriptions (default: eval/match)."),
    ] = None,
    leave_out: Annotated[
        bool,
        typer.Option(
            help="Take the folder's descriptions out of the labelled examples first, so that a "
            "set of content/skills/examples/ is measured as if it had never been added."
        ),
    ] = False,
) -> None:
    """Top-1 and top-3 programme accuracy per language, beside the zero-shot baseline."""
    import sys

    from bot.match_measure import eval_match as run_eval

    settings = _settings()
    run_eval(
        settings,
        eval_dir=data or PROJECT_ROOT / "eval" / "match",
        out=sys.stdout,
        leave_out=leave_out,
    )


@app.command()
def match() -> None:
    """Recommend programmes for one self-description a line from stdin, as JSON lines."""
    import sys

    from bot.match_measure import match_lines

    match_lines(_settings(), sys.stdin, sys.stdout)


bench_app = typer.Typer(help="Benchmarks that print numbers.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command("replies")
def bench_replies(
    users: str = typer.Option("1,50", help="Concurrent residents per round, comma-separated."),
    questions: int = typer.Option(20, help="Questions each resident asks."),
    database_url: str = typer.Option(
        "",
        help="An empty database to use; default: a throw-away database on BENCH_POSTGRES_DSN, "
        "or a throw-away SQLite file when that server does not answer.",
    ),
    sqlite: bool = typer.Option(False, help="Measure on a throw-away SQLite file."),
    nlu_cache: bool = typer.Option(
        True, help="Let the bot remember NLU readings of repeated texts (NLU_CACHE_SIZE)."
    ),
) -> None:
    """Reply latency (p50, p95) and throughput through the sandbox, and bot memory."""
    import sys

    from bot.bench import bench
    from bot.bench_database import postgres_reachable

    settings = _settings()
    counts = [int(part) for part in users.split(",") if part.strip()]
    admin_dsn = None
    if not sqlite and not database_url:
        if asyncio.run(postgres_reachable(settings.bench_postgres_dsn)):
            admin_dsn = settings.bench_postgres_dsn
        else:
            typer.echo("PostgreSQL does not answer at BENCH_POSTGRES_DSN: measuring on SQLite")
    asyncio.run(
        bench(
            settings,
            users=counts,
            questions=questions,
            out=sys.stdout,
            database_url=database_url or None,
            postgres_admin_dsn=admin_dsn,
            nlu_cache=nlu_cache,
        )
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Migrate the database up (to the newest revision by default)."""
    from db import migrate

    migrate.upgrade(_settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Migrate the database down to a revision."""
    from db import migrate

    migrate.downgrade(_settings().database_url, revision)


@db_app.command("check")
def db_check() -> None:
    """Fail if the models have changes no migration describes."""
    from db import migrate

    migrate.check(_settings().database_url)
    typer.echo("No drift: the migrations match the models.")


@db_app.command("revision")
def db_revision(message: str = typer.Option(..., "-m", "--message")) -> None:
    """Autogenerate a migration from the models."""
    from db import migrate

    migrate.revision(_settings().database_url, message)


@content_app.command("import")
def content_import(
    overwrite_edits: bool = typer.Option(
        False, help="Also replace texts edited in the dashboard with the files' texts."
    ),
) -> None:
    """Load the content folder (demo hubs by default) into the database."""
    from db.content import ImportReport, import_content
    from db.engine import one_session

    settings = _settings()

    async def _import() -> ImportReport:
        async with one_session(settings.database_url) as session:
            report = await import_content(
                session, settings.content_dir, keep_edits=not overwrite_edits
            )
            await session.commit()
        return report

    report = asyncio.run(_import())
    typer.echo(
        f"Imported {report.hubs} hubs, {report.answers} answers, {report.services} services, "
        f"{report.programmes} programmes and {report.events} events from {settings.content_dir}."
    )
    if report.kept:
        typer.echo(
            "Kept what was edited in the dashboard of "
            f"{', '.join(report.kept)} (--overwrite-edits replaces it)."
        )
    if report.removed:
        typer.echo(
            "Left out the services removed in the dashboard: "
            f"{', '.join(report.removed)} (--overwrite-edits brings them back)."
        )


# Broadcasts (issue 6)


@app.command()
def worker() -> None:
    """Send queued broadcasts from the outbox, paced under Telegram's limits, until Ctrl-C."""
    from bot.worker import run_worker

    asyncio.run(run_worker(_settings()))


staff_app = typer.Typer(
    help="Hub staff: dashboard accounts and Telegram ids.", no_args_is_help=True
)
app.add_typer(staff_app, name="staff")


@staff_app.command("add-telegram")
def staff_add_telegram(
    telegram_user_id: int = typer.Argument(..., help="The staff member's Telegram user id."),
    name: str = typer.Option(..., help="The staff member's name."),
    hub: str = typer.Option("", help="Their hub's slug (default: no hub, all hubs)."),
    role: str = typer.Option("staff", help="staff, coordinator or admin."),
) -> None:
    """Let a Telegram user use /broadcast (adds or updates the staff member)."""
    from bot.broadcasting.cli import add_staff

    settings = _settings()
    typer.echo(asyncio.run(add_staff(settings, telegram_user_id, name=name, hub=hub, role=role)))


@bench_app.command("broadcast")
def bench_broadcast(
    users: int = typer.Option(5000, help="Recipients to create across the nine languages."),
    rate: float = typer.Option(300.0, help="The sandbox's overall limit, messages per second."),
    queue_only: bool = typer.Option(
        False, help="Only measure queueing the outbox rows (use a PostgreSQL --database-url)."
    ),
    kill: bool = typer.Option(True, help="SIGKILL the worker halfway and restart it."),
    database_url: str = typer.Option(
        "", help="An empty, migrated database to use; default: a throw-away SQLite file."
    ),
) -> None:
    """Send one broadcast through the sandbox; print delivered, lost and duplicates as JSON."""
    import json

    from bot.broadcasting.bench import bench, bench_queue

    settings = _settings()
    if queue_only:
        result = asyncio.run(bench_queue(settings, users=users, database_url=database_url or None))
    else:
        result = asyncio.run(
            bench(settings, users=users, rate=rate, kill=kill, database_url=database_url or None)
        )
    typer.echo(json.dumps(result))


events_app = typer.Typer(help="Events at the hubs.", no_args_is_help=True)
app.add_typer(events_app, name="events")


@events_app.command("add")
def events_add(
    hub: Annotated[str, typer.Option(help="The hub's slug, e.g. berlin.")],
    title: Annotated[str, typer.Option(help="The title, in --language.")],
    starts: Annotated[datetime, typer.Option(help="Start, hub time: 2026-12-03T18:00.")],
    ends: Annotated[datetime, typer.Option(help="End, hub time.")],
    language: Annotated[str, typer.Option(help="The language of title and text.")] = "de",
    description: Annotated[str, typer.Option(help="One to three sentences.")] = "",
    room: Annotated[str, typer.Option(help="Room or zone of the hub.")] = "",
    capacity: Annotated[int, typer.Option(help="Places; 0 for no limit.")] = 0,
    topic: Annotated[list[str] | None, typer.Option(help="events, programmes, jobs...")] = None,
) -> None:
    """Add an event in one language; other languages are machine-translated when shown."""
    from bot.events_cli import add_event
    from db.content import ContentError

    settings = _settings()
    try:
        slug = asyncio.run(
            add_event(
                settings,
                hub=hub,
                title=title,
                starts=starts,
                ends=ends,
                language=language,
                description=description,
                room=room or None,
                capacity=capacity or None,
                topics=topic or ["events"],
            )
        )
    except ContentError as error:
        typer.echo(f"Not added: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Added event {slug}.")


# Dashboard (issue 7)


@app.command()
def dashboard() -> None:
    """Run the staff dashboard on DASHBOARD_HOST:DASHBOARD_PORT (default 127.0.0.1:8081)."""
    from dashboard import create_app

    settings = _settings()
    uvicorn.run(
        create_app(settings),
        host=settings.dashboard_host,
        port=settings.dashboard_port,
        log_level="warning",
        # The dashboard sits behind a TLS proxy in production: trust its X-Forwarded-* only
        # from loopback, so the login throttle sees the real client address.
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )


@staff_app.command("add")
def staff_add(
    email: str = typer.Argument(..., help="The staff member's e-mail address (their login)."),
    role: str = typer.Option("staff", help="admin, coordinator or staff."),
    name: str = typer.Option("", help="Their name (default: the e-mail's local part)."),
    telegram_id: int = typer.Option(0, help="Their Telegram user id, for the bot (optional)."),
    hub: str = typer.Option("", help="Their hub's slug: they then see that hub only."),
) -> None:
    """Create or update a dashboard account; the password is read from stdin."""
    import getpass
    import sys

    from dashboard.accounts import AccountError
    from dashboard.cli import add_staff
    from db.models import StaffRole

    if role not in set(StaffRole):
        typer.echo(f"Unknown role {role!r}: use admin, coordinator or staff.", err=True)
        raise typer.Exit(2)
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            typer.echo("The passwords differ.", err=True)
            raise typer.Exit(2)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        line = asyncio.run(
            add_staff(
                _settings(),
                email=email,
                role=StaffRole(role),
                password=password,
                name=name or None,
                telegram_user_id=telegram_id or None,
                hub=hub or None,
            )
        )
    except AccountError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    typer.echo(line)


retention_app = typer.Typer(help="Deleting old message texts.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run() -> None:
    """Delete message texts older than RETENTION_DAYS now (the dashboard also does it hourly)."""
    from dashboard.cli import retention_once

    settings = _settings()
    deleted = asyncio.run(retention_once(settings))
    typer.echo(f"Deleted {deleted} message texts older than {settings.retention_days} days.")


if __name__ == "__main__":
    app()
