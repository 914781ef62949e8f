"""A Telegram-compatible fake Bot API server with a web chat page, for running hubbot offline."""

from .app import create_sandbox_app
from .config import SandboxConfig

__all__ = ["SandboxConfig", "create_sandbox_app"]
