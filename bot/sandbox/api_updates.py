"""Bot API methods that hand updates to the bot: getUpdates and the webhook settings."""

from __future__ import annotations

import re
from typing import Any

from .calls import Call, Method
from .errors import BadRequest
from .updates import WebhookSettings

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def methods() -> dict[str, Method]:
    """Return this module's methods by name."""
    return {
        "getUpdates": get_updates,
        "setWebhook": set_webhook,
        "deleteWebhook": delete_webhook,
        "getWebhookInfo": get_webhook_info,
    }


def _allowed_updates(call: Call) -> list[str] | None:
    value = call.params.get_json("allowed_updates")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
        raise BadRequest("can't parse allowed_updates: an Array of Strings expected")
    return value


async def get_updates(call: Call) -> list[dict[str, Any]]:
    """Confirm updates before `offset` and long-poll for new ones."""
    params = call.params
    limit = min(100, max(1, params.get_int("limit", 100) or 100))
    timeout = max(0.0, params.get_float("timeout", 0.0))
    return await call.world.updates.poll(
        offset=params.get_int("offset", 0) or 0,
        limit=limit,
        timeout=min(timeout, call.world.config.long_poll_max_s),
        allowed_updates=_allowed_updates(call),
    )


async def set_webhook(call: Call) -> bool:
    """Start pushing updates to a URL (plain http is allowed: the sandbox is local)."""
    params = call.params
    url = (params.get_str("url") or "").strip()
    drop = params.get_bool("drop_pending_updates")
    if not url:
        await call.world.updates.set_webhook(None, drop_pending=drop)
        return True
    if not url.lower().startswith(("https://", "http://")):
        raise BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise BadRequest("secret token contains unallowed characters")
    max_connections = params.get_int("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise BadRequest("bad webhook: max_connections must be between 1 and 100")
    allowed = _allowed_updates(call)
    settings = WebhookSettings(
        url=url,
        secret_token=secret or None,
        max_connections=max_connections,
        allowed_updates=tuple(allowed) if allowed is not None else None,
    )
    await call.world.updates.set_webhook(settings, drop_pending=drop)
    return True


async def delete_webhook(call: Call) -> bool:
    """Stop pushing updates, so getUpdates works again."""
    drop = call.params.get_bool("drop_pending_updates")
    await call.world.updates.set_webhook(None, drop_pending=drop)
    return True


async def get_webhook_info(call: Call) -> dict[str, Any]:
    """Describe the webhook and its delivery state."""
    updates = call.world.updates
    webhook = updates.webhook
    info: dict[str, Any] = {
        "url": webhook.url if webhook is not None else "",
        "has_custom_certificate": False,
        "pending_update_count": updates.pending_count,
    }
    if webhook is not None:
        info["max_connections"] = webhook.max_connections
        info["ip_address"] = "127.0.0.1"
        allowed = updates.allowed_updates()
        if allowed is not None:
            info["allowed_updates"] = allowed
        if updates.webhook_error is not None:
            info["last_error_date"] = updates.webhook_error.date
            info["last_error_message"] = updates.webhook_error.message
    return info
