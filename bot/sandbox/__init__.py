"""A Telegram-compatible fake Bot API server with a web chat page, for running hubbot offline."""

from .app import KEEP_ALIVE_S, create_sandbox_app, sandbox_server
from .config import SandboxConfig

__all__ = ["KEEP_ALIVE_S", "SandboxConfig", "create_sandbox_app", "sandbox_server"]
