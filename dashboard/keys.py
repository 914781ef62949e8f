"""The dashboard's secret keys: from the settings, or made once and kept in var/."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings

KEY_FILE = PROJECT_ROOT / "var" / "dashboard-keys.json"


@dataclass(frozen=True, slots=True)
class DashboardKeys:
    """Signing key for sign-in form tokens and the key of residents' pseudonyms."""

    secret: bytes
    pseudonym: bytes


def load_keys(settings: Settings, key_file: Path = KEY_FILE) -> DashboardKeys:
    """Return the configured keys; make any missing one once and keep it (mode 0600)."""
    stored: dict[str, str] = {}
    if key_file.exists():
        stored = json.loads(key_file.read_text(encoding="utf-8"))
    secret = settings.dashboard_secret_key
    pseudonym = settings.pseudonym_key
    missing = {
        name: secrets.token_urlsafe(32)
        for name, value in (("secret", secret), ("pseudonym", pseudonym))
        if value is None and name not in stored
    }
    if missing:
        stored.update(missing)
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(stored, handle)
    return DashboardKeys(
        secret=(secret.get_secret_value() if secret else stored["secret"]).encode(),
        pseudonym=(pseudonym.get_secret_value() if pseudonym else stored["pseudonym"]).encode(),
    )
