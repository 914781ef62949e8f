"""Read Bot API parameters from a query string, a form, a multipart upload or JSON.

PTB sends strings raw and JSON-dumps everything else, so values are typed lazily by the
method that reads them: `text="123"` stays a string while `chat_id="123"` becomes an int.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from .errors import BadRequest

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request."""

    content: bytes
    file_name: str | None
    content_type: str | None


class Params:
    """Typed access to one call's parameters."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self._values = values
        self._uploads = uploads

    def has(self, name: str) -> bool:
        """Tell whether the parameter was sent (uploads included)."""
        return name in self._values or name in self._uploads

    def upload(self, name: str) -> Upload | None:
        """Return the file uploaded under `name`, if any."""
        return self._uploads.get(name)

    def get_str(self, name: str) -> str | None:
        """Return a string parameter exactly as sent."""
        value = self._values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        raise BadRequest(f'parameter "{name}" must be a string')

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """Return an integer parameter."""
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise BadRequest(f'parameter "{name}" must be a number')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise BadRequest(f'parameter "{name}" must be a number') from None

    def get_float(self, name: str, default: float) -> float:
        """Return a number parameter."""
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            raise BadRequest(f'parameter "{name}" must be a number') from None

    def get_bool(self, name: str) -> bool:
        """Return a boolean parameter (absent means false)."""
        value = self._values.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise BadRequest(f'parameter "{name}" must be a boolean')

    def get_json(self, name: str) -> Any:
        """Return a JSON-typed parameter (object or array), decoding it when sent as text."""
        value = self._values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise BadRequest(f"can't parse {name} JSON object") from None

    def chat_id(self) -> int | str:
        """Return chat_id as an int, or as an '@username' string."""
        value = self._values.get("chat_id")
        if value is None or value == "":
            raise BadRequest("chat_id is empty")
        if isinstance(value, str) and value.strip().startswith("@"):
            return value.strip()
        chat_id = self.get_int("chat_id")
        assert chat_id is not None  # checked above: the value is present
        return chat_id


async def read_params(request: Request) -> Params:
    """Collect the call's parameters from wherever the client put them."""
    values: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "POST" or not content_type:
        return Params(values, uploads)
    if content_type == "application/json":
        body = await request.body()
        if body.strip():
            try:
                decoded = json.loads(body)
            except ValueError:
                raise BadRequest("can't parse JSON request body") from None
            if not isinstance(decoded, dict):
                raise BadRequest("JSON request body must be an object")
            values.update(decoded)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        async with request.form() as form:
            for key, item in form.multi_items():
                if isinstance(item, UploadFile):
                    uploads[key] = Upload(await item.read(), item.filename, item.content_type)
                else:
                    values[key] = item
    return Params(values, uploads)
