"""Settings of one sandbox instance: limits and the fake bot's profile."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxConfig:
    """Describe how strict and how fast the fake Telegram behaves."""

    global_rate_per_s: float = 30.0
    global_burst: int = 30
    chat_rate_per_s: float = 1.0
    chat_burst: int = 20
    max_text_length: int = 4096
    max_caption_length: int = 1024
    bot_username: str = "hubbot_sandbox_bot"
    bot_first_name: str = "hubbot"
    long_poll_max_s: float = 50.0
    webhook_retry_s: float = 1.0
