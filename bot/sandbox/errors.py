"""Errors the fake Bot API answers with, shaped like Telegram's.

ApiError
 ├── BadRequest (400)
 ├── Forbidden (403)
 ├── NotFound (404)
 ├── Conflict (409)
 └── TooManyRequests (429, with retry_after)
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Carry an error code and a Telegram-style description to the HTTP layer."""

    code = 500
    prefix = "Internal Server Error"

    def __init__(self, detail: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.parameters = parameters

    @property
    def description(self) -> str:
        """Return the description as Telegram words it: a fixed prefix, then the detail."""
        return f"{self.prefix}: {self.detail}" if self.detail else self.prefix

    def to_json(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class BadRequest(ApiError):
    """Reject a call whose parameters Telegram would refuse."""

    code = 400
    prefix = "Bad Request"


class Unauthorized(ApiError):
    """Reject a malformed bot token."""

    code = 401
    prefix = "Unauthorized"


class Forbidden(ApiError):
    """Reject a call the bot may not make, e.g. writing to a user who blocked it."""

    code = 403
    prefix = "Forbidden"


class NotFound(ApiError):
    """Reject an unknown method."""

    code = 404
    prefix = "Not Found"


class Conflict(ApiError):
    """Reject getUpdates while a webhook or another poller is active."""

    code = 409
    prefix = "Conflict"


class TooManyRequests(ApiError):
    """Reject a send over the flood limit, telling the bot how long to wait."""

    code = 429
    prefix = "Too Many Requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}", {"retry_after": retry_after})
        self.retry_after = retry_after
